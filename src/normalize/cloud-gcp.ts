/**
 * GCP Cloud Audit Logs → product gcp, service gcp.audit.
 *
 * A LogEntry (Cloud Logging) whose protoPayload is an AuditLog
 * (`@type: type.googleapis.com/google.cloud.audit.AuditLog`), as
 * `gcloud logging read --format=json` prints it or a sink exports it; also
 * wrapped as `{"data": LogEntry}` (the layout some SigmaHQ rules are written
 * for: `data.protoPayload.methodName`).
 *
 * SigmaHQ's gcp.audit rules use two vocabularies, both filled here:
 *   gcp.audit.method_name, …          (the Elastic/ECS names)  ← protoPayload.methodName, …
 *   data.protoPayload.<member>        (the wrapped LogEntry)    ← protoPayload.<member>
 * `data.protoPayload.logName` and `data.protoPayload.resource.type` in those
 * rules are LogEntry members (logName, resource.type), not AuditLog ones;
 * logName is given as the rules compare it: the log id
 * ("cloudaudit.googleapis.com/activity"), URL-decoded (derived-fields.ts).
 * authorizationInfo is a list of objects; its permission/granted/resource
 * are also given as lists under the name without an index.
 */
import { flattenInto, type FlatEvent } from './flat-event.js';
import type { LogShape } from './shapes.js';
import { isRecord, isScalar, type JsonRecord } from './xml-json.js';
import type { Scalar } from '../core/event.js';

const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

/** ECS name → AuditLog member path. */
const ECS_NAMES: readonly [string, string][] = [
  ['gcp.audit.method_name', 'methodName'],
  ['gcp.audit.service_name', 'serviceName'],
  ['gcp.audit.resource_name', 'resourceName'],
  ['gcp.audit.type', '@type'],
  ['gcp.audit.authentication_info.principal_email', 'authenticationInfo.principalEmail'],
  ['gcp.audit.request_metadata.caller_ip', 'requestMetadata.callerIp'],
  ['gcp.audit.request_metadata.caller_supplied_user_agent', 'requestMetadata.callerSuppliedUserAgent'],
  ['gcp.audit.status.code', 'status.code'],
  ['gcp.audit.status.message', 'status.message'],
];

/** The AuditLog LogEntry, bare or under `data`. */
function entryOf(doc: JsonRecord): JsonRecord | undefined {
  if (isAuditEntry(doc)) return doc;
  if (isRecord(doc.data) && isAuditEntry(doc.data)) return doc.data;
  return undefined;
}

function isAuditEntry(e: JsonRecord): boolean {
  return isRecord(e.protoPayload) && e.protoPayload['@type'] === AUDIT_LOG_TYPE;
}

export const GCP_AUDIT_SHAPE: LogShape = {
  name: 'gcp-audit',
  product: 'gcp',
  matches: (doc) => entryOf(doc) !== undefined,
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    const entry = entryOf(doc)!;
    const wrapped = entry !== doc;
    flattenInto(ev, doc, '');
    const proto = entry.protoPayload as JsonRecord;
    // The other vocabulary's prefix for every AuditLog member, shallow: scalars and scalar lists.
    const other = wrapped ? 'protoPayload' : 'data.protoPayload';
    aliasLeaves(ev, proto, other);
    for (const [ecs, path] of ECS_NAMES) ev.set(ecs, at(proto, path));
    const auth = Array.isArray(proto.authorizationInfo) ? proto.authorizationInfo.filter(isRecord) : [];
    for (const member of ['permission', 'granted', 'resource']) {
      const list = auth.map((a) => a[member]).filter(isScalar);
      if (list.length === 0) continue;
      ev.set(`protoPayload.authorizationInfo.${member}`, list);
      ev.set(`data.protoPayload.authorizationInfo.${member}`, list);
    }
    if (isRecord(entry.resource)) ev.set('data.protoPayload.resource.type', scalar(entry.resource.type));
    if (typeof entry.logName === 'string') ev.set('data.protoPayload.logName', logId(entry.logName));
    if (wrapped) ev.set('@timestamp', scalar(entry.timestamp));
    ev.logsource = { product: 'gcp', service: 'gcp.audit', categories: [] };
  },
};

/** projects/p/logs/cloudaudit.googleapis.com%2Factivity → cloudaudit.googleapis.com/activity */
function logId(logName: string): string {
  const i = logName.indexOf('/logs/');
  const id = i >= 0 ? logName.slice(i + 6) : logName;
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

function aliasLeaves(ev: FlatEvent, obj: JsonRecord, prefix: string, depth = 0): void {
  if (depth > 8) return;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (isScalar(v)) ev.set(`${prefix}.${k}`, v);
    else if (Array.isArray(v) && v.every(isScalar)) ev.set(`${prefix}.${k}`, v as Scalar[]);
    else if (isRecord(v)) aliasLeaves(ev, v, `${prefix}.${k}`, depth + 1);
  }
}

function at(obj: JsonRecord, path: string): Scalar | undefined {
  let cur: unknown = obj;
  for (const part of path === '@type' ? [path] : path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return scalar(cur);
}

function scalar(v: unknown): Scalar | undefined {
  return isScalar(v) ? v : undefined;
}
