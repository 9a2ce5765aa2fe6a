'use client';
// Integrity signals for the hosts, never a verdict: students who signed in from one address (a
// label stands for it), and students whose orders followed another's within seconds, repeatedly.
import { useQuery } from '@tanstack/react-query';
import { FormAlert } from '@/components/form';
import { useTRPC } from '@/trpc/react';
import { errorText, formatTime } from '../../format';

export function IntegritySection({ competitionId }: { competitionId: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.teaching.integrity.queryOptions({ competitionId }),
    refetchInterval: 30_000,
  });
  const s = q.data;
  return (
    <section aria-labelledby="integrity-title" className="space-y-3">
      <h2 id="integrity-title" className="text-lg font-semibold">
        Integrity signals
      </h2>
      <p className="max-w-3xl text-sm text-muted">
        Signals to look into, not proof: a class behind one school network shares one address, so
        look for a small group sharing one that the rest of the class does not. Addresses are shown
        as labels, never as the address.
      </p>
      {q.error ? <FormAlert>{errorText(q.error)}</FormAlert> : null}
      {s ? (
        <div className="grid gap-4 lg:grid-cols-2">
          <div className="rounded-lg border border-line bg-panel p-4">
            <h3 className="text-sm font-medium">One sign-in address</h3>
            <p className="text-xs text-muted">
              {s.withAddress} of {s.participants} students have a known sign-in address.
            </p>
            {s.sharedAddresses.length ? (
              <ul className="mt-2 space-y-1 text-sm">
                {s.sharedAddresses.map((a) => (
                  <li key={a.label}>
                    <span className="font-mono text-xs">address {a.label}</span>:{' '}
                    {a.participants.map((p) => p.displayName).join(', ')}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="mt-2 text-sm">No two students signed in from one address.</p>
            )}
          </div>
          <div className="rounded-lg border border-line bg-panel p-4">
            <h3 className="text-sm font-medium">Mirrored orders</h3>
            <p className="text-xs text-muted">
              The same market and side within {s.mirrorSeconds} s after another student’s order,
              twice or more.
            </p>
            {s.mirrored.length ? (
              <ul className="mt-2 space-y-2 text-sm">
                {s.mirrored.map((m) => (
                  <li key={`${m.leader.participantId}-${m.follower.participantId}`}>
                    <strong>{m.follower.displayName}</strong> followed{' '}
                    <strong>{m.leader.displayName}</strong> {m.orders} time
                    {m.orders === 1 ? '' : 's'} (of {m.followerOrders} orders; median{' '}
                    {m.medianSeconds} s later)
                    <span className="block text-xs text-muted">
                      {m.examples
                        .map((e) => `${e.side} ${e.symbol} at ${formatTime(e.followerAt)}`)
                        .join('; ')}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="mt-2 text-sm">No mirrored orders.</p>
            )}
          </div>
        </div>
      ) : (
        <p className="text-sm text-muted">Looking…</p>
      )}
    </section>
  );
}
