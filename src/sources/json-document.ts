/**
 * A whole-file JSON document: an array of events, a wrapper object holding
 * one (`{"Records":[…]}` as CloudTrail writes), one pretty-printed event, or
 * several pretty-printed events one after another (as evtx_dump writes).
 */
import type { RecordSink } from './records.js';

const WRAPPER_KEYS = ['Records', 'records', 'events', 'Events', 'value'];

/** False when the text is neither one JSON value nor a run of top-level objects. */
export function readJsonDocument(text: string, sink: RecordSink): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return readConcatenated(text, sink);
  }
  const list = asEventList(doc);
  if (list) list.forEach((obj, i) => sink.object(obj, i + 1));
  else sink.object(doc, 1);
  return true;
}

function asEventList(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object') {
    const keys = Object.keys(doc);
    if (keys.length === 1 && WRAPPER_KEYS.includes(keys[0])) {
      const inner = (doc as Record<string, unknown>)[keys[0]];
      if (Array.isArray(inner)) return inner;
    }
  }
  return undefined;
}

/**
 * Top-level `{…}` objects back to back. Each is cut at its closing brace
 * (tracking strings and escapes) and parsed alone, so one broken object is
 * reported with its offset and the rest still load.
 */
function readConcatenated(text: string, sink: RecordSink): boolean {
  const spans = splitObjects(text);
  if (spans === undefined || spans.length < 2) return false;
  spans.forEach(([s, e], i) => {
    try {
      sink.object(JSON.parse(text.slice(s, e)), i + 1);
    } catch (err) {
      sink.error(`object ${i + 1} at character offset ${s}: invalid JSON: ${(err as Error).message}`, i + 1, s);
    }
  });
  return true;
}

function splitObjects(text: string): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d) {
      depth--;
      if (depth === 0) spans.push([start, i + 1]);
      if (depth < 0) return undefined;
    } else if (depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      return undefined; // something other than objects at top level
    }
  }
  if (depth > 0 && start >= 0) spans.push([start, text.length]); // truncated last object: reported by the parse
  return spans;
}
