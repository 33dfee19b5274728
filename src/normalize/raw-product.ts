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
import { rawMembers, type RawValue } from './raw-json.js';

const FLAT_SOURCE_KEYS = ['Channel', 'SourceName', 'ProviderName', 'Provider_Name'];

/** True only if the line is certainly an object normalization reads as product 'windows'. */
export function rawIsWindows(buf: Uint8Array, start: number, end: number): boolean {
  const top = rawMembers(buf, start, end);
  if (top === null) return false;
  // unwrapSearchHit may substitute `_source`: leave those to the parser.
  if (top.has('_source')) return false;
  return evtxShape(buf, top) || ecsWinlogShape(buf, top) || flatShape(top);
}

function membersOf(buf: Uint8Array, v: RawValue | undefined): Map<string, RawValue> | null {
  return v !== undefined && v.kind === 'object' ? rawMembers(buf, v.start, v.end) : null;
}

/** evtxEventNode: Event.System is an object, or System is an object holding EventID. */
function evtxShape(buf: Uint8Array, top: Map<string, RawValue>): boolean {
  const event = membersOf(buf, top.get('Event'));
  if (event !== null && event.get('System')?.kind === 'object') return true;
  const system = membersOf(buf, top.get('System'));
  return system !== null && system.has('EventID');
}

/** isEcsWindows, first branch: winlog names an event id, channel or provider. */
function ecsWinlogShape(buf: Uint8Array, top: Map<string, RawValue>): boolean {
  const w = membersOf(buf, top.get('winlog'));
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
