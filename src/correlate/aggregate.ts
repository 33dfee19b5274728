/**
 * The number a correlation's condition tests, computed over the events in
 * one group's window (oldest first):
 *
 *   event_count       how many events
 *   value_count       how many distinct values of condition.field
 *   temporal          how many of the referenced rules matched (any order)
 *   temporal_ordered  how many of the referenced rules matched in the listed order
 *   value_sum/avg     sum / mean of condition.field (numeric values only)
 *   value_percentile  the condition.percentile-th percentile (nearest rank)
 */
import type { FieldValue } from '../core/event.js';
import type { CorrelationType } from '../sigma/model.js';

export interface WindowEntry {
  time: number;
  /** Index of the referenced rule in the correlation's `rules`. */
  rule: number;
  value: FieldValue | undefined;
}

export function aggregate(type: CorrelationType, entries: readonly WindowEntry[], percentile = 50): number {
  switch (type) {
    case 'event_count':
      return entries.length;
    case 'value_count': {
      const seen = new Set<string>();
      for (const e of entries) if (e.value !== undefined && e.value !== null) seen.add(valueKey(e.value));
      return seen.size;
    }
    case 'temporal':
      return new Set(entries.map((e) => e.rule)).size;
    case 'temporal_ordered': {
      // Greedy earliest match of rules[0], then rules[1] after it, …: optimal for "exists in order".
      let next = 0;
      for (const e of entries) if (e.rule === next) next++;
      return next;
    }
    case 'value_sum':
    case 'value_avg':
    case 'value_percentile': {
      const nums = numbers(entries);
      if (nums.length === 0) return NaN;
      if (type === 'value_sum') return nums.reduce((a, b) => a + b, 0);
      if (type === 'value_avg') return nums.reduce((a, b) => a + b, 0) / nums.length;
      nums.sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil((percentile / 100) * nums.length));
      return nums[rank - 1];
    }
  }
}

function numbers(entries: readonly WindowEntry[]): number[] {
  const out: number[] = [];
  for (const e of entries) {
    const v = e.value;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

function valueKey(v: FieldValue): string {
  return Array.isArray(v) ? JSON.stringify(v) : typeof v === 'string' ? v.toLowerCase() : String(v);
}
