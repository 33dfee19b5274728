/**
 * Azure Activity Log → product azure, service activitylogs.
 *
 * The same event reaches us in three layouts (Microsoft Learn, "Azure
 * Activity Log event schema", and the AzureActivity table reference):
 *
 *   resource-log  (diagnostic settings → storage / Event Hubs, `{"records":[…]}`)
 *       time, resourceId, operationName "MICROSOFT.NETWORK/…/READ", category,
 *       resultType, resultSignature, callerIpAddress, identity.claims…, properties
 *   REST / portal (`az monitor activity-log list`, the portal's JSON view)
 *       eventTimestamp, operationName {value, localizedValue}, caller,
 *       status {value}, subStatus {value}, category {value},
 *       resourceProviderName {value}, httpRequest.clientIpAddress, …
 *   AzureActivity (Log Analytics rows exported as JSON)
 *       TimeGenerated, OperationNameValue, CategoryValue, ResourceProviderValue,
 *       ActivityStatusValue, Caller, CallerIpAddress, ResourceId
 *
 * SigmaHQ's activitylogs rules mix the names (operationName; CategoryValue,
 * ResourceProviderValue, OperationNameValue, ResourceId), so each layout is
 * flattened as it is and the other layouts' names are added (names compare
 * case-insensitively, so resourceId already answers ResourceId).
 * ResourceProviderValue, ResourceGroup and SubscriptionId are cut out of
 * operationName/resourceId in the resource-log layout (derived-fields.ts).
 */
import { flattenInto, type FlatEvent } from './flat-event.js';
import type { LogShape } from './shapes.js';
import { isRecord, type JsonRecord } from './xml-json.js';

/** Activity Log categories (REST `category.value`; the resource-log layout also writes Write/Delete/Action). */
const ACTIVITY_CATEGORIES = new Set([
  'administrative', 'write', 'delete', 'action', 'servicehealth', 'resourcehealth', 'alert', 'autoscale', 'security',
  'recommendation', 'policy',
]);

/** Identity claims that name the caller, most readable first (UPN, then object id, then app id). */
const CALLER_CLAIMS = [
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'http://schemas.microsoft.com/identity/claims/objectidentifier',
  'appid',
];

type Layout = 'resource-log' | 'rest' | 'log-analytics';

function layoutOf(doc: JsonRecord): Layout | undefined {
  if (typeof doc.operationName === 'string' && typeof doc.time === 'string' && typeof doc.resourceId === 'string' &&
      typeof doc.category === 'string' && ACTIVITY_CATEGORIES.has(doc.category.toLowerCase()) &&
      /^\/(subscriptions|providers\/microsoft\.management)\//i.test(doc.resourceId)) return 'resource-log';
  if (isRecord(doc.operationName) && typeof doc.operationName.value === 'string' && typeof doc.eventTimestamp === 'string') return 'rest';
  if (typeof doc.OperationNameValue === 'string' && typeof doc.TimeGenerated === 'string' && typeof doc.CategoryValue === 'string') return 'log-analytics';
  return undefined;
}

export const AZURE_ACTIVITY_SHAPE: LogShape = {
  name: 'azure-activity',
  product: 'azure',
  matches: (doc) => layoutOf(doc) !== undefined,
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    const layout = layoutOf(doc);
    flattenInto(ev, doc, '');
    if (layout === 'resource-log') fromResourceLog(ev, doc);
    else if (layout === 'rest') fromRest(ev, doc);
    // The table's own OperationName is the display text ("Get network topology"); rules
    // mean the operation ("MICROSOFT.NETWORK/…/ACTION"), which is OperationNameValue.
    else if (layout === 'log-analytics') ev.put('operationName', doc.OperationNameValue as string);
    ev.logsource = { product: 'azure', service: 'activitylogs', categories: [] };
  },
};

function fromResourceLog(ev: FlatEvent, doc: JsonRecord): void {
  const op = doc.operationName as string;
  ev.set('OperationNameValue', op);
  const props = isRecord(doc.properties) ? doc.properties : {};
  ev.set('CategoryValue', str(props.eventCategory) ?? (doc.category as string));
  ev.set('ActivityStatusValue', str(doc.resultType));
  ev.set('ActivitySubstatusValue', str(doc.resultSignature));
  const slash = op.indexOf('/');
  if (slash > 0) ev.set('ResourceProviderValue', op.slice(0, slash));
  resourceIdParts(ev, doc.resourceId as string);
  const identity = isRecord(doc.identity) ? doc.identity : {};
  const claims = isRecord(identity.claims) ? identity.claims : {};
  for (const c of CALLER_CLAIMS) {
    const v = str(claims[c]);
    if (v) {
      ev.set('Caller', v);
      break;
    }
  }
}

function fromRest(ev: FlatEvent, doc: JsonRecord): void {
  const op = value(doc.operationName);
  ev.set('operationName', op);
  ev.set('OperationNameValue', op);
  ev.set('CategoryValue', value(doc.category));
  ev.set('ResourceProviderValue', value(doc.resourceProviderName));
  ev.set('ActivityStatusValue', value(doc.status));
  ev.set('ActivitySubstatusValue', value(doc.subStatus));
  ev.set('ResourceGroup', str(doc.resourceGroupName));
  if (isRecord(doc.httpRequest)) ev.set('CallerIpAddress', str(doc.httpRequest.clientIpAddress));
  if (typeof doc.resourceId === 'string') resourceIdParts(ev, doc.resourceId);
}

/** /subscriptions/<id>/resourceGroups/<name>/providers/<RP>/… */
function resourceIdParts(ev: FlatEvent, id: string): void {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?(?:\/providers\/([^/]+))?/i.exec(id);
  if (!m) return;
  ev.set('SubscriptionId', m[1]);
  ev.set('ResourceGroup', m[2]);
  ev.set('ResourceProviderValue', m[3]);
}

/** A REST "LocalizableString" {value, localizedValue}: the invariant value. */
function value(v: unknown): string | undefined {
  return isRecord(v) ? str(v.value) : str(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
