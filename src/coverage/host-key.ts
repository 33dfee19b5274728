/**
 * The host an event is counted under. Windows names it in `Computer`; the
 * other normalizers put it in `host.name` (eventHost reads both, plus the
 * names exporters use). Cloud control-plane logs have no host: their unit is
 * the account, subscription or project, whose logging settings are what a
 * fix changes. Anything else is grouped by the file it came from.
 */
import { eventHost } from '../normalize/event-summary.js';
import type { FlatEvent } from '../normalize/flat-event.js';

const SUBSCRIPTION_IN_RESOURCE_ID = /^\/subscriptions\/([^/]+)/i;

export function hostKey(ev: FlatEvent, file: string): string {
  return eventHost(ev) ?? cloudAccount(ev) ?? `(unknown host) in ${file}`;
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
      const id = ev.text('resource.labels.project_id');
      return id ? `gcp project ${id}` : undefined;
    }
    default:
      return undefined;
  }
}
