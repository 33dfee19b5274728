/**
 * The concrete SigmaEvent: one Map from lower-cased field name to value.
 * Normalizers fill it; rules read it. Nested input objects are flattened
 * to dotted names ("winlog.event_data.image") and, where a shape knows
 * better, also to the Sigma name ("image").
 */
import type { EventLogsource, FieldValue, Scalar, SigmaEvent } from '../core/event.js';

export class FlatEvent implements SigmaEvent {
  readonly fields = new Map<string, FieldValue>();
  logsource: EventLogsource = { categories: [] };
  /** The parsed input object, kept for alert output. */
  raw: unknown;

  get(lowerName: string): FieldValue | undefined {
    return this.fields.get(lowerName);
  }

  entries(): IterableIterator<[string, FieldValue]> {
    return this.fields.entries();
  }

  /** Sets a field unless it is already present (the first, most specific source wins). */
  set(name: string, value: FieldValue | undefined): void {
    if (value === undefined) return;
    const key = name.toLowerCase();
    if (this.fields.has(key)) return;
    this.fields.set(key, value);
  }

  /** Sets a field, replacing any earlier value. */
  put(name: string, value: FieldValue): void {
    this.fields.set(name.toLowerCase(), value);
  }

  has(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  /** First present field among names, as text. */
  text(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.fields.get(n.toLowerCase());
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
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    flattenInto(ev, v, prefix ? `${prefix}.${k}` : k, depth + 1);
  }
}
