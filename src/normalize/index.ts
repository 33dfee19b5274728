/**
 * Normalization: one parsed JSON event → a FlatEvent whose fields resolve
 * under the names Sigma rules use and whose logsource routes it to rules.
 */
import { FlatEvent } from './flat-event.js';
import { normalizeGeneric } from './generic.js';
import { normalizeWindows, windowsShapeOf } from './windows-shapes.js';
import { isRecord } from './xml-json.js';
import { shapeOf } from './shapes.js';
import { evtxEventNode, evtxLogsourceHint } from './windows-evtx-json.js';
export { systemLogsourceHint } from './windows-evtx-json.js';
export { impliedTexts } from './windows-logsources.js';
import type { EventLogsource } from '../core/event.js';

export { FlatEvent } from './flat-event.js';
export { DERIVED_FIELDS, DERIVED_FIELD_POLICY, derivedPolicyFor, type DerivedField, type NeedlePolicy } from './derived-fields.js';
export { eventHost, eventTime, eventUser } from './event-summary.js';
export { CHANNEL_SERVICE, SERVICE_SYNONYMS } from './windows-logsources.js';

/** Never throws: input a shape reader chokes on is flattened generically instead. */
export function normalizeObject(obj: unknown): FlatEvent {
  try {
    const doc = unwrapSearchHit(obj);
    const ev = new FlatEvent();
    ev.raw = obj;
    if (isRecord(doc)) {
      if (normalizeWindows(ev, doc)) return ev;
      const shape = shapeOf(doc);
      if (shape) {
        try {
          shape.normalize(ev, doc);
          return ev;
        } catch (e) {
          // Looked like the shape but could not be read as it: say so, keep the data generically.
          const generic = new FlatEvent();
          generic.raw = obj;
          normalizeGeneric(generic, doc);
          generic.complain(`${shape.name}: ${(e as Error).message}; kept as generic JSON`);
          return generic;
        }
      }
    }
    normalizeGeneric(ev, doc);
    return ev;
  } catch {
    const ev = new FlatEvent();
    ev.raw = obj;
    try {
      normalizeGeneric(ev, obj);
    } catch {
      // Nothing readable: an empty event still carries `raw` to the output.
    }
    return ev;
  }
}

/**
 * The product normalizeObject will give, decided without building the
 * event: lets the pipeline skip normalization when no candidate rule could
 * apply to that product.
 */
export function productOf(obj: unknown): string | undefined {
  const doc = unwrapSearchHit(obj);
  if (!isRecord(doc)) return undefined;
  if (windowsShapeOf(doc)) return 'windows';
  return shapeOf(doc)?.product;
}

/**
 * For shapes that allow it, a logsource at least as broad as the one
 * normalizeObject will set (every category the event could get), read
 * without building the event; undefined when the shape does not allow it.
 */
export function logsourceHint(obj: unknown): EventLogsource | undefined {
  if (!isRecord(obj)) return undefined;
  const e = evtxEventNode(obj);
  return e ? evtxLogsourceHint(e) : undefined;
}

/** Elasticsearch exports wrap each document as a search hit; the event is `_source`. */
function unwrapSearchHit(obj: unknown): unknown {
  if (isRecord(obj) && isRecord(obj['_source']) && ('_index' in obj || '_id' in obj)) return obj['_source'];
  return obj;
}
