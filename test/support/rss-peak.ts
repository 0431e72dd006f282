import { readFileSync } from 'node:fs';

/**
 * The highest resident set size of this process while `work` runs, sampled every few
 * milliseconds, and the highest size of the host's own JavaScript heap (heapUsed + external:
 * what the engine holds, without the sandboxes' isolates, which have heaps of their own). The
 * sandbox runs on isolated-vm's own threads, so the sampling timer keeps firing while a step
 * computes. Growth is measured over the sizes just before `work` started.
 */
export interface MemoryGrowth<T> {
  readonly value: T;
  /** Resident memory of the whole process (host and isolates). */
  readonly growthMb: number;
  /** The host's JavaScript heap only. */
  readonly hostHeapGrowthMb: number;
}

export async function measureRssGrowth<T>(work: () => Promise<T>): Promise<MemoryGrowth<T>> {
  const heap = (): number => {
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };
  const before = { rss: process.memoryUsage.rss(), heap: heap() };
  const peak = { ...before };
  const sample = (): void => {
    peak.rss = Math.max(peak.rss, process.memoryUsage.rss());
    peak.heap = Math.max(peak.heap, heap());
  };
  const timer = setInterval(sample, 5);
  try {
    const value = await work();
    sample();
    const MiB = 1024 * 1024;
    return { value, growthMb: (peak.rss - before.rss) / MiB, hostHeapGrowthMb: (peak.heap - before.heap) / MiB };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The highest resident set of this process and all its descendants together (Python sandboxes
 * are child processes), sampled every 20 ms from /proc, as growth over the total just before
 * `work` started. Linux only.
 */
export async function measureTreeRssGrowth<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly growthMb: number }> {
  const before = treeRssBytes(process.pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssBytes(process.pid));
  }, 20);
  try {
    const value = await work();
    return { value, growthMb: (peak - before) / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

function treeRssBytes(pid: number): number {
  let total = 0;
  try {
    total = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // gone between listing and reading
  }
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // no children file (exited)
  }
  for (const child of children) total += treeRssBytes(Number(child));
  return total;
}
