import os from 'node:os';

// Shared by the occasional request benchmarks: the time of one call, as a median and a tail, and
// the report they print with the machine and its load, since these machines are shared and noisy.

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

/**
 * Runs `measure` for each dialect and prints its lines under one heading naming Node, the CPUs and
 * the load average before and after.
 */
export async function printRequestBench<Dialect extends string>(
  title: string,
  dialects: readonly Dialect[],
  measure: (dialect: Dialect) => Promise<string[]>,
): Promise<void> {
  const loadBefore = os.loadavg();
  const lines: string[] = [];
  for (const dialect of dialects) lines.push(...(await measure(dialect)));
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  process.stdout.write(
    [
      `${title}: node ${process.version}, ${os.cpus().length} CPUs, load average ${load(loadBefore)} before, ${load(os.loadavg())} after`,
      ...lines,
      '',
    ].join('\n'),
  );
}
