/**
 * EventData / UserData payloads, shared by the shapes that carry them.
 * Everything here uses `set`: the caller decides precedence by call order.
 */
import type { Scalar } from '../core/event.js';
import { FlatEvent, flattenInto } from './flat-event.js';
import { asFieldValue, attr, isAttributeKey, isRecord, nodeText } from './xml-json.js';

/** A named field whose value may still be an XML node; nested nodes keep their name as prefix. */
export function setNamed(ev: FlatEvent, name: string, value: unknown): void {
  const v = nodeText(value);
  const fv = asFieldValue(v);
  if (fv !== undefined) {
    ev.set(name, fv);
    // Defender and some other providers name data "Threat Name", "Process Name";
    // Sigma rules write ThreatName, ProcessName.
    if (name.includes(' ')) ev.set(name.replace(/ /g, ''), fv);
  } else if (v !== undefined) flattenInto(ev, v, name);
}

/**
 * `<EventData>`: named `<Data Name=…>` become fields; unnamed ones (classic
 * PowerShell, many Application/System providers) are kept, in order, as the
 * list `Data`, because Sigma rules on those logs search `Data|contains`.
 */
export function extractEventData(ev: FlatEvent, data: unknown): void {
  const unnamed: Scalar[] = [];
  if (isRecord(data)) {
    for (const [k, v] of Object.entries(data)) {
      if (isAttributeKey(k)) continue;
      if (k === 'Data' || k === '#text') collectData(ev, v, unnamed);
      else setNamed(ev, k, v);
    }
  } else if (data !== null && data !== undefined) {
    collectData(ev, data, unnamed);
  }
  if (unnamed.length) ev.set('Data', unnamed);
}

/** Deeper nesting of Data lists is no event's: left out, so hostile depth cannot exhaust the stack (and send the event to the generic reader). */
const MAX_DATA_DEPTH = 16;

function collectData(ev: FlatEvent, v: unknown, unnamed: Scalar[], depth = 0): void {
  if (depth > MAX_DATA_DEPTH) return;
  if (Array.isArray(v)) {
    for (const x of v) collectData(ev, x, unnamed, depth + 1);
    return;
  }
  if (isRecord(v)) {
    const name = attr(v, 'Name');
    if (typeof name === 'string' && name) setNamed(ev, name, v['#text'] ?? null);
    else if ('#text' in v) collectData(ev, v['#text'], unnamed, depth + 1);
    return;
  }
  if (v !== undefined) unnamed.push(v as Scalar);
}

/**
 * `<UserData>` wraps one provider-specific element (e.g. Operation_ClientFailure)
 * whose children are what rules call fields; their element names are the
 * field names, whatever the wrapper. The dotted path is kept as well.
 */
export function extractUserData(ev: FlatEvent, userData: unknown, prefix: string): void {
  if (!isRecord(userData)) return;
  setLeaves(ev, userData, 0);
  flattenInto(ev, userData, prefix);
}

function setLeaves(ev: FlatEvent, node: unknown, depth: number): void {
  if (depth > 16) return;
  if (Array.isArray(node)) {
    for (const x of node) if (isRecord(x)) setLeaves(ev, x, depth + 1);
    return;
  }
  if (!isRecord(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (isAttributeKey(k) || k === '#text') continue;
    const fv = asFieldValue(nodeText(v));
    if (fv !== undefined) ev.set(k, fv);
    else setLeaves(ev, v, depth + 1);
  }
}
