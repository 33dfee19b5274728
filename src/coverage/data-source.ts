/**
 * A data source the T1049 pack reads, described as data: how its events look
 * once normalized, what "collected but crippled" looks like, and what to change
 * when it is missing. `vigil coverage` holds one table of these per platform
 * (windows-sources.ts, unix-sources.ts, cloud-sources.ts, network-sources.ts).
 */
import type { FlatEvent } from '../normalize/flat-event.js';

/** The logsource its events carry. It decides which loaded rules read the source (rule-needs.ts). */
export interface SourceLogsource {
  /** Also the platform the source belongs to: a host is checked for the sources of the products seen on it. */
  readonly product: string;
  readonly service?: string;
  /** Taxonomy categories its events satisfy; a rule naming another category does not read this source. */
  readonly categories?: readonly string[];
  /** Windows EventIDs; a rule that pins other EventIDs does not read this source. */
  readonly eventIds?: readonly number[];
  /**
   * How its events write process image paths. A rule whose every selection names
   * Image paths of the other style cannot match here (the Unix excessive-enumeration
   * helpers have no product, but '/netstat' never ends a Windows image).
   */
  readonly imagePaths?: 'unix' | 'windows';
}

/**
 * A setting that can be on or off while the source is still collected (the
 * command line in 4688, script block logging beyond the automatic warnings).
 * The source is degraded on a host when some event there shows the setting
 * off and none shows it on.
 */
export interface QualityCheck {
  /** What is wrong when the check fails, e.g. "CommandLine is empty". */
  readonly problem: string;
  readonly fix: string;
  /**
   * Only rules reading one of these fields suffer (and the check is skipped
   * when no rule reading the source reads them); without it every rule does.
   */
  readonly fields?: readonly string[];
  /** true: the setting is visibly on in this event; false: visibly off; undefined: the event cannot tell. */
  judge(ev: FlatEvent): boolean | undefined;
}

/**
 * A more precise fix, chosen when the host shows an event `seen` accepts (the
 * log is there, only this kind is not). Only events of the source's own
 * product are offered to `seen`.
 */
export interface FixHint {
  readonly seen: (ev: FlatEvent) => boolean;
  readonly fix: string;
}

export interface DataSource {
  /** Stable key in the JSON report, e.g. "windows/security-4688". */
  readonly id: string;
  readonly title: string;
  readonly logsource: SourceLogsource;
  /** Does this event belong to the source? Default: product, service, a category and the EventID all match. */
  readonly recognize?: (ev: FlatEvent) => boolean;
  /**
   * For a source that is one slice of a log (one watched path, one API, one
   * syscall): a rule reads it only if its detection mentions one of these texts
   * (regex escapes undone), or its logsource names one of the source's categories
   * (a process_creation rule reads the execve slice without saying "execve").
   */
  readonly ruleMentions?: readonly string[];
  /** Why the ADS wants the source even when no loaded rule reads it (the seed sequences, a planned rule). */
  readonly why?: string;
  /** A limit no setting removes, shown with the source whatever its status. */
  readonly note?: string;
  /** What to change when the source is missing and no hint applies. */
  readonly fix: string;
  /** Tried in order; the first whose `seen` matched an event of the host gives the fix instead. */
  readonly hints?: readonly FixHint[];
  readonly checks?: readonly QualityCheck[];
}

/** The default `recognize`: the event's logsource and EventID match the source's. */
export function matchesLogsource(ls: SourceLogsource, ev: FlatEvent): boolean {
  const e = ev.logsource;
  if (e.product !== ls.product) return false;
  if (ls.service !== undefined && e.service !== ls.service) return false;
  if (ls.categories && !ls.categories.some((c) => e.categories.includes(c))) return false;
  if (ls.eventIds) {
    const id = ev.get('eventid');
    if (typeof id !== 'number' || !ls.eventIds.includes(id)) return false;
  }
  return true;
}

/** Some field among `names` carries a value: not absent, null, empty or the Windows placeholder "-". */
export function hasValue(ev: FlatEvent, names: readonly string[]): boolean {
  for (const n of names) {
    const v = ev.get(n.toLowerCase());
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (x === undefined || x === null) continue;
      const s = String(x).trim();
      if (s !== '' && s !== '-') return true;
    }
  }
  return false;
}

/** Every value of a field as text (a list field gives each element). */
export function textValues(ev: FlatEvent, name: string): string[] {
  const v = ev.get(name.toLowerCase());
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x) => x !== null).map(String);
}

/** A boolean field that exporters write as true or "true". */
export function isTrue(ev: FlatEvent, name: string): boolean {
  const v = ev.get(name.toLowerCase());
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/** An event of the given product (and service, when named): "this log is collected on the host". */
export function fromLog(product: string, service?: string): (ev: FlatEvent) => boolean {
  return (ev) => ev.logsource.product === product && (service === undefined || ev.logsource.service === service);
}
