/**
 * Memory of the Chromium that this Node process launched, split by process type, so the bench
 * can tell the tab's own working set (renderer: page + workers; GPU process: WebGL/WebGPU) apart
 * from browser-wide services that Chromium starts on its own schedule (e.g. an on-device model
 * service appeared mid-run and added ~90 MiB to a plain "sum of all chromium RSS").
 */
import { execFileSync } from 'node:child_process';

export interface ChromiumMemory {
  /** RSS of the largest renderer, MiB: the tab under test (spare renderers are ~10 MiB). */
  tabRenderer: number;
  gpuProcess: number;
  /** Everything else Chromium runs (browser, network, storage, utility services), MiB. */
  other: number;
}

interface Proc { pid: number; ppid: number; rssKiB: number; args: string }

function processTable(): Proc[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' });
  return out.split('\n').flatMap((line) => {
    const m = line.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), rssKiB: Number(m[3]), args: m[4] }] : [];
  });
}

/** Chromium processes descending from `rootPid` (default: this process), by type. */
export function chromiumMemory(rootPid = process.pid): ChromiumMemory {
  const procs = processTable();
  const mine = new Set([rootPid]);
  // Parents precede children in pid order only usually, so iterate to a fixed point.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  const chromium = procs.filter((p) => p.pid !== rootPid && mine.has(p.pid) && /chrom/i.test(p.args.split(' ')[0]));
  const mib = (ps: Proc[]) => ps.reduce((a, p) => a + p.rssKiB, 0) / 1024;
  const renderers = chromium.filter((p) => p.args.includes('--type=renderer')).sort((a, b) => b.rssKiB - a.rssKiB);
  const gpu = chromium.filter((p) => p.args.includes('--type=gpu-process'));
  const tab = renderers.slice(0, 1);
  return { tabRenderer: mib(tab), gpuProcess: mib(gpu), other: mib(chromium) - mib(tab) - mib(gpu) };
}
