/**
 * Reading XML elements that a converter rendered as JSON. Two conventions
 * exist in the wild: the Rust evtx crate puts attributes under `#attributes`,
 * xmltodict-style converters prefix them with `@`; both put element text under
 * `#text` once an element has attributes.
 */
import type { FieldValue, Scalar } from '../core/event.js';

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** An attribute of an element node, whichever convention carried it. */
export function attr(node: unknown, name: string): unknown {
  if (!isRecord(node)) return undefined;
  const a = node['#attributes'];
  if (isRecord(a) && a[name] !== undefined) return a[name];
  return node['@' + name];
}

/** The element's own value: `#text` when it has attributes, else the value itself. */
export function nodeText(v: unknown): unknown {
  return isRecord(v) && '#text' in v ? v['#text'] : v;
}

/** Attribute names are metadata of the XML element, not event fields. */
export function isAttributeKey(k: string): boolean {
  return k === '#attributes' || k.startsWith('@');
}

/** The value as a field value when it is one (scalar or list of scalars). */
export function asFieldValue(v: unknown): FieldValue | undefined {
  if (isScalar(v)) return v;
  if (Array.isArray(v) && v.every(isScalar)) return v as Scalar[];
  return undefined;
}
