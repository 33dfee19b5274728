/**
 * The shared event shape every source produces and every rule reads.
 *
 *   sources ──raw object──▶ normalize ──SigmaEvent──▶ detect
 *
 * Field names are resolved case-insensitively: callers pass names already
 * lower-cased (rules lower-case theirs once, at compile time), so a lookup on
 * the hot path is one Map.get.
 */
export type Scalar = string | number | boolean | null;
export type FieldValue = Scalar | readonly Scalar[];

/** Which Sigma logsource an event belongs to, decided by normalization. */
export interface EventLogsource {
  /** e.g. "windows", "linux", "aws"; lower-case. */
  readonly product?: string;
  /** e.g. "security", "sysmon", "powershell"; lower-case. */
  readonly service?: string;
  /** Every taxonomy category the event satisfies, e.g. ["process_creation"]. */
  readonly categories: readonly string[];
  /** On a hint read before the event is built (an EVTX record's System): its EventID, when it has a numeric one. */
  readonly eventId?: number;
}

export interface SigmaEvent {
  /** Value of a field by its lower-cased name; undefined when absent. */
  get(lowerName: string): FieldValue | undefined;
  /** Every field name (lower-cased) with its value, for keyword search and output. */
  entries(): IterableIterator<[string, FieldValue]>;
  readonly logsource: EventLogsource;
}

/** Where an event came from, carried onto alerts. */
export interface EventOrigin {
  readonly file: string;
  /** 1-based line for text formats, record number for EVTX, index for arrays. */
  readonly record: number;
}
