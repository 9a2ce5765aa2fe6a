'use client';
// Teams: formed by the hosts before the start (a shared account traded by every member, or
// members ranked by the average of their returns), and the team board.
import type { TeamKind } from '@lab/services';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormAlert } from '@/components/form';
import { useTRPC } from '@/trpc/react';
import { errorText, formatFraction } from '../../format';
import { Signed } from '../../ui';

interface DraftTeam {
  name: string;
  kind: TeamKind;
  participantIds: string[];
}

const KIND_LABEL: Record<TeamKind, string> = {
  SHARED_ACCOUNT: 'One shared account',
  AVERAGE: 'Average of the members',
};

export function TeamsSection({
  competitionId,
  started,
}: {
  competitionId: string;
  started: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const teams = useQuery(trpc.teaching.teams.queryOptions({ competitionId }));
  const board = useQuery({
    ...trpc.teaching.teamLeaderboard.queryOptions({ competitionId }),
    refetchInterval: started ? 5000 : false,
  });
  const dashboard = useQuery(trpc.competition.dashboard.queryOptions({ competitionId }));
  const [draft, setDraft] = useState<DraftTeam[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (teams.data && draft === null)
      setDraft(
        teams.data.map((t) => ({
          name: t.name,
          kind: t.kind,
          participantIds: t.members.map((m) => m.participantId),
        })),
      );
  }, [teams.data, draft]);
  const save = useMutation(
    trpc.teaching.setTeams.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.teaching.pathKey() });
      },
    }),
  );
  const people = (dashboard.data?.rows ?? []).filter((r) => r.status !== 'REMOVED');
  const taken = (except: number) =>
    new Set((draft ?? []).flatMap((t, i) => (i === except ? [] : t.participantIds)));
  const update = (i: number, t: Partial<DraftTeam>) =>
    setDraft((d) => (d ?? []).map((x, k) => (k === i ? { ...x, ...t } : x)));

  return (
    <section aria-labelledby="teams-title" className="space-y-4">
      <div>
        <h2 id="teams-title" className="text-lg font-semibold">
          Teams
        </h2>
        <p className="text-sm text-muted">
          {started
            ? 'Teams were formed before the start.'
            : 'Group students who have joined. A shared-account team trades its first member’s account (every member may, each order recorded with who placed it); an average team is ranked by the mean of its members’ returns.'}
        </p>
      </div>
      {!started && draft ? (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            save.mutate({ competitionId, teams: draft });
          }}
        >
          {draft.map((t, i) => (
            <fieldset key={i} className="rounded-lg border border-line bg-panel p-4">
              <legend className="px-1 text-sm font-medium">Team {i + 1}</legend>
              <div className="flex flex-wrap items-end gap-3">
                <label className="text-sm">
                  <span className="mb-1 block text-xs text-muted">Name</span>
                  <input
                    value={t.name}
                    maxLength={64}
                    onChange={(e) => update(i, { name: e.target.value })}
                    className="rounded border border-line bg-bg px-2 py-1.5"
                  />
                </label>
                <label className="text-sm">
                  <span className="mb-1 block text-xs text-muted">Scored by</span>
                  <select
                    value={t.kind}
                    onChange={(e) => update(i, { kind: e.target.value as TeamKind })}
                    className="rounded border border-line bg-bg px-2 py-1.5"
                  >
                    {(Object.keys(KIND_LABEL) as TeamKind[]).map((k) => (
                      <option key={k} value={k}>
                        {KIND_LABEL[k]}
                      </option>
                    ))}
                  </select>
                </label>
                <button
                  type="button"
                  onClick={() => setDraft(draft.filter((_, k) => k !== i))}
                  className="rounded border border-line px-2 py-1.5 text-xs hover:bg-panel-2"
                >
                  Remove team {i + 1}
                </button>
              </div>
              <div
                className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm"
                role="group"
                aria-label={`Members of team ${i + 1}`}
              >
                {people.map((p) => {
                  const other = taken(i).has(p.participantId);
                  const checked = t.participantIds.includes(p.participantId);
                  return (
                    <label
                      key={p.participantId}
                      className={`inline-flex items-center gap-1.5 ${other ? 'text-muted' : ''}`}
                    >
                      <input
                        type="checkbox"
                        checked={checked}
                        disabled={other}
                        onChange={(e) =>
                          update(i, {
                            participantIds: e.target.checked
                              ? [...t.participantIds, p.participantId]
                              : t.participantIds.filter((x) => x !== p.participantId),
                          })
                        }
                      />
                      {p.displayName}
                      {t.kind === 'SHARED_ACCOUNT' && t.participantIds[0] === p.participantId ? (
                        <span className="text-xs text-muted">(account)</span>
                      ) : null}
                    </label>
                  );
                })}
                {people.length === 0 ? (
                  <span className="text-muted">Nobody has joined yet.</span>
                ) : null}
              </div>
            </fieldset>
          ))}
          {save.error ? <FormAlert>{errorText(save.error)}</FormAlert> : null}
          {saved ? <FormAlert tone="success">Teams saved.</FormAlert> : null}
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              onClick={() =>
                setDraft([
                  ...draft,
                  { name: `Team ${draft.length + 1}`, kind: 'AVERAGE', participantIds: [] },
                ])
              }
              className="rounded border border-line px-3 py-2 text-sm hover:bg-panel-2"
            >
              Add a team
            </button>
            <button
              type="submit"
              disabled={save.isPending}
              className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110"
            >
              Save the teams
            </button>
          </div>
        </form>
      ) : null}
      {board.data && board.data.teams.length ? (
        <div className="relative overflow-x-auto rounded-lg border border-line bg-panel">
          <table className="w-full min-w-[560px] text-sm">
            <caption className="sr-only">Team leaderboard</caption>
            <thead className="border-b border-line text-xs uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Rank
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Team
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Scored by
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Score
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Members (return)
                </th>
              </tr>
            </thead>
            <tbody>
              {board.data.teams.map((t) => (
                <tr key={t.teamId} className="border-b border-line/60 last:border-0">
                  <td className="num px-3 py-2">{t.rank || '—'}</td>
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    {t.name}
                  </th>
                  <td className="px-3 py-2">{KIND_LABEL[t.kind]}</td>
                  <td className="num px-3 py-2">
                    <Signed value={t.score}>{formatFraction(t.score)}</Signed>
                  </td>
                  <td className="px-3 py-2 text-xs">
                    {t.members
                      .map((m) => `${m.displayName} ${formatFraction(m.return)}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : started ? (
        <p className="text-sm text-muted">No teams.</p>
      ) : null}
    </section>
  );
}
