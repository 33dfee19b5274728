/**
 * A whole-file JSON document: an array of events (also one cut short: its
 * complete elements are read), a wrapper object holding one
 * (`{"Records":[…]}` as CloudTrail writes, `{"records":[…]}` as Azure
 * Monitor writes, `{"value":[…],"nextLink":…}` as the Azure REST API pages,
 * an Elasticsearch search or EQL response's `hits`), one pretty-printed
 * event, or several pretty-printed events (or wrappers) one after another
 * (as evtx_dump writes, or as concatenated deliveries are), also with commas
 * between them or inside a stray outer `{ }`, and in the Kibana console's
 * relaxed JSON (kibana-console.ts) — the shapes people save exports in.
 */
import { kibanaConsoleToJson } from './kibana-console.js';
import type { RecordSink } from './records.js';

const WRAPPER_KEYS = ['Records', 'records', 'events', 'Events', 'value'];
/** Members a wrapper may carry beside its list without being an event itself (REST paging). */
const PAGING_KEYS = new Set(['nextLink', '@odata.nextLink']);

/** False when the text is neither one JSON value nor a run of top-level objects. */
export function readJsonDocument(text: string, sink: RecordSink): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return readConcatenated(text, sink) || readArrayElements(text, sink);
  }
  emitDocument(doc, sink);
  return true;
}

function emitDocument(doc: unknown, sink: RecordSink): void {
  const list = eventListOf(doc);
  if (list) list.forEach((obj, i) => sink.object(obj, i + 1));
  else sink.object(doc, 1);
}

/** The events a wrapper, search response or array holds; undefined when the value is one event. */
export function eventListOf(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object') {
    let list: unknown[] | undefined;
    let wrapper = true;
    for (const [k, v] of Object.entries(doc)) {
      if (PAGING_KEYS.has(k)) continue;
      if (list !== undefined || !WRAPPER_KEYS.includes(k) || !Array.isArray(v)) {
        wrapper = false;
        break;
      }
      list = v;
    }
    if (wrapper && list) return list;
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
  const lines = new LineCounter(text);
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
        sink.error(`object ${i + 1} at character offset ${s}: invalid JSON: ${(err as Error).message} (line ${lines.lineOf(s)})`, record + 1, s);
        return;
      }
    }
    // Each part may itself be a saved search response holding several events.
    for (const obj of eventListOf(doc) ?? [doc]) sink.object(obj, ++record);
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

/**
 * A JSON array of objects that does not parse as a whole — typically cut
 * short: every complete element is still read, and the broken or truncated
 * one is reported with its line, instead of the whole file being lost.
 */
function readArrayElements(text: string, sink: RecordSink): boolean {
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x5b) return false;
  const spans = splitObjects(text, i + 1, text.length, true);
  if (spans === undefined) return false;
  let lastCut = false;
  const lines = new LineCounter(text);
  spans.forEach(([s, e], n) => {
    try {
      sink.object(JSON.parse(text.slice(s, e)), n + 1);
    } catch (err) {
      sink.error(`array element ${n + 1} at line ${lines.lineOf(s)} (character offset ${s}): invalid JSON: ${(err as Error).message}`, n + 1, s);
      lastCut = e === text.length;
    }
  });
  // A last element cut off by the end of the text was reported above; a cut
  // between elements leaves only the missing ']' to report.
  const end = spans.length ? spans[spans.length - 1][1] : i + 1;
  if (!lastCut && !/^[\s,]*\]\s*$/.test(text.slice(end))) {
    sink.error(`JSON array not closed properly after its ${spans.length} elements (the text ends at line ${lines.lineOf(text.length)})`, spans.length + 1, end);
  }
  return true;
}

/**
 * The top-level objects of text[from, to), or undefined when something else
 * stands between them. With `inArray` (the inside of a JSON array), commas
 * between them and a final `]` are allowed (and end the scan).
 */
function splitObjects(text: string, from: number, to: number, inArray = false): [number, number][] | undefined {
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
      if (depth === 0) return undefined; // a string at top level: not a run of objects
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
    } else if (depth === 0 && c === 0x2c && (commaAllowed || inArray)) {
      commaAllowed = false;
    } else if (depth === 0 && inArray && c === 0x5d) {
      return spans;
    } else if (depth === 0 && !isBlank(c)) {
      return undefined; // something other than objects at top level
    }
  }
  if (depth > 0 && start >= 0) spans.push([start, to]); // truncated last object: reported by the parse
  return spans;
}

/**
 * 1-based line numbers of character offsets asked in increasing order: one
 * pass over the text however many errors a damaged file yields.
 */
class LineCounter {
  private at = 0;
  private line = 1;
  constructor(private readonly text: string) {}

  lineOf(offset: number): number {
    if (offset < this.at) {
      this.at = 0;
      this.line = 1;
    }
    for (let i = this.text.indexOf('\n', this.at); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) {
      this.line++;
      this.at = i + 1;
    }
    return this.line;
  }
}
