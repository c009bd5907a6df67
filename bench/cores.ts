import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { option } from './support.ts';

/**
 * Core pinning and CPU accounting for benchmarks whose server must not share its cores with the
 * load generator and the database (on a real deployment those are other machines). Linux only:
 * `taskset` sets affinities, /proc tells CPU time; elsewhere nothing is pinned.
 */

/** `--server-cores`: how many cores the server and the baseline get (default half the machine). */
export function serverCoreCount(argv: string[]): number {
  return option(argv, 'server-cores', Math.max(1, Math.floor(availableParallelism() / 2)));
}

/** Cores 0..n-1 for the server, the rest for the client and PostgreSQL. */
export function splitCores(serverCores: number): { server: string; rest: string } | null {
  const total = availableParallelism();
  if (total < 2 || serverCores >= total) return null;
  const list = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => from + i).join(',');
  return { server: list(0, serverCores), rest: list(serverCores, total) };
}

/** Pins processes or threads (by id) to `cores`; false when the system refuses. */
export function pin(ids: (number | string)[], cores: string): boolean {
  try {
    for (const id of ids)
      execFileSync('taskset', ['-a', '-p', '-c', cores, String(id)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The ids of this process's threads (threads created later inherit the creator's affinity). */
export function ownThreads(): string[] {
  return readdirSync('/proc/self/task');
}

/**
 * Milliseconds of CPU used so far, per thread name of a process (this one by default; the load
 * generator reads the server's at its window's edges) and by PostgreSQL processes.
 */
export function cpuTime(pid: number | 'self' = 'self'): Map<string, number> {
  const out = new Map<string, number>();
  const add = (stat: string, name?: string) => {
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    const key = name ?? comm;
    out.set(key, (out.get(key) ?? 0) + ms);
  };
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = read(`/proc/${pid}/task/${tid}/stat`);
    if (stat) add(stat);
  }
  for (const other of readdirSync('/proc')) {
    if (!/^\d+$/.test(other) || read(`/proc/${other}/comm`)?.trim() !== 'postgres') continue;
    const stat = read(`/proc/${other}/stat`);
    if (stat) add(stat, 'postgres');
  }
  return out;
}

/** CPU milliseconds spent between two `cpuTime()` readings, per key. */
export function cpuSpent(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const spent = new Map<string, number>();
  for (const [key, ms] of after) spent.set(key, ms - (before.get(key) ?? 0));
  return spent;
}
