'use client';
// The hosts' teaching page: risk-rule assignments (picked from the rule set, with their numbers;
// fixed once trading opens), trade notes and the benchmark, teams, each student's compliance with
// every violation (when, the order behind it and its note), and the integrity signals.
import type { RuleKindView, TeachingView as Teaching } from '@lab/services';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { FormAlert } from '@/components/form';
import { useTRPC } from '@/trpc/react';
import { errorText } from '../../format';
import { StateBadge } from '../../ui';
import { ComplianceTable } from './compliance-table';
import { IntegritySection } from './integrity-section';
import { TeamsSection } from './teams-section';

export function TeachingView({ competitionId }: { competitionId: string }) {
  const trpc = useTRPC();
  const { data: c } = useSuspenseQuery(trpc.competition.get.queryOptions({ competitionId }));
  const { data: teaching } = useSuspenseQuery(trpc.teaching.get.queryOptions({ competitionId }));
  const { data: kinds } = useSuspenseQuery(trpc.teaching.ruleKinds.queryOptions());
  const started = c.state === 'RUNNING' || c.state === 'FINISHED' || c.state === 'ARCHIVED';
  const ended = c.state === 'FINISHED' || c.state === 'ARCHIVED';
  return (
    <div className="space-y-10">
      <header className="space-y-3">
        <nav aria-label="Breadcrumb" className="text-sm text-muted">
          <Link href={`/competitions/${c.id}`} className="hover:text-text">
            ← {c.name}
          </Link>
          <span aria-hidden> · </span>
          <Link href={`/competitions/${c.id}/host`} className="hover:text-text">
            Host dashboard
          </Link>
        </nav>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">Teaching: {c.name}</h1>
          <StateBadge state={c.state} />
        </div>
        <p className="max-w-3xl text-sm text-muted">
          Grade risk management, not luck: assign rules the platform checks on every student’s
          account while the competition runs, ask for a short reason with each order, put every
          return beside buying and holding a market, and read the class report at the end.
        </p>
        <div className="flex flex-wrap gap-2 text-sm">
          {ended ? (
            <Link
              href={`/competitions/${c.id}/report`}
              className="rounded bg-accent px-4 py-2 font-semibold text-on-accent hover:brightness-110"
            >
              Open the class report
            </Link>
          ) : null}
          <a
            href={`/competitions/${c.id}/teaching/export/orders`}
            download
            className="rounded border border-line px-4 py-2 hover:bg-panel-2"
          >
            Export every order with its note (CSV)
          </a>
        </div>
      </header>

      <RulesSection competitionId={competitionId} teaching={teaching} kinds={kinds} />
      <NotesSection
        competitionId={competitionId}
        teaching={teaching}
        symbols={c.market.symbols}
        ended={ended}
      />
      <TeamsSection competitionId={competitionId} started={started} />
      {started ? (
        <ComplianceSection competitionId={competitionId} live={c.state === 'RUNNING'} />
      ) : null}
      {started ? <IntegritySection competitionId={competitionId} /> : null}
    </div>
  );
}

type Draft = Record<string, { on: boolean; params: Record<string, string> }>;

function draftOf(kinds: readonly RuleKindView[], teaching: Teaching): Draft {
  const out: Draft = {};
  for (const k of kinds) {
    const set = teaching.rules.find((r) => r.kind === k.kind);
    out[k.kind] = {
      on: Boolean(set),
      params: Object.fromEntries(k.params.map((p) => [p.name, set?.params[p.name] ?? p.default])),
    };
  }
  return out;
}

