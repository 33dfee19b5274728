/**
 * Shape 1: the Rust evtx crate's JSON (`evtx_dump -o json`), also what
 * SigmaHQ ships in regression_data. Sigma names for System values follow the
 * XML path joined by `_` (Provider_Name, Execution_ProcessID, Security_UserID),
 * the convention pySigma's Windows backends and Sigma rules use.
 */
import { FlatEvent } from './flat-event.js';
import { extractEventData, extractUserData, setNamed } from './event-data.js';
import { attr, isRecord, nodeText, type JsonRecord } from './xml-json.js';
import type { EventLogsource } from '../core/event.js';
import { possibleCategories, serviceOf } from './windows-logsources.js';

/** The `<Event>` element if `obj` is an evtx-style event (with or without the `Event` wrapper). */
export function evtxEventNode(obj: JsonRecord): JsonRecord | undefined {
  const e = obj['Event'];
  if (isRecord(e) && isRecord(e['System'])) return e;
  if (isRecord(obj['System']) && 'EventID' in obj['System']) return obj;
  return undefined;
}

/**
 * The logsource normalization would give an evtx-style event, read off its
 * System element alone (categories that depend on EventData are all
 * included): lets a caller skip building events no rule could apply to.
 */
export function evtxLogsourceHint(event: JsonRecord): EventLogsource {
  return systemLogsourceHint(event['System'] as JsonRecord);
}

/** evtxLogsourceHint from the System element alone (only its Channel, Provider and EventID are read). */
export function systemLogsourceHint(sys: JsonRecord): EventLogsource {
  const channel = nodeText(sys['Channel']);
  const provider = attr(sys['Provider'], 'Name');
  const service = serviceOf(typeof channel === 'string' ? channel : undefined, typeof provider === 'string' ? provider : undefined);
  const rawId = nodeText(sys['EventID']);
  const id = typeof rawId === 'number' ? rawId : typeof rawId === 'string' && /^\d+$/.test(rawId) ? Number(rawId) : undefined;
  return hintFor(service, id);
}

/**
 * One hint object per (service, EventID), made once: a log holds a handful of
 * kinds of events, and a shared object lets the detector find its rule group
 * by identity instead of building a key per record.
 */
const hints = new Map<string | undefined, Map<number | undefined, EventLogsource>>();

export function hintFor(service: string | undefined, id: number | undefined): EventLogsource {
  let byId = hints.get(service);
  if (byId === undefined) {
    byId = new Map();
    hints.set(service, byId);
  }
  let h = byId.get(id);
  if (h === undefined) {
    h = { product: 'windows', service, categories: service && id !== undefined ? possibleCategories(service, id) : [], eventId: id };
    // Bounded: EventIDs are 16-bit, services a fixed table.
    if (byId.size < 65536) byId.set(id, h);
  }
  return h;
}

export function extractEvtxJson(ev: FlatEvent, event: JsonRecord): void {
  const sys = event['System'] as JsonRecord;
  // Identity fields first so an EventData field of the same name cannot
  // change how the event is routed.
  setNamed(ev, 'EventID', sys['EventID']);
  setNamed(ev, 'Channel', sys['Channel']);
  setNamed(ev, 'Computer', sys['Computer']);
  setAttr(ev, 'Provider_Name', sys['Provider'], 'Name');
  setAttr(ev, 'Provider_Guid', sys['Provider'], 'Guid');
  setAttr(ev, 'Provider_EventSourceName', sys['Provider'], 'EventSourceName');
  setNamed(ev, 'EventRecordID', sys['EventRecordID']);
  const tc = sys['TimeCreated'];
  ev.set('TimeCreated', scalarText(attr(tc, 'SystemTime') ?? nodeText(tc)));
  setAttr(ev, 'Execution_ProcessID', sys['Execution'], 'ProcessID');
  setAttr(ev, 'Execution_ThreadID', sys['Execution'], 'ThreadID');
  setAttr(ev, 'Security_UserID', sys['Security'], 'UserID');
  setAttr(ev, 'Correlation_ActivityID', sys['Correlation'], 'ActivityID');
  setAttr(ev, 'Correlation_RelatedActivityID', sys['Correlation'], 'RelatedActivityID');

  extractEventData(ev, event['EventData']);
  extractUserData(ev, event['UserData'], 'UserData');

  // Descriptive System values last: Sysmon 4's EventData `Version` (the
  // Sysmon version) is what rules mean, not the event schema version.
  for (const k of ['Version', 'Level', 'Task', 'Opcode', 'Keywords']) setNamed(ev, k, sys[k]);
  const rendering = event['RenderingInfo'];
  if (isRecord(rendering)) setNamed(ev, 'Message', rendering['Message']);
}

function setAttr(ev: FlatEvent, name: string, node: unknown, attribute: string): void {
  ev.set(name, scalarText(attr(node, attribute)));
}

function scalarText(v: unknown): string | number | undefined {
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}
