/**
 * A whole-file JSON document: an array of events, a wrapper object holding
 * one (`{"Records":[…]}` as CloudTrail writes; an Elasticsearch search or
 * EQL response's `hits`), one pretty-printed event, or several
 * pretty-printed events one after another (as evtx_dump writes), also with
 * commas between them or inside a stray outer `{ }`, and in the Kibana
 * console's relaxed JSON (kibana-console.ts) — the shapes people save
 * Elasticsearch exports in.
 */
import { kibanaConsoleToJson } from './kibana-console.js';
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
  emitDocument(doc, sink);
  return true;
}

function emitDocument(doc: unknown, sink: RecordSink): void {
  const list = asEventList(doc);
  if (list) list.forEach((obj, i) => sink.object(obj, i + 1));
  else sink.object(doc, 1);
}

function asEventList(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object') {
    const keys = Object.keys(doc);
    if (keys.length === 1 && WRAPPER_KEYS.includes(keys[0])) {
      const inner = (doc as Record<string, unknown>)[keys[0]];
      if (Array.isArray(inner)) return inner;
    }
    return searchResponseHits((doc as Record<string, unknown>)['hits']);
  }
  return undefined;
}

/**
 * An Elasticsearch response saved whole: `hits.hits` (search API) or
 * `hits.events` / `hits.sequences[].events` (EQL API). Each hit keeps its
 * `_index`/`_source` wrapper, which normalization unwraps.
 */
function searchResponseHits(hits: unknown): unknown[] | undefined {
  if (!hits || typeof hits !== 'object' || Array.isArray(hits)) return undefined;
  const h = hits as Record<string, unknown>;
  if (Array.isArray(h['hits'])) return h['hits'];
  if (Array.isArray(h['events'])) return h['events'];
  if (Array.isArray(h['sequences'])) {
    return h['sequences'].flatMap((s) => (s && typeof s === 'object' && Array.isArray((s as Record<string, unknown>)['events']) ? (s as Record<string, unknown[]>)['events'] : []));
  }
  return undefined;
}

/**
 * Top-level `{…}` objects back to back. Each is cut at its closing brace
 * (tracking strings and escapes) and parsed alone, so one broken object is
 * reported with its offset and the rest still load. An object strict JSON
 * rejects gets a second chance as Kibana console text.
 */
function readConcatenated(text: string, sink: RecordSink): boolean {
  let spans = splitObjects(text, 0, text.length);
  if (spans !== undefined && spans.length === 1) {
    // One object that is not strict JSON: perhaps Kibana console text.
    const doc = parseRelaxed(text.slice(spans[0][0], spans[0][1]));
    if (doc !== undefined) {
      emitDocument(doc, sink);
      return true;
    }
  }
  if (spans === undefined || spans.length === 1) {
    const inner = strayOuterBraces(text);
    if (inner) spans = splitObjects(text, inner[0], inner[1]);
  }
  if (spans === undefined || spans.length < 2) return false;
  let record = 0;
  spans.forEach(([s, e], i) => {
    const part = text.slice(s, e);
    let doc: unknown;
    try {
      doc = JSON.parse(part);
    } catch (err) {
      doc = parseRelaxed(part);
      if (doc === undefined) {
        sink.error(`object ${i + 1} at character offset ${s}: invalid JSON: ${(err as Error).message}`, record + 1, s);
        return;
      }
    }
    // Each part may itself be a saved search response holding several events.
    for (const obj of asEventList(doc) ?? [doc]) sink.object(obj, ++record);
  });
  return true;
}

function parseRelaxed(part: string): unknown {
  const strict = kibanaConsoleToJson(part);
  if (strict === undefined) return undefined;
  try {
    return JSON.parse(strict);
  } catch {
    return undefined;
  }
}

/**
 * `{ {…}, {…} }`: a list of objects written in braces instead of brackets.
 * Never valid JSON (an object's member needs a key), so reading it as the
 * list it was meant to be changes nothing valid. Returns the inner range.
 */
function strayOuterBraces(text: string): [number, number] | undefined {
  const first = nextNonBlank(text, 0);
  if (text.charCodeAt(first) !== 0x7b || text.charCodeAt(nextNonBlank(text, first + 1)) !== 0x7b) return undefined;
  let last = text.length - 1;
  while (last >= 0 && isBlank(text.charCodeAt(last))) last--;
  return text.charCodeAt(last) === 0x7d ? [first + 1, last] : undefined;
}

function nextNonBlank(text: string, i: number): number {
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The top-level objects of text[from, to), or undefined when something else stands between them. */
function splitObjects(text: string, from: number, to: number): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let commaAllowed = false; // one comma may separate two top-level objects
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      // Kibana's raw """…""" string: its quotes and braces are content.
      if (text.startsWith('"""', i)) {
        const close = text.indexOf('"""', i + 3);
        if (close < 0 || close >= to) return undefined;
        i = close + 2;
        while (text.charCodeAt(i + 1) === 0x22) i++;
      } else {
        inString = true;
      }
    } else if (c === 0x7b) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d) {
      depth--;
      if (depth === 0) {
        spans.push([start, i + 1]);
        commaAllowed = true;
      }
      if (depth < 0) return undefined;
    } else if (depth === 0 && c === 0x2c && commaAllowed) {
      commaAllowed = false;
    } else if (depth === 0 && !isBlank(c)) {
      return undefined; // something other than objects at top level
    }
  }
  if (depth > 0 && start >= 0) spans.push([start, to]); // truncated last object: reported by the parse
  return spans;
}
