// CPU time of the platform's processes over a phase of a benchmark, from /proc (Linux): the web
// server, the worker, PostgreSQL (the postmaster, its live backends and the ones it has reaped)
// and this process (the load generator). Divided by the requests of the phase it says what one
// request costs each process, and how many of the machine's cores the phase kept busy.
import fs from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

export interface CpuSources {
  web: number;
  worker: number;
  /** The postmaster's pid. */
  postgres: number;
}

/** CPU ms per process group at one moment. */
export type CpuSample = Record<'web' | 'worker' | 'postgres' | 'bench', number>;

/** utime + stime (+ the reaped children's cutime + cstime), in ms; 0 when unreadable. */
function cpuOf(pid: number, withReaped = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid)
        out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export const cpuAccountingAvailable = (): boolean =>
  os.platform() === 'linux' && fs.existsSync('/proc/self/stat');

export function sampleCpu(src: CpuSources): CpuSample {
  const own = process.cpuUsage();
  return {
    web: cpuOf(src.web),
    worker: cpuOf(src.worker),
    postgres:
      cpuOf(src.postgres, true) + childrenOf(src.postgres).reduce((s, p) => s + cpuOf(p), 0),
    bench: (own.user + own.system) / 1000,
  };
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuSample {
  return {
    web: b.web - a.web,
    worker: b.worker - a.worker,
    // a backend that ended between the samples moves from "live" to "reaped": never negative
    postgres: Math.max(0, b.postgres - a.postgres),
    bench: b.bench - a.bench,
  };
}

export const addCpu = (a: CpuSample, b: CpuSample): CpuSample => ({
  web: a.web + b.web,
  worker: a.worker + b.worker,
  postgres: a.postgres + b.postgres,
  bench: a.bench + b.bench,
});

export const NO_CPU: CpuSample = { web: 0, worker: 0, postgres: 0, bench: 0 };

/** "web 3.21, worker 0.80, postgres 2.10, load generator 0.40: 6.51 ms per request; 1.9 cores busy" */
export function describeCpu(cpu: CpuSample, requests: number, seconds: number): string {
  const per = (ms: number) => (requests ? ms / requests : NaN).toFixed(2);
  const total = cpu.web + cpu.worker + cpu.postgres + cpu.bench;
  return (
    `web ${per(cpu.web)}, worker ${per(cpu.worker)}, postgres ${per(cpu.postgres)}, ` +
    `load generator ${per(cpu.bench)}: ${per(total)} ms of CPU per request; ` +
    `${(total / 1000 / seconds).toFixed(2)} of ${os.availableParallelism()} cores busy`
  );
}
