/** What flows into and out of the correlation stage. */
import type { FieldValue } from '../core/event.js';
import type { SigmaCorrelation } from '../sigma/model.js';

/** One match of a rule (or of an inner correlation) offered to the correlations that reference it. */
export interface CorrelationInput {
  /** The names this match answers to: the rule's id and name (or the correlation's). */
  readonly refs: readonly string[];
  /** Event time, ms since the epoch. */
  readonly time: number;
  /** Field lookup (case-insensitive names), for group-by and value fields. */
  get(field: string): FieldValue | undefined;
  readonly source: ContributingEvent;
}

export interface ContributingEvent {
  readonly file: string;
  readonly record: number;
  /** Title of the rule that matched. */
  readonly rule: string;
  readonly time?: number;
}

export interface CorrelationAlert {
  readonly correlation: SigmaCorrelation;
  /** group-by field → value (null when the event lacked it). */
  readonly group: Record<string, FieldValue | null>;
  readonly window: { start: number; end: number };
  /** The aggregate the condition tested: count, distinct values, sum, average or percentile. */
  readonly value: number;
  readonly events: ContributingEvent[];
}
