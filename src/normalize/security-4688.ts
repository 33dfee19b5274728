/**
 * Security 4688/4689 read as Sysmon process events, so process_creation and
 * process_termination rules (written against Sysmon 1/5) apply to them.
 *
 * pySigma's windows-audit pipeline renames Image→NewProcessName,
 * ParentImage→ParentProcessName, LogonId→SubjectLogonId; we add the values
 * 4688 holds in another form (User, IntegrityLevel, ParentProcessId). All
 * with `set`, so a real field of that name is never replaced.
 *
 * 4688's own ProcessId (the creator's pid, in hex) is left as it is: Security
 * rules test it under that name and meaning, and overwriting it with the new
 * process's pid would break them. A rule on a field 4688 lacks altogether
 * (ParentCommandLine, Hashes, OriginalFileName, …) finds it absent, so its
 * selection does not match, exactly as with a Sysmon event missing the field.
 */
import type { FlatEvent } from './flat-event.js';

const INTEGRITY_LABELS: ReadonlyMap<string, string> = new Map([
  ['S-1-16-0', 'Untrusted'],
  ['S-1-16-4096', 'Low'],
  ['S-1-16-8192', 'Medium'],
  ['S-1-16-12288', 'High'],
  ['S-1-16-16384', 'System'],
  ['S-1-16-20480', 'Protected Process'],
]);

export function applySecurityProcessAliases(ev: FlatEvent, eventId: number): void {
  if (eventId === 4689) {
    ev.set('Image', ev.get('processname'));
    return;
  }
  if (eventId !== 4688) return;
  ev.set('Image', ev.get('newprocessname'));
  ev.set('ParentImage', ev.get('parentprocessname'));
  ev.set('LogonId', ev.get('subjectlogonid'));
  ev.set('User', processUser(ev));
  const label = ev.text('MandatoryLabel');
  if (label) ev.set('IntegrityLevel', INTEGRITY_LABELS.get(label.toUpperCase()));
  ev.set('ParentProcessId', hexToNumber(ev.text('ProcessId')));
}

/** The account the process runs as: the Target* account when one was used, else the creator. */
function processUser(ev: FlatEvent): string | undefined {
  const target = ev.text('TargetUserName');
  if (target && target !== '-') return qualify(ev.text('TargetDomainName'), target);
  const subject = ev.text('SubjectUserName');
  return subject ? qualify(ev.text('SubjectDomainName'), subject) : undefined;
}

function qualify(domain: string | undefined, name: string): string {
  return domain && domain !== '-' ? `${domain}\\${name}` : name;
}

function hexToNumber(v: string | undefined): number | undefined {
  if (!v || !/^0x[0-9a-f]+$/i.test(v)) return undefined;
  const n = Number.parseInt(v.slice(2), 16);
  return Number.isSafeInteger(n) ? n : undefined;
}
