/**
 * The Windows EventIDs a rule can match at all, read off its condition:
 *
 *   EventID: [4688, 1]          → {4688, 1}     (exact values, no modifiers)
 *   a and b                     → ids(a) ∩ ids(b), an open side left out
 *   a or b, 1 of …              → ids(a) ∪ ids(b), open if either is
 *   not a, keywords, the rest   → open (null)
 *
 * Sound like the needles: a rule that matches an event holds every item its
 * condition requires, so the event's EventID is in the set. Lets a record
 * whose EventID is known before decoding (the EVTX view) leave out rules
 * that name other EventIDs, however often their needle ("28") occurs in its
 * digits.
 */
import { foldCondition } from '../sigma/condition.js';
import type { Detection, DetectionItem, SigmaRule } from '../sigma/model.js';
import { unionOrOpen } from './open-sets.js';

export type EventIds = ReadonlySet<number> | null;

export function ruleEventIds(rule: SigmaRule): EventIds {
  return foldCondition<EventIds>(rule.condition, [...rule.detections.keys()],
    (n) => detectionIds(rule.detections.get(n)!),
    { and: intersect, or: unionOrOpen, not: () => null });
}

function detectionIds(d: Detection): EventIds {
  switch (d.kind) {
    case 'keywords': return null;
    case 'map': return intersect(d.map.items.map(itemIds));
    case 'anyOf': return unionOrOpen(d.maps.map((m) => intersect(m.items.map(itemIds))));
  }
}

function itemIds(item: DetectionItem): EventIds {
  if (item.field?.toLowerCase() !== 'eventid' || item.modifiers.length > 0 || item.values.length === 0) return null;
  const ids = new Set<number>();
  for (const v of item.values) {
    if (v.kind === 'number' && Number.isInteger(v.value) && v.value >= 0) ids.add(v.value);
    else if (v.kind === 'string' && v.value.parts.length === 1 && typeof v.value.parts[0] === 'string' && /^\d{1,9}$/.test(v.value.parts[0])) ids.add(Number(v.value.parts[0]));
    else return null;
  }
  return ids;
}

function intersect(sets: EventIds[]): EventIds {
  let out: Set<number> | null = null;
  for (const s of sets) {
    if (s === null) continue;
    if (out === null) out = new Set(s);
    else for (const x of [...out]) if (!s.has(x)) out.delete(x);
  }
  return out;
}

