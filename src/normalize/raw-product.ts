/**
 * "Is this JSON line a Windows event?" answered from its bytes, so that a
 * line whose only needle hits belong to other products' rules (a Cisco
 * keyword such as `dir` inside a Sysmon event) is dropped unparsed.
 *
 * It must never say yes where productOf(JSON.parse(line)) would not: each
 * test below is one of windowsShapeOf's, read off the raw members (raw-json.ts),
 * and anything it cannot vouch for (search-hit wrappers, escaped keys,
 * malformed text, the ECS host.os branch) answers "don't know" = false, which
 * only costs a parse.
 */
import { KeySet, rawMembers, type RawValue } from './raw-json.js';

const FLAT_SOURCE_KEYS = ['Channel', 'SourceName', 'ProviderName', 'Provider_Name'];
/** The members each test reads, per level. */
const TOP_KEYS = new KeySet(['_source', 'Event', 'System', 'winlog', 'EventID', 'EventId', ...FLAT_SOURCE_KEYS]);
const EVENT_KEYS = new KeySet(['System']);
const SYSTEM_KEYS = new KeySet(['EventID']);
const WINLOG_KEYS = new KeySet(['event_id', 'channel', 'provider_name']);

/** True only if the line is certainly an object normalization reads as product 'windows'. */
export function rawIsWindows(buf: Uint8Array, start: number, end: number): boolean {
  const top = rawMembers(buf, start, end, TOP_KEYS);
  if (top === null) return false;
  // unwrapSearchHit may substitute `_source`: leave those to the parser.
  if (top.has('_source')) return false;
  return evtxShape(buf, top) || ecsWinlogShape(buf, top) || flatShape(top);
}

function membersOf(buf: Uint8Array, v: RawValue | undefined, keys: KeySet): Map<string, RawValue> | null {
  return v !== undefined && v.kind === 'object' ? rawMembers(buf, v.start, v.end, keys) : null;
}

/** evtxEventNode: Event.System is an object, or System is an object holding EventID. */
function evtxShape(buf: Uint8Array, top: Map<string, RawValue>): boolean {
  const event = membersOf(buf, top.get('Event'), EVENT_KEYS);
  if (event !== null && event.get('System')?.kind === 'object') return true;
  const system = membersOf(buf, top.get('System'), SYSTEM_KEYS);
  return system !== null && system.has('EventID');
}

/** isEcsWindows, first branch: winlog names an event id, channel or provider. */
function ecsWinlogShape(buf: Uint8Array, top: Map<string, RawValue>): boolean {
  const w = membersOf(buf, top.get('winlog'), WINLOG_KEYS);
  return w !== null && (w.has('event_id') || w.has('channel') || w.has('provider_name'));
}

/** isFlatWindows: (EventID ?? EventId) is a number or digit string, and a source name is a string. */
function flatShape(top: Map<string, RawValue>): boolean {
  let id = top.get('EventID');
  if (id === undefined || id.kind === 'null') id = top.get('EventId');
  if (id === undefined || (id.kind !== 'number' && id.kind !== 'digits')) return false;
  return FLAT_SOURCE_KEYS.some((k) => {
    const kind = top.get(k)?.kind;
    return kind === 'string' || kind === 'digits';
  });
}
