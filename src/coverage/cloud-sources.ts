/**
 * IaaS data sources, recognized by the contract of the cloud normalizers:
 * AWS product aws / service cloudtrail with the CloudTrail record fields
 * (eventSource, eventName, readOnly, eventType, managementEvent); Azure
 * product azure / service activitylogs; GCP product gcp / service gcp.audit
 * with the LogEntry fields (logName, protoPayload.serviceName,
 * protoPayload.methodName).
 *
 * Facts from the vendors' documentation: a CloudTrail trail's event selector
 * may log write-only management events (ReadWriteType), and Describe* calls
 * are read-only; GCP Data Access audit logs (which hold ADMIN_READ calls such
 * as compute.networks.list) are off by default; the Azure Activity Log records
 * PUT/POST/DELETE operations, not reads.
 */
import type { FlatEvent } from '../normalize/flat-event.js';
import { fromLog, isTrue, textValues, type DataSource } from './data-source.js';

function ec2ReadCall(ev: FlatEvent): boolean {
  return ev.logsource.product === 'aws' && ev.text('eventSource') === 'ec2.amazonaws.com' && isTrue(ev, 'readOnly');
}

function anyReadOnlyCall(ev: FlatEvent): boolean {
  return ev.logsource.product === 'aws' && isTrue(ev, 'readOnly');
}

/** compute list/get calls, which GCP classes as ADMIN_READ (Data Access audit log). */
const COMPUTE_READ_METHOD = /compute\.[A-Za-z]+\.(?:list|get|aggregatedList)[A-Za-z]*$/;

function computeAdminRead(ev: FlatEvent): boolean {
  if (ev.logsource.product !== 'gcp') return false;
  const service = ev.text('protoPayload.serviceName', 'serviceName');
  if (service !== 'compute.googleapis.com') return false;
  // The LogEntry bare or under `data` (a decoded Pub/Sub message).
  const logName = ev.text('logName', 'data.logName') ?? '';
  if (/\/data_access$/i.test(safeDecode(logName))) return true;
  return textValues(ev, 'protoPayload.methodName').some((m) => COMPUTE_READ_METHOD.test(m));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const CLOUDTRAIL_ALL = "aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]'";

export const CLOUD_SOURCES: readonly DataSource[] = [
  {
    id: 'aws/cloudtrail-ec2-read',
    title: 'CloudTrail EC2 read management events (Describe*)',
    logsource: { product: 'aws', service: 'cloudtrail' },
    recognize: ec2ReadCall,
    ruleMentions: ['ec2.amazonaws.com'],
    fix: `deliver CloudTrail management events, read and write, to S3 or CloudWatch Logs and collect them (${CLOUDTRAIL_ALL})`,
    hints: [
      {
        seen: anyReadOnlyCall,
        fix: 'read-only events are logged, but none from ec2.amazonaws.com: check that no event selector excludes EC2 (ExcludeManagementEventSources, advanced selectors on eventSource); or no EC2 API was read in this period',
      },
      {
        seen: fromLog('aws', 'cloudtrail'),
        fix: `no read-only event at all: the trail logs write-only management events; set ReadWriteType to All (${CLOUDTRAIL_ALL})`,
      },
    ],
  },
  {
    id: 'azure/activity-log',
    title: 'Azure Activity Log (Administrative)',
    logsource: { product: 'azure', service: 'activitylogs' },
    why: 'control-plane operations on virtual networks, NICs and NSGs by one principal',
    note: 'the Activity Log records writes, deletes and actions (PUT, POST, DELETE), not reads: listing networks with GET calls is a blind spot no setting closes',
    fix: 'export the subscription\'s Activity Log with a diagnostic setting (category Administrative) to a storage account, Event Hub or Log Analytics, and collect it',
  },
  {
    id: 'gcp/compute-admin-read',
    title: 'GCP Data Access audit logs, Compute Engine ADMIN_READ',
    logsource: { product: 'gcp', service: 'gcp.audit' },
    recognize: computeAdminRead,
    ruleMentions: ['compute.'],
    why: 'network mapping calls (compute.networks.list, subnetworks.list, firewalls.list, routes.list) are ADMIN_READ and appear only in Data Access audit logs',
    fix: 'route Cloud Audit Logs with a Logging sink that includes Data Access logs, and enable ADMIN_READ for Compute Engine API (compute.googleapis.com) under IAM & Admin > Audit Logs',
    hints: [{
      seen: fromLog('gcp'),
      fix: 'audit logs are collected but hold no Compute Engine reads: Data Access audit logs are off by default; enable ADMIN_READ for Compute Engine API (compute.googleapis.com) under IAM & Admin > Audit Logs (auditConfigs in the IAM policy)',
    }],
  },
];
