/**
 * The highest resident set size of this process while `work` runs, sampled every few
 * milliseconds. The sandbox runs on isolated-vm's own threads, so the sampling timer keeps
 * firing while a step computes. Limits in the tests are stated against the growth over the
 * resident size measured just before `work` started.
 */
export async function measureRssGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growthMb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 5);
  try {
    const value = await work();
    sample();
    return { value, growthMb: (peak - before) / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}
