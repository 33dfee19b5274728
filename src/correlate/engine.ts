/**
 * Sigma correlation rules over a stream of rule matches, on event time.
 *
 *   rule match ─▶ reorder buffer (tolerance) ─▶ each correlation naming the rule
 *                                                 └─ group key (group-by, aliases)
 *                                                     └─ sliding window of `timespan`
 *                                                         └─ aggregate ⟶ condition ⟶ alert
 *                                                                                   └─▶ outer correlations (chaining)
 *
 * Windows slide: each new event drops the entries older than its time minus
 * the timespan, then the condition is tested. When it holds, an alert is
 * raised and the group starts afresh, so one burst gives one alert.
 *
 * Memory is bounded: each group keeps only what its type needs (windows.ts),
 * at most `maxGroups` groups live per correlation (the least recently updated
 * is evicted), list-keeping types hold at most `maxEntriesPerGroup` events
 * (the oldest is dropped), and expired groups are swept as time advances.
 * Every eviction is counted in `stats`.
 */
import type { FieldValue } from '../core/event.js';
import type { SigmaCorrelation } from '../sigma/model.js';
import { createWindow, type WindowState } from './windows.js';
import { compileThreshold, type Threshold } from './condition.js';
import { TimeHeap } from './time-heap.js';
import type { CorrelationAlert, CorrelationInput } from './types.js';

export interface CorrelationOptions {
  onAlert(alert: CorrelationAlert): void;
  /** How late (ms of event time) an event may arrive and still take its place. Infinity: sort everything at flush. */
  toleranceMs?: number;
  maxGroups?: number;
  maxEntriesPerGroup?: number;
  /** Most matches held in the reorder buffer; beyond it the oldest is processed early (counted). */
  maxBuffered?: number;
}

export interface CorrelationStats {
  inputs: number;
  /** Matches without a usable event time (cannot be placed in a window). */
  untimed: number;
  /** Arrived later than the tolerance allows; processed at their own time anyway, possibly missing a window. */
  late: number;
  evictedGroups: number;
  evictedEntries: number;
  /** Processed before the watermark passed them because the reorder buffer was full. */
  forcedOut: number;
  alerts: number;
}

interface Group {
  values: Record<string, FieldValue | null>;
  window: WindowState;
}

interface Compiled {
  c: SigmaCorrelation;
  spanMs: number;
  threshold: Threshold;
  groups: Map<string, Group>;
  valueField?: string;
  percentile: number;
}

const SWEEP_EVERY = 4096;

export class CorrelationEngine {
  readonly stats: CorrelationStats = { inputs: 0, untimed: 0, late: 0, evictedGroups: 0, evictedEntries: 0, forcedOut: 0, alerts: 0 };
  private readonly byRef = new Map<string, { corr: Compiled; rule: number }[]>();
  private readonly silentRefs = new Set<string>();
  private readonly loudRefs = new Set<string>();
  private readonly queue = new TimeHeap<CorrelationInput>();
  private maxTime = -Infinity;
  private processedTime = -Infinity;
  private sinceSweep = 0;
  private readonly tolerance: number;
  private readonly maxGroups: number;
  private readonly maxEntries: number;
  private readonly maxBuffered: number;
  private readonly compiled: Compiled[];

  constructor(correlations: readonly SigmaCorrelation[], private readonly opts: CorrelationOptions) {
    this.tolerance = opts.toleranceMs ?? Infinity;
    this.maxGroups = opts.maxGroups ?? 100_000;
    this.maxEntries = opts.maxEntriesPerGroup ?? 10_000;
    this.maxBuffered = opts.maxBuffered ?? 1_000_000;
    this.compiled = correlations.map((c) => ({
      c,
      spanMs: c.timespanSeconds * 1000,
      threshold: compileThreshold(c),
      groups: new Map(),
      valueField: typeof c.condition.field === 'string' ? c.condition.field : undefined,
      percentile: typeof c.condition.percentile === 'number' ? c.condition.percentile : 50,
    }));
    for (const corr of this.compiled) {
      corr.c.rules.forEach((ref, rule) => {
        const list = this.byRef.get(ref) ?? [];
        list.push({ corr, rule });
        this.byRef.set(ref, list);
        (corr.c.generate ? this.loudRefs : this.silentRefs).add(ref);
      });
    }
  }

  /**
   * The fields correlations read from a match of a rule known by these names
   * (group-by fields through their aliases, and value fields): a caller keeps
   * only these, not the whole event, while the match waits in the buffer.
   */
  fieldsFor(refs: readonly string[]): string[] {
    const out = new Set<string>();
    for (const ref of refs) {
      for (const { corr } of this.byRef.get(ref) ?? []) {
        const c = corr.c;
        for (const g of c.groupBy) out.add(c.aliases[g]?.[ref] ?? g);
        if (corr.valueField) out.add(c.aliases[corr.valueField]?.[ref] ?? corr.valueField);
      }
    }
    return [...out];
  }

