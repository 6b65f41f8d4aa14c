// Shared by the occasional request benchmarks: the time of one call, as a median and a tail.

/** Milliseconds per call: the median and the 99th percentile of `calls` calls, after a warm-up. */
export async function time(
  calls: number,
  call: () => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  for (let n = 0; n < Math.min(10, calls); n++) await call();
  const samples: number[] = [];
  for (let n = 0; n < calls; n++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (quantile: number) =>
    samples[Math.min(samples.length - 1, Math.ceil(quantile * samples.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