function RulesSection({
  competitionId,
  teaching,
  kinds,
}: {
  competitionId: string;
  teaching: Teaching;
  kinds: readonly RuleKindView[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(kinds, teaching));
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.teaching.setRules.mutationOptions({
      onSuccess: (v) => {
        setSaved(true);
        setDraft(draftOf(kinds, v));
        void queryClient.invalidateQueries({ queryKey: trpc.teaching.pathKey() });
      },
    }),
  );
  const editable = teaching.rulesEditable;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate({
      competitionId,
      rules: kinds
        .filter((k) => draft[k.kind]?.on)
        .map((k) => ({ kind: k.kind, params: draft[k.kind]!.params })),
    });
  };
  return (
    <section aria-labelledby="rules-title" className="space-y-4">
      <div>
        <h2 id="rules-title" className="text-lg font-semibold">
          Risk rules
        </h2>
        <p className="text-sm text-muted">
          {editable
            ? 'Pick the rules of this assignment and set their numbers. Students see them, and their compliance, live. Rules are fixed once trading opens.'
            : 'Trading has opened: the rules stay as the class was told.'}
        </p>
      </div>
      {!editable && teaching.rules.length === 0 ? (
        <p className="text-sm text-muted">No risk rules were assigned.</p>
      ) : null}
      <form onSubmit={submit} className="space-y-3">
        <div className="grid gap-3 lg:grid-cols-2">
          {kinds.map((k) => {
            const d = draft[k.kind]!;
            if (!editable && !d.on) return null;
            return (
              <fieldset
                key={k.kind}
                className={`rounded-lg border p-4 ${d.on ? 'border-accent/60 bg-accent/5' : 'border-line bg-panel'}`}
              >
                <legend className="px-1 text-sm font-medium">
                  <label className="inline-flex items-center gap-2">
                    <input
                      type="checkbox"
                      checked={d.on}
                      disabled={!editable}
                      onChange={(e) =>
                        setDraft({ ...draft, [k.kind]: { ...d, on: e.target.checked } })
                      }
                    />
                    {k.title}
                  </label>
                </legend>
                {k.params.length ? (
                  <div className="mt-2 flex flex-wrap gap-4">
                    {k.params.map((p) => (
                      <label key={p.name} className="text-sm">
                        <span className="mb-1 block text-xs text-muted">
                          {p.label} ({p.unit})
                        </span>
                        <input
                          inputMode="decimal"
                          value={d.params[p.name] ?? ''}
                          disabled={!editable || !d.on}
                          aria-label={`${k.title}: ${p.label} (${p.unit})`}
                          onChange={(e) =>
                            setDraft({
                              ...draft,
                              [k.kind]: { ...d, params: { ...d.params, [p.name]: e.target.value } },
                            })
                          }
                          className="num w-28 rounded border border-line bg-bg px-2 py-1.5 text-right"
                        />
                      </label>
                    ))}
                  </div>
                ) : (
                  <p className="mt-1 text-xs text-muted">No numbers to set.</p>
                )}
                {teaching.rules.find((r) => r.kind === k.kind) ? (
                  <p className="mt-2 text-xs text-muted">
                    {teaching.rules.find((r) => r.kind === k.kind)!.description}
                  </p>
                ) : null}
              </fieldset>
            );
          })}
        </div>
        {save.error ? <FormAlert>{errorText(save.error)}</FormAlert> : null}
        {saved ? <FormAlert tone="success">Rules saved.</FormAlert> : null}
        {editable ? (
          <button
            type="submit"
            disabled={save.isPending}
            className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
          >
            Save the rules
          </button>
        ) : null}
      </form>
    </section>
  );
}

function NotesSection({
  competitionId,
  teaching,
  symbols,
  ended,
}: {
  competitionId: string;
  teaching: Teaching;
  symbols: string[];
  ended: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [notes, setNotes] = useState(teaching.notesRequired);
  const [bench, setBench] = useState(teaching.benchmarkSymbol ?? '');
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.teaching.updateSettings.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.teaching.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.competition.leaderboard.pathKey() });
      },
    }),
  );
  return (
    <section aria-labelledby="notes-title" className="space-y-3">
      <h2 id="notes-title" className="text-lg font-semibold">
        Trade notes and the benchmark
      </h2>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.mutate({ competitionId, notesRequired: notes, benchmarkSymbol: bench || null });
        }}
      >
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            checked={notes}
            disabled={ended}
            onChange={(e) => setNotes(e.target.checked)}
            className="mt-1"
          />
          <span>
            Require a trade note (a sentence on why) with every order that opens or adds to a
            position. Closing is never refused for want of one. Notes are shown to you next to each
            order and in the exports.
          </span>
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Benchmark</span>
          <select
            value={bench}
            disabled={ended}
            onChange={(e) => setBench(e.target.value)}
            className="rounded border border-line bg-bg px-3 py-2 text-sm"
          >
            <option value="">None</option>
            {symbols.map((s) => (
              <option key={s} value={s}>
                Buy and hold {s}
              </option>
            ))}
          </select>
          <span className="mt-1 block text-xs text-muted">
            Each student’s return is shown beside buying the market at the start and holding it to
            the end (from when they joined, for late joiners), in the leaderboard and the report.
          </span>
        </label>
        {save.error ? <FormAlert>{errorText(save.error)}</FormAlert> : null}
        {saved ? <FormAlert tone="success">Saved.</FormAlert> : null}
        {!ended ? (
          <button
            type="submit"
            disabled={save.isPending}
            className="rounded border border-line px-4 py-2 text-sm font-medium hover:bg-panel-2"
          >
            Save notes and benchmark
          </button>
        ) : null}
      </form>
    </section>
  );
}

function ComplianceSection({ competitionId, live }: { competitionId: string; live: boolean }) {
  const trpc = useTRPC();
  const report = useQuery({
    ...trpc.teaching.compliance.queryOptions({ competitionId }),
    refetchInterval: live ? 5000 : false,
  });
  return (
    <section aria-labelledby="compliance-title" className="space-y-3">
      <h2 id="compliance-title" className="text-lg font-semibold">
        Compliance
      </h2>
      {report.error ? <FormAlert>{errorText(report.error)}</FormAlert> : null}
      {report.data ? (
        <ComplianceTable competitionId={competitionId} report={report.data} />
      ) : (
        <p className="text-sm text-muted">Checking…</p>
      )}
    </section>
  );
}
