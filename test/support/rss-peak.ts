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
