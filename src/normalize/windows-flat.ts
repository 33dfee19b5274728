/**
 * Shape 3: one flat object per event, EventData names at the top level next
 * to System values under collector-specific names. This is how OTRF/Mordor
 * (HELK over NXLog im_msvistalog) and many "Sysmon to JSON" exporters write
 * events.
 */
import { FlatEvent, flattenInto } from './flat-event.js';
import { isRecord, type JsonRecord } from './xml-json.js';

/** Collector spelling → Sigma name; the first present wins. */
const SYSTEM_ALIASES: readonly (readonly [sigma: string, ...raw: string[]])[] = [
  ['Provider_Name', 'SourceName', 'ProviderName'],
  ['Provider_Guid', 'ProviderGuid'],
  ['Computer', 'Hostname', 'ComputerName', 'computer_name'],
  ['EventRecordID', 'RecordNumber', 'RecordId'],
  ['Execution_ProcessID', 'ExecutionProcessID'],
  ['Execution_ThreadID', 'ExecutionThreadID', 'ThreadID'],
  ['Security_UserID', 'UserID'],
  ['TimeCreated', '@timestamp', 'TimeGenerated'],
];

/** A flat Windows event names its event id and where it came from. */
export function isFlatWindows(obj: JsonRecord): boolean {
  const id = obj['EventID'] ?? obj['EventId'];
  if (!(typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)))) return false;
  return ['Channel', 'SourceName', 'ProviderName', 'Provider_Name'].some((k) => typeof obj[k] === 'string');
}

export function extractFlat(ev: FlatEvent, obj: JsonRecord): void {
  flattenInto(ev, obj, '');
  for (const [sigma, ...raw] of SYSTEM_ALIASES) {
    if (ev.has(sigma)) continue;
    for (const r of raw) {
      const v = obj[r];
      if (v !== undefined && !isRecord(v) && !Array.isArray(v)) {
        ev.set(sigma, v as string | number | boolean | null);
        break;
      }
    }
  }
}
