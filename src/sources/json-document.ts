/**
 * A whole-file JSON document: an array of events, a wrapper object holding
 * one (`{"Records":[…]}` as CloudTrail writes, `{"records":[…]}` as Azure
 * Monitor writes, `{"value":[…],"nextLink":…}` as the Azure REST API pages),
 * one pretty-printed event, or several pretty-printed events (or wrappers)
 * one after another (as evtx_dump writes, or as concatenated deliveries are).
 */
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
  const list = eventListOf(doc);
  if (list) list.forEach((obj, i) => sink.object(obj, i + 1));
  else sink.object(doc, 1);
  return true;
}

/** The events a wrapper or array holds; undefined when the value is one event. */
export function eventListOf(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object') {
    let list: unknown[] | undefined;
    for (const [k, v] of Object.entries(doc)) {
      if (PAGING_KEYS.has(k)) continue;
      if (list !== undefined || !WRAPPER_KEYS.includes(k) || !Array.isArray(v)) return undefined;
      list = v;
    }
    return list;
  }
  return undefined;
}

/**
 * Top-level `{…}` objects back to back. Each is cut at its closing brace
 * (tracking strings and escapes) and parsed alone, so one broken object is
 * reported with its offset and the rest still load. A wrapper object among
 * them (one CloudTrail delivery after another) gives its events.
 */
function readConcatenated(text: string, sink: RecordSink): boolean {
  const spans = splitObjects(text, 0);
  if (spans === undefined || spans.length < 2) return false;
  let record = 0;
  const lines = new LineCounter(text);
  spans.forEach(([s, e], i) => {
    let obj: unknown;
    try {
      obj = JSON.parse(text.slice(s, e));
    } catch (err) {
      sink.error(`object ${i + 1} at character offset ${s}: invalid JSON: ${(err as Error).message} (line ${lines.lineOf(s)})`, i + 1, s);
      return;
    }
    const list = eventListOf(obj);
    if (list) for (const x of list) sink.object(x, ++record);
    else sink.object(obj, ++record);
  });
  return true;
}

/**
 * A JSON array of objects that does not parse as a whole — typically cut
 * short: every complete element is still read, and the broken or truncated
 * one is reported with its line, instead of the whole file being lost.
 */
function readArrayElements(text: string, sink: RecordSink): boolean {
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x5b) return false;
  const spans = splitObjects(text, i + 1, true);
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
 * Spans of the `{…}` objects from `from` on, at depth 0. With `inArray`,
 * commas between them and a final `]` are allowed (and end the scan).
 */
function splitObjects(text: string, from: number, inArray = false): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      if (depth === 0) return undefined; // a string at top level: not a run of objects
      inString = true;
    } else if (c === 0x7b) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d) {
      depth--;
      if (depth === 0) spans.push([start, i + 1]);
      if (depth < 0) return undefined;
    } else if (depth === 0 && !isSpace(c)) {
      if (inArray && c === 0x2c) continue;
      if (inArray && c === 0x5d) return spans;
      return undefined; // something other than objects at top level
    }
  }
  if (depth > 0 && start >= 0) spans.push([start, text.length]); // truncated last object: reported by the parse
  return spans;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
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
