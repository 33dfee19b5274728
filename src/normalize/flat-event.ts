/**
 * The concrete SigmaEvent: one Map from lower-cased field name to value.
 * Normalizers fill it; rules read it. Nested input objects are flattened
 * to dotted names ("winlog.event_data.image") and, where a shape knows
 * better, also to the Sigma name ("image").
 */
import type { EventLogsource, FieldValue, Scalar, SigmaEvent } from '../core/event.js';

/**
 * Field names recur in every event of a log, so their lower-case form is
 * kept rather than made again per event (one allocation per field saved).
 * Bounded: input with ever-new key names only stops being cached.
 */
const lowerNames = new Map<string, string>();
const MAX_CACHED_NAMES = 20000;
/** Only names of a plausible length are kept: the cache lives as long as the process. */
const MAX_CACHED_NAME_LENGTH = 256;

function lowerName(name: string): string {
  let l = lowerNames.get(name);
  if (l === undefined) {
    l = name.toLowerCase();
    if (lowerNames.size < MAX_CACHED_NAMES && name.length <= MAX_CACHED_NAME_LENGTH) lowerNames.set(name, l);
  }
  return l;
}

export class FlatEvent implements SigmaEvent {
  readonly fields = new Map<string, FieldValue>();
  logsource: EventLogsource = { categories: [] };
  /** The parsed input object, kept for alert output. */
  raw: unknown;
  /**
   * What normalization could not read (a field of the wrong type, …): the
   * pipeline reports each with the record, and the event still goes on with
   * the fields that could be read.
   */
  problems?: string[];

  complain(message: string): void {
    (this.problems ??= []).push(message);
  }

  get(lowerName: string): FieldValue | undefined {
    return this.fields.get(lowerName);
  }

  entries(): IterableIterator<[string, FieldValue]> {
    return this.fields.entries();
  }

  /** Sets a field unless it is already present (the first, most specific source wins). */
  set(name: string, value: FieldValue | undefined): void {
    if (value === undefined) return;
    const key = lowerName(name);
    if (this.fields.has(key)) return;
    this.fields.set(key, value);
  }

  /** Sets a field, replacing any earlier value. */
  put(name: string, value: FieldValue): void {
    this.fields.set(lowerName(name), value);
  }

  has(name: string): boolean {
    return this.fields.has(lowerName(name));
  }

  /** First present field among names, as text. */
  text(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.fields.get(lowerName(n));
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
      return String(v);
    }
    return undefined;
  }
}

/**
 * Flattens a JSON value into `ev` under dotted names. Arrays of scalars stay
 * arrays (a rule matches if any element matches); arrays of objects are
 * flattened with their index ("a.0.b") and also without it ("a.b", as list).
 */
/** Longer keys are no field name a rule could mean; they are reported and left out. */
export const MAX_KEY_LENGTH = 1024;

export function flattenInto(ev: FlatEvent, value: unknown, prefix: string, depth = 0): void {
  if (depth > 32) return;
  if (value === null || typeof value !== 'object') {
    if (prefix) ev.set(prefix, value as Scalar);
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((x) => x === null || typeof x !== 'object')) {
      if (prefix) ev.set(prefix, value as Scalar[]);
      return;
    }
    value.forEach((x, i) => flattenInto(ev, x, prefix ? `${prefix}.${i}` : String(i), depth + 1));
    return;
  }
  // Object.keys, not Object.entries: no [key, value] pair allocated per member.
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k.length > MAX_KEY_LENGTH) {
      // Every field below it would be named by it: a hostile megabyte key over many leaves is gigabytes of names.
      ev.complain(`a key of ${k.length} characters${prefix ? ` under ${prefix.slice(0, 80)}` : ''}; left out`);
      continue;
    }
    flattenInto(ev, obj[k], prefix ? `${prefix}.${k}` : k, depth + 1);
  }
}
