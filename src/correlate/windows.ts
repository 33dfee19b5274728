/**
 * Per-group window state, one kind per correlation type. Each keeps only
 * what its condition can still need, so state is bounded by the rule (the
 * number of referenced rules, the distinct values, the threshold) rather
 * than by how many events flow:
 *
 *   event_count       the events in the window (a burst fires and resets at the threshold)
 *   value_count       the latest event per distinct value
 *   temporal          the latest event per referenced rule
 *   temporal_ordered  for each k, the in-order chain over rules[0..k] with the latest start
 *   value_sum/avg/…   the events in the window with their numeric values
 *
 * Kinds that keep a list cap it at `cap` entries (oldest dropped, counted).
 */
import type { FieldValue } from '../core/event.js';
import type { CorrelationType } from '../sigma/model.js';
import type { ContributingEvent } from './types.js';

export interface Entry {
  time: number;
  /** Index of the referenced rule in the correlation's `rules`. */
  rule: number;
  value: FieldValue | undefined;
  source: ContributingEvent;
}

export interface WindowState {
  add(e: Entry): void;
  /** Forgets everything older than `from`. */
  expire(from: number): void;
  /** The number the condition tests; NaN when there is nothing to test. */
  value(): number;
  events(): ContributingEvent[];
  /** Time of the newest entry held, or -Infinity. */
  newest(): number;
  /** Entries dropped because of the cap. */
  dropped: number;
}

export function createWindow(type: CorrelationType, rules: number, cap: number, percentile: number): WindowState {
  switch (type) {
    case 'event_count': return new ListWindow(cap, (es) => es.length);
    case 'value_count': return new DistinctWindow();
    case 'temporal': return new TemporalWindow(rules);
    case 'temporal_ordered': return new OrderedWindow(rules);
    case 'value_sum': return new ListWindow(cap, (es) => numericOr(es, (ns) => ns.reduce((a, b) => a + b, 0)));
    case 'value_avg': return new ListWindow(cap, (es) => numericOr(es, (ns) => ns.reduce((a, b) => a + b, 0) / ns.length));
    case 'value_percentile': return new ListWindow(cap, (es) => numericOr(es, (ns) => nearestRank(ns, percentile)));
  }
}

class ListWindow implements WindowState {
  private entries: Entry[] = [];
  dropped = 0;
  constructor(private readonly cap: number, private readonly agg: (es: readonly Entry[]) => number) {}
  add(e: Entry): void {
    this.entries.push(e);
    if (this.entries.length > this.cap) {
      this.entries.shift();
      this.dropped++;
    }
  }
  expire(from: number): void {
    let i = 0;
    while (i < this.entries.length && this.entries[i].time < from) i++;
    if (i > 0) this.entries.splice(0, i);
  }
  value(): number {
    return this.agg(this.entries);
  }
  events(): ContributingEvent[] {
    return this.entries.map((e) => e.source);
  }
  newest(): number {
    return this.entries.length ? this.entries[this.entries.length - 1].time : -Infinity;
  }
}

class DistinctWindow implements WindowState {
  /** Value key → its latest event; Map order is kept by re-inserting on update. */
  private readonly byValue = new Map<string, Entry>();
  dropped = 0;
  add(e: Entry): void {
    if (e.value === undefined || e.value === null) return;
    const key = valueKey(e.value);
    this.byValue.delete(key);
    this.byValue.set(key, e);
  }
  expire(from: number): void {
    for (const [k, e] of this.byValue) {
      if (e.time >= from) break; // insertion order is time order
      this.byValue.delete(k);
    }
  }
  value(): number {
    return this.byValue.size;
  }
  events(): ContributingEvent[] {
    return [...this.byValue.values()].map((e) => e.source);
  }
  newest(): number {
    let t = -Infinity;
    for (const e of this.byValue.values()) t = e.time;
    return t;
  }
}

class TemporalWindow implements WindowState {
  private readonly latest: (Entry | undefined)[];
  dropped = 0;
  constructor(rules: number) {
    this.latest = new Array<Entry | undefined>(rules).fill(undefined);
  }
  add(e: Entry): void {
    this.latest[e.rule] = e;
  }
  expire(from: number): void {
    for (let i = 0; i < this.latest.length; i++) if (this.latest[i] && this.latest[i]!.time < from) this.latest[i] = undefined;
  }
  value(): number {
    return this.latest.filter((e) => e !== undefined).length;
  }
  events(): ContributingEvent[] {
    return this.latest.filter((e): e is Entry => e !== undefined).sort((a, b) => a.time - b.time).map((e) => e.source);
  }
  newest(): number {
    return Math.max(-Infinity, ...this.latest.map((e) => e?.time ?? -Infinity));
  }
}

/**
 * In-order matching in O(rules) state: chain[k] is a match of rules[0..k] in
 * order, with the latest possible start (the start is what must stay inside
 * the window). A new event of rule k extends chain[k-1], which was built from
 * earlier events only.
 */
class OrderedWindow implements WindowState {
  private readonly chain: (Entry[] | undefined)[];
  dropped = 0;
  constructor(rules: number) {
    this.chain = new Array<Entry[] | undefined>(rules).fill(undefined);
  }
  add(e: Entry): void {
    const k = e.rule;
    const candidate = k === 0 ? [e] : this.chain[k - 1] ? [...this.chain[k - 1]!, e] : undefined;
    if (!candidate) return;
    const current = this.chain[k];
    if (!current || candidate[0].time >= current[0].time) this.chain[k] = candidate;
  }
  expire(from: number): void {
    for (let i = 0; i < this.chain.length; i++) if (this.chain[i] && this.chain[i]![0].time < from) this.chain[i] = undefined;
  }
  value(): number {
    for (let k = this.chain.length - 1; k >= 0; k--) if (this.chain[k]) return k + 1;
    return 0;
  }
  events(): ContributingEvent[] {
    for (let k = this.chain.length - 1; k >= 0; k--) if (this.chain[k]) return this.chain[k]!.map((e) => e.source);
    return [];
  }
  newest(): number {
    let t = -Infinity;
    for (const c of this.chain) if (c) t = Math.max(t, c[c.length - 1].time);
    return t;
  }
}

function numericOr(entries: readonly Entry[], f: (ns: number[]) => number): number {
  const ns: number[] = [];
  for (const e of entries) {
    const v = e.value;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) ns.push(n);
  }
  return ns.length ? f(ns) : NaN;
}

function nearestRank(ns: number[], p: number): number {
  ns.sort((a, b) => a - b);
  return ns[Math.max(1, Math.ceil((p / 100) * ns.length)) - 1];
}

function valueKey(v: FieldValue): string {
  return Array.isArray(v) ? JSON.stringify(v) : typeof v === 'string' ? v.toLowerCase() : String(v);
}
