/**
 * Old Security-log rules (such as the seed write-up's) name fields after the
 * labels Event Viewer shows rather than the event's own data names. Field
 * lookup is already case-insensitive (Newprocessname finds NewProcessName);
 * this table covers the names that differ in more than case.
 */
import type { DetectionItem, SigmaFilter, SigmaRule } from './model.js';

export const LEGACY_SECURITY_FIELDS: ReadonlyMap<string, string> = new Map([
  ['creatorprocessname', 'ParentProcessName'],
  ['processcommandline', 'CommandLine'],
  ['enabledprivileges', 'EnabledPrivilegeList'],
  ['disabledprivileges', 'DisabledPrivilegeList'],
  ['newprocessid', 'NewProcessId'],
  ['creatorprocessid', 'ProcessId'],
]);

/** Rewrites legacy names in Windows Security rules; returns one note per renamed field. */
export function mapLegacySecurityFields(doc: SigmaRule | SigmaFilter): string[] {
  const ls = doc.logsource;
  if ((ls.product ?? '').toLowerCase() !== 'windows' || (ls.service ?? '').toLowerCase() !== 'security') return [];
  const notes = new Set<string>();
  const rename = (item: DetectionItem): void => {
    if (!item.field) return;
    const to = LEGACY_SECURITY_FIELDS.get(item.field.toLowerCase());
    if (to && to !== item.field) {
      notes.add(`legacy field '${item.field}' read as '${to}'`);
      item.field = to;
    }
  };
  for (const d of doc.detections.values()) {
    if (d.kind === 'keywords') continue;
    const maps = d.kind === 'map' ? [d.map] : d.maps;
    for (const m of maps) m.items.forEach(rename);
  }
  return [...notes];
}
