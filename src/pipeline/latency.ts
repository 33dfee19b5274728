/** A set of latency samples (ms) and their summary: count, median, 95th percentile, max. */
export interface LatencySummary {
  count: number;
  median_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
}

export class LatencyStats {
  private readonly samples: number[] = [];

  add(ms: number): void {
    if (Number.isFinite(ms)) this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  summary(): LatencySummary {
    return summarizeLatencies(this.samples);
  }
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { count: 0, median_ms: null, p95_ms: null, max_ms: null };
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { count: s.length, median_ms: Math.round(median), p95_ms: Math.round(at(0.95)), max_ms: Math.round(s[s.length - 1]) };
}
