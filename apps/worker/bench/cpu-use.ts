// Where a benchmark's time went: the CPU of every PostgreSQL process on the machine (Linux's
// /proc; the embedded server runs here) and this process's own CPU and GC pauses.
import fs from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/** CPU time (user + system) of every process named postgres, ms; undefined without /proc. */
export function postgresCpuMs(): number | undefined {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  const tick = 10; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const f = stat.slice(close + 2).split(' ');
    total += (Number(f[11]) + Number(f[12])) * tick; // utime, stime
  }
  return total;
}

let gcPauses = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses += e.duration;
}).observe({ entryTypes: ['gc'] });

/** A window's CPU figures: call at its start, call the result at its end. */
export function cpuWindow(): () => { postgresMs?: number; processMs: number; gcMs: number } {
  const pg0 = postgresCpuMs();
  const me0 = process.cpuUsage();
  const gc0 = gcPauses;
  return () => {
    const pg1 = postgresCpuMs();
    const me = process.cpuUsage(me0);
    return {
      ...(pg0 !== undefined && pg1 !== undefined ? { postgresMs: pg1 - pg0 } : {}),
      processMs: (me.user + me.system) / 1000,
      gcMs: gcPauses - gc0,
    };
  };
}

export const formatCpu = (c: ReturnType<ReturnType<typeof cpuWindow>>): string =>
  `${c.postgresMs === undefined ? '' : `PostgreSQL ${Math.round(c.postgresMs)} ms, `}this process ${Math.round(c.processMs)} ms (GC pauses ${Math.round(c.gcMs)} ms)`;
