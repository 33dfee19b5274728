/**
 * The host an event is counted under. Windows names it in `Computer`; the
 * other normalizers put it in `host.name` (eventHost reads both, plus the
 * names exporters use). Cloud control-plane logs have no host: their unit is
 * the account, subscription or project, whose logging settings are what a
 * fix changes. Anything else is grouped by the file it came from.
 */
import { dirname } from 'node:path';
import { eventHost } from '../normalize/event-summary.js';
import type { FlatEvent } from '../normalize/flat-event.js';

const SUBSCRIPTION_IN_RESOURCE_ID = /^\/subscriptions\/([^/]+)/i;

export function hostKey(ev: FlatEvent, file: string): string {
  return ownHost(ev) ?? cloudAccount(ev) ?? zeekSensor(ev, file) ?? `(unknown host) in ${file}`;
}

/**
 * An auditd event names its host only in node= (host.name): the `hostname=`
 * of a user-space record (USER_LOGIN, USER_ACCT…) is the remote peer, or '?'.
 */
function ownHost(ev: FlatEvent): string | undefined {
  if (ev.logsource.product === 'linux' && ev.logsource.service === 'auditd') return ev.text('host.name');
  // A Zeek record's host (its connection's originator) is not where the log comes from: its sensor is.
  if (ev.logsource.product === 'zeek') return undefined;
  return eventHost(ev);
}

function zeekSensor(ev: FlatEvent, file: string): string | undefined {
  if (ev.logsource.product !== 'zeek') return undefined;
  const name = ev.text('_system_name', '@system');
  return name ? `zeek sensor ${name}` : `zeek sensor (logs in ${dirname(file)})`;
}

function cloudAccount(ev: FlatEvent): string | undefined {
  switch (ev.logsource.product) {
    case 'aws': {
      const id = ev.text('recipientAccountId', 'userIdentity.accountId');
      return id ? `aws account ${id}` : undefined;
    }
    case 'azure': {
      const id = ev.text('subscriptionId') ?? SUBSCRIPTION_IN_RESOURCE_ID.exec(ev.text('resourceId') ?? '')?.[1];
      return id ? `azure subscription ${id.toLowerCase()}` : undefined;
    }
    case 'gcp': {
      // A LogEntry bare, or wrapped as {"data": LogEntry} (a decoded Pub/Sub message).
      const id = ev.text('resource.labels.project_id', 'data.resource.labels.project_id');
      return id ? `gcp project ${id}` : undefined;
    }
    default:
      return undefined;
  }
}
