import type { Metadata } from 'next';
import { CATALOGUE, SYMBOLS } from '@lab/margin-engine';
import { LIMITS, MAX_STARTING_BALANCE, MIN_STARTING_BALANCE } from '@lab/services';
import { requireSessionUser } from '@/server/session';
import { CompetitionForm } from './competition-form';

export const metadata: Metadata = { title: 'New competition' };

export default async function NewCompetitionPage() {
  await requireSessionUser('/competitions/new');
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">New competition</h1>
        <p className="mt-1 text-sm text-muted">
          You host it: students join with its code, every rule here is enforced by the platform, and
          you can change the caps, trigger market events and end it early from its dashboard.
        </p>
      </div>
      <CompetitionForm
        markets={SYMBOLS.map((s) => ({ symbol: s, maxLeverage: CATALOGUE[s]!.maxLeverage }))}
        limits={{
          minStartingBalance: MIN_STARTING_BALANCE.toFixed(),
          maxStartingBalance: MAX_STARTING_BALANCE.toFixed(),
          maxTicksPerSecond: LIMITS.maxTicksPerSecond,
          maxFundingIntervalMinutes: LIMITS.maxFundingIntervalMinutes,
          minSnapshotSeconds: LIMITS.minSnapshotSeconds,
          maxSnapshotSeconds: LIMITS.maxSnapshotSeconds,
        }}
      />
    </div>
  );
}
