/** The when / where / who of an event, for alert output; each undefined when unknown. */
import type { FlatEvent } from './flat-event.js';

/** The largest time a Date can hold, in ms either side of the epoch. */
export const MAX_DATE_MS = 8.64e15;

/** Names that carry an absolute time, most specific first. */
const TIME_FIELDS = ['TimeCreated', '@timestamp', 'timestamp', 'eventTime', 'time', 'ts', 'eventTimestamp', 'TimeGenerated'];

export function eventTime(ev: FlatEvent): string | undefined {
  for (const name of TIME_FIELDS) {
    const iso = toIso(ev.get(name.toLowerCase()));
    if (iso) return iso;
  }
  // Sysmon's UtcTime is UTC but written without a zone designator.
  const utc = ev.text('UtcTime');
  return utc && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(utc) ? toIso(utc.replace(' ', 'T') + 'Z') : undefined;
}

function toIso(v: unknown): string | undefined {
  let ms: number;
  if (typeof v === 'number') {
    // Epoch seconds (Zeek `ts`) or milliseconds.
    ms = Math.abs(v) < 1e11 ? v * 1000 : v;
  } else if (typeof v === 'string' && /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(v)) {
    // A time without a zone is not placed on the timeline: local time of an unknown host.
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(v)) return undefined;
    ms = Date.parse(v.replace(' ', 'T'));
  } else {
    return undefined;
  }
  // Date covers ±8.64e15 ms; beyond that toISOString throws (a hostile `ts`).
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : undefined;
}

export function eventHost(ev: FlatEvent): string | undefined {
  // An audit record's own hostname= is the remote peer of a login (or '?'), not this host: only node= (host.name) names it.
  if (ev.logsource.product === 'linux' && ev.logsource.service === 'auditd') return ev.text('host.name');
  // A sensor's log: the host acting is the one that opened the connection or made the call.
  if (ev.logsource.product === 'zeek') return ev.text('id.orig_h');
  return ev.text('Computer', 'host.name', 'Hostname', 'host.hostname', 'agent.hostname', 'ComputerName', 'hostname');
}

export function eventUser(ev: FlatEvent): string | undefined {
  const direct = ev.text('User', 'user.name', 'userIdentity.arn', 'username');
  if (direct) return direct;
  for (const prefix of ['Target', 'Subject']) {
    const name = ev.text(`${prefix}UserName`);
    if (name && name !== '-') {
      const domain = ev.text(`${prefix}DomainName`);
      return domain && domain !== '-' ? `${domain}\\${name}` : name;
    }
  }
  // Last, the cloud principals: AWS service callers, Azure Activity Log, GCP audit.
  return ev.text('Security_UserID', 'userIdentity.invokedBy', 'Caller', 'gcp.audit.authentication_info.principal_email');
}
