/**
 * A JSON line's logsource read from its bytes, before (and instead of)
 * JSON.parse: with it the detector scans the line for that logsource's
 * rules only, and a line none of them can match is never parsed.
 *
 * It must never be narrower than what normalizeObject(JSON.parse(line))
 * routes to: same service, same EventID, categories a superset
 * (possibleCategories). So it answers only for the three Windows shapes
 * (windows-flat.ts, windows-evtx-json.ts, windows-ecs.ts) written plainly,
 * and "don't know" (undefined, the line is parsed) for anything else:
 *
 *   {"EventID":4688, …, "Channel":"Security", …}     → security / 4688
 *   {"Event":{"System":{"EventID":4688,"Channel":"Security",…},…}} → security / 4688
 *   {"winlog":{"event_id":"4688","channel":"Security",…},…}        → security / 4688
 *   ECS without winlog, search-hit wrapper           → undefined
 *   "channel" or "EVENTID" spelled another way       → undefined (flattening folds case; which one wins is order)
 *   escapes in Channel, EventID not plain digits     → undefined
 */
import type { EventLogsource } from '../core/event.js';
import { KeySet, rawMembers, type KeyGuard, type RawValue } from './raw-json.js';
import { hintFor } from './windows-evtx-json.js';
import { CHANNEL_SERVICE } from './windows-logsources.js';

/** Members that decide the shape (exact spelling, as windowsShapeOf reads them) and the two that route. */
const KEYS = new KeySet(['_source', 'Event', 'System', 'winlog', 'event', 'host', 'EventID', 'Channel']);
/**
 * Field names normalization reads case-insensitively: another spelling of
 * them is not ours to judge. And the empty name: flattening gives its
 * object's members no prefix, so `"":{"Channel":…}` could route the event.
 */
const FOLDED = new KeySet(['eventid', 'channel', '']);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** integerEventId's bound: longer digit runs are not an EventID the detector groups by. */
const MAX_ID_DIGITS = 9;

export function rawWindowsHint(buf: Uint8Array, start: number, end: number): EventLogsource | undefined {
  const top = rawMembers(buf, start, end, KEYS, FOLDED);
  if (top === null) return undefined;
  // A search hit's event is its _source: not read here.
  if (isObject(top.get('_source'))) return undefined;
  if (isObject(top.get('Event')) || isObject(top.get('System'))) return evtxHint(buf, top);
  const winlog = top.get('winlog');
  if (winlog !== undefined && winlog.kind === 'object') return ecsHint(buf, winlog);
  // ECS without winlog (host.os says Windows) routes by event.category: not read here.
  if (isObject(top.get('event')) && isObject(top.get('host'))) return undefined;
  return routed(buf, top.get('Channel'), eventId(buf, top.get('EventID')));
}

const WINLOG_KEYS = new KeySet(['event_id', 'channel', 'event_data', 'user_data']);
const NO_KEYS = new KeySet([]);

const EVENT_DATA_NAMES = ['eventid', 'channel', 'data', '#text'].map((w) => Buffer.from(w, 'latin1'));
/** A name without its spaces, ASCII lower-cased: reused, no string per key. */
const FOLDED_NAME = new Uint8Array(7);

/**
 * EventData names that could set EventID or Channel before winlog's own do
 * (extractEventData runs first, and the first value set wins): the names in
 * any case, with spaces (setNamed also sets the name without them), the
 * empty name (its object's members land at the top), and Data / #text
 * (elements named by a Name attribute).
 */
const EVENT_DATA_GUARD: KeyGuard = {
  foldedHas(buf: Uint8Array, start: number, end: number): boolean {
    if (end === start) return true;
    let n = 0;
    for (let i = start; i < end; i++) {
      const b = buf[i];
      if (b === 0x20) continue;
      if (n === FOLDED_NAME.length) return false;
      FOLDED_NAME[n++] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
    }
    outer: for (const w of EVENT_DATA_NAMES) {
      if (w.length !== n) continue;
      for (let k = 0; k < n; k++) if (FOLDED_NAME[k] !== w[k]) continue outer;
      return true;
    }
    return false;
  },
};

/**
 * The Winlogbeat / Elastic Agent shape (windows-ecs.ts): winlog.event_id and
 * winlog.channel, provided no EventData name and no UserData could have set
 * either first (UserData's leaves are all set, at any depth: present, the
 * line is left to the parser).
 */
