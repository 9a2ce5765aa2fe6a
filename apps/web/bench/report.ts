// Printing for the stream benchmark: tables, percentiles, and a summary of a V8 CPU profile.
import fs from 'node:fs';
import path from 'node:path';

export const fmt = (n: number, d = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
    : String(n);

export const percentile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};

export function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    '| ' +
    r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ') +
    ' |';
  console.log(line(rows[0]!));
  console.log(
    '|' + widths.map((w, c) => '-'.repeat(w + 1) + (c === 0 ? '-' : ':')).join('|') + '|',
  );
  for (const r of rows.slice(1)) console.log(line(r));
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileWindow {
  label: string;
  /** Epoch ms. */
  from: number;
  to: number;
}

/**
 * The functions that took the most CPU in the web server's profile (self time, and total time
 * with what they called) within `window`. The profile's clock is monotonic: it is put on the
 * epoch by its end, which is when the process exited (`exitedAt`, epoch ms).
 */
export function summarizeProfile(
  dir: string,
  window: ProfileWindow,
  exitedAt: number,
  top = 15,
): void {
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
    : [];
  if (!files.length) {
    console.log(`    no CPU profile was written in ${dir}`);
    return;
  }
  const profile = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => {
    const file = n.callFrame.url.split('/').slice(-2).join('/');
    return `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  let t = profile.startTime; // µs, monotonic
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += profile.timeDeltas[i] ?? 0;
    const at = exitedAt - (profile.endTime - t) / 1000;
    if (at < window.from || at > window.to) return;
    all += dt;
    const n = byId.get(id)!;
    self.set(key(n), (self.get(key(n)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const idle = (k: string) => /^\((idle|program|garbage collector|root)\)/.test(k);
  const busy = all - [...self].filter(([k]) => idle(k)).reduce((s, [, v]) => s + v, 0);
  console.log(
    `    web server CPU profile, ${window.label}: ${fmt(all)} ms sampled, ${fmt(busy)} ms busy (GC: ${fmt(self.get('(garbage collector) :0') ?? 0)} ms)\n`,
  );
  const rows = [['function (self time)', 'self ms', 'self % busy']];
  for (const [k, v] of [...self]
    .filter(([k]) => !idle(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    rows.push([k.slice(0, 110), fmt(v), fmt((v / busy) * 100, 1)]);
  table(rows);
  console.log('');
  const rows2 = [['function (total time, with callees)', 'total ms', 'total % busy']];
  for (const [k, v] of [...total]
    .filter(([k]) => !idle(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top * 2))
    rows2.push([k.slice(0, 110), fmt(v), fmt((v / busy) * 100, 1)]);
  table(rows2);
}