  /** Names that correlations reference but no loaded rule or correlation answers to. */
  unresolved(known: ReadonlySet<string>): string[] {
    return [...this.byRef.keys()].filter((r) => !known.has(r));
  }

  /** Does any correlation reference a rule known by these names? */
  wants(refs: readonly string[]): boolean {
    return refs.some((r) => this.byRef.has(r));
  }

  /** A rule referenced only by correlations without `generate: true` raises no alert of its own. */
  isSilent(refs: readonly string[]): boolean {
    return refs.some((r) => this.silentRefs.has(r)) && !refs.some((r) => this.loudRefs.has(r));
  }

  push(input: CorrelationInput): void {
    this.stats.inputs++;
    if (!Number.isFinite(input.time)) {
      this.stats.untimed++;
      return;
    }
    if (input.time < this.processedTime) this.stats.late++;
    this.queue.push(input);
    if (input.time > this.maxTime) this.maxTime = input.time;
    const watermark = this.maxTime - this.tolerance;
    while (this.queue.size > 0 && this.queue.peek()!.time <= watermark) this.process(this.queue.pop()!);
    while (this.queue.size > this.maxBuffered) {
      this.stats.forcedOut++;
      this.process(this.queue.pop()!);
    }
  }

  /** End of input: everything still buffered is processed in time order. */
  flush(): void {
    while (this.queue.size > 0) this.process(this.queue.pop()!);
  }

  /** Groups currently held, over all correlations (for tests and reports). */
  get groupCount(): number {
    return this.compiled.reduce((n, c) => n + c.groups.size, 0);
  }

  private process(input: CorrelationInput): void {
    if (input.time > this.processedTime) this.processedTime = input.time;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
    const seen = new Set<Compiled>();
    for (const ref of input.refs) {
      for (const { corr, rule } of this.byRef.get(ref) ?? []) {
        if (seen.has(corr)) continue;
        seen.add(corr);
        this.offer(corr, rule, input);
      }
    }
  }

  private offer(corr: Compiled, rule: number, input: CorrelationInput): void {
    const c = corr.c;
    const ruleName = c.rules[rule];
    const values: Record<string, FieldValue | null> = {};
    for (const g of c.groupBy) {
      const field = c.aliases[g]?.[ruleName] ?? g;
      values[g] = input.get(field) ?? null;
    }
    const key = JSON.stringify(c.groupBy.map((g) => normalizeKey(values[g])));
    let group = corr.groups.get(key);
    if (group) {
      corr.groups.delete(key); // re-insert: most recently updated last
    } else {
      group = { values, window: createWindow(c.correlationType, c.rules.length, this.maxEntries, corr.percentile) };
      if (corr.groups.size >= this.maxGroups) {
        const oldest = corr.groups.keys().next().value as string;
        corr.groups.delete(oldest);
        this.stats.evictedGroups++;
      }
    }
    corr.groups.set(key, group);
    const valueField = corr.valueField ? (c.aliases[corr.valueField]?.[ruleName] ?? corr.valueField) : undefined;
    const w = group.window;
    const droppedBefore = w.dropped;
    w.add({ time: input.time, rule, value: valueField ? input.get(valueField) : undefined, source: { ...input.source, time: input.time } });
    // Slide: keep what lies within the timespan ending at this event.
    w.expire(input.time - corr.spanMs);
    this.stats.evictedEntries += w.dropped - droppedBefore;
    const value = w.value();
    if (!Number.isNaN(value) && corr.threshold(value)) {
      const events = w.events();
      const alert: CorrelationAlert = {
        correlation: c,
        group: group.values,
        window: { start: events.length ? (events[0].time ?? input.time) : input.time, end: input.time },
        value,
        events,
      };
      corr.groups.delete(key);
      this.stats.alerts++;
      const refs = [c.meta.id, c.meta.name].filter((x): x is string => typeof x === 'string');
      if (!this.isSilent(refs)) this.opts.onAlert(alert);
      if (this.wants(refs)) this.process(chainedInput(alert, refs, input.time));
    }
  }

  /** Drops groups whose newest event is older than their correlation's timespan. */
  private sweep(): void {
    this.sinceSweep = 0;
    for (const corr of this.compiled) {
      const from = this.processedTime - corr.spanMs;
      for (const [key, g] of corr.groups) if (g.window.newest() < from) corr.groups.delete(key);
    }
  }
}

function normalizeKey(v: FieldValue | null): FieldValue | null {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** A correlation alert as input to correlations that reference it: its group values are its fields. */
function chainedInput(alert: CorrelationAlert, refs: string[], time: number): CorrelationInput {
  const fields = new Map(Object.entries(alert.group).map(([k, v]) => [k.toLowerCase(), v ?? undefined]));
  const last = alert.events[alert.events.length - 1];
  return {
    refs,
    time,
    get: (f) => fields.get(f.toLowerCase()),
    source: { file: last?.file ?? '', record: last?.record ?? 0, rule: alert.correlation.meta.title },
  };
}
