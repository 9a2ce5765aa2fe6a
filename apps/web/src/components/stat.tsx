/** One labelled figure in a stats row (inside a <dl>). */
export function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-line bg-panel px-4 py-3">
      <dt className="text-xs uppercase tracking-wider text-muted">{label}</dt>
      <dd className="mt-1 font-mono text-lg font-medium tabular-nums">{value}</dd>
    </div>
  );
}
