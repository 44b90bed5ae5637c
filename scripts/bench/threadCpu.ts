/**
 * CPU time per thread of the Chromium this Node process launched, from /proc (Linux), grouped so
 * the live bench can say where a frame's CPU goes. Why /proc and not a Chrome trace: SwiftShader's
 * worker threads (the software GPU: "Thread<NN>" in the GPU process) run outside Chrome's task
 * system and never appear in a trace, yet they were the second-largest CPU user of the live view.
 * Only processes descending from `rootPid` count, so other browsers on a shared machine do not.
 */
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Per `pid/tid`: the group the thread belongs to, its seconds of CPU (user + system), of which in
 * the kernel, and its minor page faults (first touches of memory the process had not used yet).
 */
export type CpuSnapshot = Map<string, { group: string; seconds: number; systemSeconds: number; faults: number }>;

const TICKS_PER_SECOND = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** The fields after `comm` in a /proc stat line (comm may hold spaces and parentheses). */
function statFields(stat: string): { comm: string; rest: string[] } {
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), rest: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
}

function descendants(rootPid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat) parent.set(Number(name), Number(statFields(stat).rest[1]));
  }
  const isMine = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) if (p === rootPid) return true;
    return false;
  };
  return [...parent.keys()].filter((p) => p !== rootPid && isMine(p));
}

/** Chromium's process type from its command line (Chromium rewrites it with spaces, not NULs). */
function processType(pid: number): string {
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/);
  return args.find((a) => a.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
}

/** Which part of the work a thread does, as the bench reports it. */
export function threadGroup(type: string, comm: string): string {
  if (type === 'gpu-process') {
    // SwiftShader's marl worker threads are named Thread<00>, Thread<01>, ...
    if (/^Thread<\d+>$/.test(comm)) return 'SwiftShader';
    return 'GPU process (other)';
  }
  if (type === 'renderer') {
    if (comm.startsWith('DedicatedWorker')) return 'workers';
    if (comm === 'chromium' || comm.startsWith('CrRendererMain')) return 'page main thread';
    return 'renderer (other)';
  }
  return 'browser + services';
}

export function cpuSnapshot(rootPid = process.pid): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const pid of descendants(rootPid)) {
    const type = processType(pid);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!stat) continue;
      const { comm, rest } = statFields(stat);
      // minflt, utime and stime are fields 10, 14 and 15 of stat, i.e. 7, 11 and 12 after comm and state.
      out.set(`${pid}/${tid}`, {
        group: threadGroup(type, comm),
        seconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND,
        systemSeconds: Number(rest[12]) / TICKS_PER_SECOND,
        faults: Number(rest[7]),
      });
    }
  }
  return out;
}

/** CPU seconds per group between two snapshots (threads that ended in between are lost). */
export function cpuByGroup(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  return byGroup(before, after, 'seconds');
}

/** `field` summed per group between two snapshots (threads that ended in between are lost). */
export function byGroup(before: CpuSnapshot, after: CpuSnapshot, field: 'seconds' | 'systemSeconds' | 'faults'): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const [key, t] of after) {
    const d = t[field] - (before.get(key)?.[field] ?? 0);
    if (d > 0) groups[t.group] = (groups[t.group] ?? 0) + d;
  }
  return groups;
}

/** Per thread group between two snapshots: CPU seconds, of which in the kernel, and minor page faults. */
export interface GroupWork {
  cpu: Record<string, number>;
  system: Record<string, number>;
  faults: Record<string, number>;
}

export function workBetween(before: CpuSnapshot, after: CpuSnapshot): GroupWork {
  return { cpu: byGroup(before, after, 'seconds'), system: byGroup(before, after, 'systemSeconds'), faults: byGroup(before, after, 'faults') };
}

/** The sum over all groups. */
export function sumOf(groups: Record<string, number>): number {
  return Object.values(groups).reduce((a, b) => a + b, 0);
}
