/**
 * Shape 2: Winlogbeat / Elastic Agent ECS documents. The Windows event sits
 * under `winlog` (event_data keeps the Sigma names); everything else is ECS.
 * The whole document is also flattened to its dotted names so rules written
 * against ECS fields keep working.
 */
import { FlatEvent, flattenInto } from './flat-event.js';
import { extractEventData, extractUserData, setNamed } from './event-data.js';
import { isRecord, type JsonRecord } from './xml-json.js';

/** True for Winlogbeat output, or an Elastic Endpoint document from a Windows host. */
export function isEcsWindows(obj: JsonRecord): boolean {
  const w = obj['winlog'];
  if (isRecord(w) && ('event_id' in w || 'channel' in w || 'provider_name' in w)) return true;
  if (!isRecord(obj['event']) || !isRecord(obj['host'])) return false;
  const os = obj['host']['os'];
  if (!isRecord(os)) return false;
  return [os['type'], os['family'], os['platform']].some((v) => typeof v === 'string' && v.toLowerCase() === 'windows');
}

export function extractEcs(ev: FlatEvent, obj: JsonRecord): void {
  const w = isRecord(obj['winlog']) ? obj['winlog'] : {};
  extractEventData(ev, w['event_data']);
  if (!ev.has('Data')) setDataFromParams(ev, w['event_data']);
  extractUserData(ev, w['user_data'], 'winlog.user_data');

  const event = isRecord(obj['event']) ? obj['event'] : {};
  setNamed(ev, 'EventID', w['event_id'] ?? event['code']);
  setNamed(ev, 'Channel', w['channel']);
  setNamed(ev, 'Computer', w['computer_name']);
  setNamed(ev, 'Provider_Name', w['provider_name'] ?? event['provider']);
  setNamed(ev, 'Provider_Guid', w['provider_guid']);
  setNamed(ev, 'EventRecordID', w['record_id']);
  setNamed(ev, 'TimeCreated', w['time_created'] ?? obj['@timestamp']);
  const proc = isRecord(w['process']) ? w['process'] : {};
  setNamed(ev, 'Execution_ProcessID', proc['pid']);
  if (isRecord(proc['thread'])) setNamed(ev, 'Execution_ThreadID', proc['thread']['id']);
  if (isRecord(w['user'])) setNamed(ev, 'Security_UserID', w['user']['identifier']);
  for (const [sigma, key] of [['Version', 'version'], ['Opcode', 'opcode'], ['Task', 'task'], ['Keywords', 'keywords']]) {
    setNamed(ev, sigma, w[key]);
  }
  flattenInto(ev, obj, '');
}

/**
 * Winlogbeat names unnamed `<Data>` elements param1, param2, …; Sigma rules on
 * those logs search the list `Data`, as evtx_dump renders it.
 */
function setDataFromParams(ev: FlatEvent, data: unknown): void {
  if (!isRecord(data) || !('param1' in data)) return;
  const list: (string | number | boolean | null)[] = [];
  for (let i = 1; `param${i}` in data; i++) {
    const v = data[`param${i}`];
    if (v === null || typeof v !== 'object') list.push(v as string | number | boolean | null);
  }
  ev.set('Data', list);
}
