// The worker's crash test (issue 14): 10,000 accounts whose positions one market crash makes
// liquidatable; the real worker SIGKILLed in the middle of the cascade and restarted; then every
// position must be liquidated exactly once, no fill or funding applied twice, every account's
// replay equal to its stored state and the ledger balanced. Makes its own embedded PostgreSQL.
//
//   npm run crash-test -w @lab/worker                 # 10,000 accounts
//   npm run crash-test -w @lab/worker -- --accounts 2000
import { parseArgs } from 'node:util';
import { runCrashTest } from '../../apps/worker/src/testing/crash-run.ts';
import { startScratchDatabase } from '../../apps/worker/src/testing/scratch-database.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
    quiet: { type: 'boolean', default: false },
  },
});

async function main() {
  const count = Math.min(50_000, Math.max(10, Number(values.accounts)));
  const scratch = await startScratchDatabase('lab_crash');
  const t0 = Date.now();
  try {
    const r = await runCrashTest({
      databaseUrl: scratch.url,
      count,
      batchSize: Number(values.batch),
      concurrency: Number(values.concurrency),
      log: values.quiet ? undefined : (m) => console.log(m),
      timeoutMs: 15 * 60_000,
    });
    console.log(
      `\ncrash test: ${r.accounts} accounts, ${r.positions} positions; SIGKILL with ${r.liquidationsAtKill} liquidations committed (${r.beforeKillMs} ms into the crash); after the restart the rest took ${r.afterRestartMs} ms; ${r.liquidationsAtEnd} liquidations in all; ${r.liquidatedOnce}/${r.positions} positions liquidated exactly once; seeding ${r.seedMs} ms; total ${Date.now() - t0} ms`,
    );
    if (r.problems.length) {
      console.error(`FAILED:\n${r.problems.join('\n')}`);
      process.exitCode = 1;
    } else {
      console.log('PASSED: exactly once, nothing applied twice, replay == stored, ledger balanced');
    }
  } finally {
    await scratch.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
