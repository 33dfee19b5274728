/**
 * Latency samples (ms) and their summary: count, median, 95th percentile,
 * max. A long live run keeps a uniform random sample of at most
 * MAX_SAMPLES values (reservoir sampling) for the quantiles, so memory stays
 * bounded; count and max are exact.
 */
export interface LatencySummary {
  count: number;
  median_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
}

const MAX_SAMPLES = 10_000;

export class LatencyStats {
  private readonly samples: number[] = [];
  private seen = 0;
  private max = -Infinity;

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.seen++;
    if (ms > this.max) this.max = ms;
    if (this.samples.length < MAX_SAMPLES) this.samples.push(ms);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < MAX_SAMPLES) this.samples[j] = ms;
    }
  }

  get count(): number {
    return this.seen;
  }

  summary(): LatencySummary {
    const s = summarizeLatencies(this.samples);
    return this.seen === 0 ? s : { ...s, count: this.seen, max_ms: Math.round(this.max) };
  }
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { count: 0, median_ms: null, p95_ms: null, max_ms: null };
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { count: s.length, median_ms: Math.round(median), p95_ms: Math.round(at(0.95)), max_ms: Math.round(s[s.length - 1]) };
}
