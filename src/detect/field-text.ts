/**
 * Event values as text for matching, with a one-event lower-case cache:
 * many rules read the same CommandLine, so it is lower-cased once per event.
 */
import type { Scalar, SigmaEvent } from '../core/event.js';

let cachedEvent: SigmaEvent | undefined;
const lowerCache = new Map<string, string>();

export function scalarText(v: Scalar): string | undefined {
  if (v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function lowerOf(ev: SigmaEvent, key: string, text: string): string {
  if (ev !== cachedEvent) {
    cachedEvent = ev;
    lowerCache.clear();
  }
  let l = lowerCache.get(key);
  if (l === undefined) {
    l = text.toLowerCase();
    lowerCache.set(key, l);
  }
  return l;
}