function ecsHint(buf: Uint8Array, winlog: RawValue): EventLogsource | undefined {
  const w = rawMembers(buf, winlog.start, winlog.end, WINLOG_KEYS);
  if (w === null || isObject(w.get('user_data'))) return undefined;
  const data = w.get('event_data');
  if (data !== undefined) {
    // Not an object: its values are unnamed Data, or elements that name themselves.
    if (data.kind !== 'object' && data.kind !== 'null') return undefined;
    if (data.kind === 'object' && rawMembers(buf, data.start, data.end, NO_KEYS, EVENT_DATA_GUARD) === null) return undefined;
  }
  // No event_id: normalization would take event.code instead.
  const hint = routed(buf, w.get('channel'), eventId(buf, w.get('event_id')));
  // A channel without a service: ECS routing falls back to event.category (windows-shapes.ts).
  return hint?.service === undefined ? undefined : hint;
}

const EVENT_KEYS = new KeySet(['System']);
const SYSTEM_KEYS = new KeySet(['EventID', 'Channel']);
const TEXT_KEYS = new KeySet(['#text']);

/**
 * The evtx_dump shape (windows-evtx-json.ts): `Event.System`, or a top-level
 * `System` holding EventID, as evtxEventNode picks them. Its identity fields
 * are set before any EventData field, so only System's own members route it
 * (exact spelling: they are read as object properties).
 */
function evtxHint(buf: Uint8Array, top: Map<string, RawValue>): EventLogsource | undefined {
  let system: Map<string, RawValue> | null = null;
  const event = top.get('Event');
  if (event !== undefined && event.kind === 'object') {
    const members = rawMembers(buf, event.start, event.end, EVENT_KEYS);
    if (members === null) return undefined;
    const sys = members.get('System');
    if (sys !== undefined && sys.kind === 'object') system = rawMembers(buf, sys.start, sys.end, SYSTEM_KEYS);
    if (system === null && sys !== undefined && sys.kind === 'object') return undefined;
  }
  if (system === null) {
    const sys = top.get('System');
    if (sys === undefined || sys.kind !== 'object') return undefined;
    system = rawMembers(buf, sys.start, sys.end, SYSTEM_KEYS);
    if (system === null || !system.has('EventID')) return undefined;
  }
  let id = system.get('EventID');
  // <EventID Qualifiers="…">7036</EventID> renders as {"#attributes":{…},"#text":7036}.
  if (id !== undefined && id.kind === 'object') {
    const text = rawMembers(buf, id.start, id.end, TEXT_KEYS);
    id = text?.get('#text');
  }
  return routed(buf, system.get('Channel'), eventId(buf, id));
}

/** The hint for a Channel that is plain, non-empty text (else normalization would consult the provider) and an EventID. */
function routed(buf: Uint8Array, channel: RawValue | undefined, id: number | undefined): EventLogsource | undefined {
  if (id === undefined || channel === undefined || (channel.kind !== 'string' && channel.kind !== 'digits')) return undefined;
  const text = plainText(buf, channel);
  if (text === undefined || text === '') return undefined;
  return hintFor(CHANNEL_SERVICE.get(text.toLowerCase()), id);
}

function isObject(v: RawValue | undefined): boolean {
  return v !== undefined && v.kind === 'object';
}

/** A number written as plain digits, or a string of digits (numericEventId makes both a number). */
function eventId(buf: Uint8Array, v: RawValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  let s = v.start;
  let e = v.end;
  if (v.kind === 'digits') {
    s++;
    e--;
  } else if (v.kind !== 'number') return undefined;
  if (e <= s || e - s > MAX_ID_DIGITS) return undefined;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return undefined; // "-1", "1.0", "1e3": JSON.parse reads them differently
    n = n * 10 + d;
  }
  // A leading zero is not JSON for a number; as a string it still is digits.
  if (v.kind === 'number' && e - s > 1 && buf[s] === 0x30) return undefined;
  return n;
}

/** A string value's text when it holds no escape (then its bytes are its UTF-8). */
function plainText(buf: Uint8Array, v: RawValue): string | undefined {
  if (buf[v.start] !== QUOTE) return undefined;
  for (let i = v.start + 1; i < v.end - 1; i++) if (buf[i] === BACKSLASH) return undefined;
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', v.start + 1, v.end - 1);
}
