/**
 * CloudTrail, Azure Activity Log and GCP audit logs: every layout they are
 * exported in reads, and normalizes to the product/service and field names
 * SigmaHQ's cloud rules use. CloudTrail on the real Stratus detonation logs;
 * Azure and GCP on the constructed fixtures (test/fixtures/cloud/README.md).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { eventTime, eventUser, normalizeObject } from '../src/normalize/index.js';
import { REPO_ROOT, corpus } from './corpus.js';
import { hunt, readEvents, readRecords } from './cloudnet-helpers.js';

const STRATUS = corpus('cloudtrail/DataDog-stratus-red-team/docs/detonation-logs');
const stratusFiles = readdirSync(STRATUS).filter((f) => f.endsWith('.json')).sort().map((f) => join(STRATUS, f));
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'cloud');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-cloud-'));

type Rec = Record<string, any>;
const json = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
const allStratus: Rec[] = stratusFiles.flatMap((f) => json(f) as Rec[]);
const ids = (objs: unknown[]): string[] => objs.map((o) => (o as Rec).eventID);

describe('CloudTrail on the real Stratus detonation logs', () => {
  it('reads every file (a JSON array) record for record, each as product aws, service cloudtrail', async () => {
    assert.equal(stratusFiles.length, 34);
    for (const f of stratusFiles) {
      const expected = json(f) as Rec[];
      const got = await readRecords(f);
      assert.equal(got.format, 'json', f);
      assert.deepEqual(got.errors, [], f);
      assert.deepEqual(ids(got.objects), ids(expected), f);
      assert.deepEqual(got.records, expected.map((_, i) => i + 1), f);
      for (const o of got.objects) {
        const ev = normalizeObject(o);
        assert.equal(ev.logsource.product, 'aws');
        assert.equal(ev.logsource.service, 'cloudtrail');
      }
    }
  });

  it('aws.execution.ec2-user-data.json: every DescribeInstances call, with time and principal', async () => {
    const file = join(STRATUS, 'aws.execution.ec2-user-data.json');
    const raw = (json(file) as Rec[]).filter((r) => r.eventName === 'DescribeInstances');
    const events = (await readEvents(file)).filter((ev) => ev.get('eventname') === 'DescribeInstances');
    assert.ok(raw.length > 0);
    assert.equal(events.length, raw.length);
    assert.deepEqual(events.map((ev) => eventTime(ev)), raw.map((r) => new Date(r.eventTime).toISOString()));
    assert.deepEqual(events.map((ev) => eventUser(ev)), raw.map((r) => r.userIdentity.arn));
    // SigmaHQ's names: nested members dotted, as the record has them.
    assert.deepEqual(events.map((ev) => ev.get('useridentity.type')), raw.map((r) => r.userIdentity.type));
    assert.deepEqual(events.map((ev) => ev.get('requestparameters.instancesset.items.0.instanceid')),
      raw.map((r) => r.requestParameters.instancesSet.items[0].instanceId));
  });

  it('gives a whole object (requestParameters, responseElements) as its text leaves, for `contains` rules', async () => {
    const file = join(STRATUS, 'aws.persistence.iam-backdoor-user.json');
    const [rec] = json(file) as Rec[];
    const [ev] = await readEvents(file);
    const leaves = (o: unknown): unknown[] => (o && typeof o === 'object' ? Object.values(o).flatMap(leaves) : [o]);
    assert.deepEqual(ev.get('requestparameters'), leaves(rec.requestParameters));
    assert.deepEqual(ev.get('responseelements'), leaves(rec.responseElements));
    assert.ok((ev.get('responseelements') as string[]).includes(rec.responseElements.accessKey.accessKeyId));
  });

  it('SigmaHQ AWS rules find what the Stratus data shows (console login without MFA, CloudTrail stopped/deleted)', () => {
    const rules = corpus('sigma-rules/rules/cloud/aws/cloudtrail');
    const { alerts } = hunt([STRATUS, '--no-builtin', '--rules', rules]);
    const noMfa = allStratus.filter((r) => r.eventName === 'ConsoleLogin' && r.additionalEventData?.MFAUsed === 'No' &&
      r.responseElements?.ConsoleLogin === 'Success').length;
    assert.ok(noMfa > 0);
    assert.equal(alerts.filter((a) => a.rule.title === 'AWS Successful Console Login Without MFA').length, noMfa);
    const trailChanges = allStratus.filter((r) => r.eventSource === 'cloudtrail.amazonaws.com' &&
      ['StopLogging', 'DeleteTrail', 'UpdateTrail'].includes(r.eventName)).length;
    assert.ok(trailChanges >= 2);
    assert.equal(alerts.filter((a) => a.rule.title === 'AWS CloudTrail Important Change').length, trailChanges);
  });
});

describe('CloudTrail layouts: {"Records":[…]}, arrays, JSON lines, .gz of each', () => {
  const sample = allStratus.slice(0, 60);
  const write = (name: string, data: string | Buffer): string => {
    const p = join(tmp, name);
    writeFileSync(p, data);
    return p;
  };
  const records = JSON.stringify({ Records: sample });
  const small = JSON.stringify({ Records: sample.slice(0, 10) });
  const jsonl = sample.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const cases: [string, string | Buffer, string][] = [
    ['records.json', records, 'json'],
    // One line that is a whole delivery is not JSON lines — also when the sniffer sees all of it.
    ['records-newline.json', records + '\n', 'json'],
    ['small-records-newline.json', small + '\n', 'json'],
    ['small-records-newline.json.gz', gzipSync(small + '\n'), 'json'],
    ['records-pretty.json', JSON.stringify({ Records: sample }, null, 2), 'json'],
    ['records.json.gz', gzipSync(records), 'json'],
    ['records-newline.json.gz', gzipSync(records + '\n'), 'json'],
    ['array.json.gz', gzipSync(JSON.stringify(sample, null, 1)), 'json'],
    ['records.jsonl', jsonl, 'jsonl'],
    ['records.jsonl.gz', gzipSync(jsonl), 'jsonl'],
  ];
  for (const [name, data, format] of cases) {
    it(`${name}: every record, in order`, async () => {
      const got = await readRecords(write(name, data));
      assert.equal(got.format, format);
      assert.deepEqual(got.errors, []);
      assert.deepEqual(ids(got.objects), ids(name.startsWith('small') ? sample.slice(0, 10) : sample));
    });
  }

  it('the small delivery fits in the sniffed head, so its newline is seen', () => {
    assert.ok(Buffer.byteLength(small) < 65536);
  });

  it('several deliveries back to back (one {"Records"} per line, or pretty), plain and gzipped', async () => {
    // Small deliveries: the first line ends inside the sniffed head.
    const a = sample.slice(0, 10);
    const b = sample.slice(10, 20);
    for (const text of [
      `${JSON.stringify({ Records: a })}\n${JSON.stringify({ Records: b })}\n`,
      `${JSON.stringify({ Records: a }, null, 2)}\n${JSON.stringify({ Records: b }, null, 2)}`,
    ]) {
      for (const [name, data] of [['deliveries.json', text], ['deliveries.json.gz', gzipSync(text)]] as const) {
        const got = await readRecords(write(name, data));
        assert.deepEqual(got.errors, []);
        assert.deepEqual(ids(got.objects), ids([...a, ...b]), name);
        assert.deepEqual(got.records, [...a, ...b].map((_, i) => i + 1));
      }
    }
  });

  it('a truncated array keeps its complete records and names the line where the cut one starts', async () => {
    const text = JSON.stringify(sample, null, 1);
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    // The longest run of whole records the cut text begins with, found from the text itself.
    let whole = 0;
    while (whole < sample.length && cut.startsWith(JSON.stringify(sample.slice(0, whole + 1), null, 1).slice(0, -2))) whole++;
    const complete = sample.slice(0, whole);
    for (const [name, data] of [['cut.json', cut], ['cut.json.gz', gzipSync(cut)]] as const) {
      const got = await readRecords(write(name, data));
      assert.ok(complete.length > 10);
      assert.deepEqual(ids(got.objects), ids(complete), name);
      assert.equal(got.errors.length, 1, JSON.stringify(got.errors));
      const line = cut.slice(0, cut.lastIndexOf('\n {') + 1).split('\n').length; // the cut element's first line
      assert.match(got.errors[0].message, new RegExp(`^array element ${complete.length + 1} at line ${line} .*invalid JSON`));
    }
  });

  it('an array cut between records, and a broken record inside, are reported; the rest is read', async () => {
    const between = JSON.stringify(sample.slice(0, 5), null, 1).replace(/\n\]$/, ',');
    const got = await readRecords(write('between.json', between));
    assert.deepEqual(ids(got.objects), ids(sample.slice(0, 5)));
    assert.equal(got.errors.length, 1);
    assert.match(got.errors[0].message, /JSON array not closed properly after its 5 elements/);

    const parts = sample.slice(0, 3).map((r) => JSON.stringify(r));
    parts[1] = parts[1].replace('"eventName":', '"eventName":,');
    const broken = await readRecords(write('broken.json', `[\n${parts.join(',\n')}\n]`));
    assert.deepEqual(ids(broken.objects), [sample[0].eventID, sample[2].eventID]);
    assert.equal(broken.errors.length, 1);
    assert.match(broken.errors[0].message, /^array element 2 at line 3 .*invalid JSON/);
  });

  it('a truncated JSON-lines file reports the broken last line by number', async () => {
    const cut = jsonl.slice(0, jsonl.length - 200);
    const got = await readRecords(write('cut.jsonl', cut));
    assert.equal(got.objects.length, sample.length - 1);
    assert.deepEqual(got.errors.map((e) => e.record), [sample.length]);
  });
});

describe('Azure Activity Log, three layouts (constructed)', () => {
  it('diagnostic-settings {"records":[…]}: names from both schemas, caller from the UPN claim', async () => {
    const file = join(FIXTURES, 'azure-activity-resourcelog-constructed.json');
    const raw = json(file).records as Rec[];
    const events = await readEvents(file);
    assert.equal(events.length, raw.length);
    events.forEach((ev, i) => {
      const r = raw[i];
      assert.deepEqual(ev.logsource, { product: 'azure', service: 'activitylogs', categories: [] });
      assert.equal(ev.get('operationname'), r.operationName);
      assert.equal(ev.get('operationnamevalue'), r.operationName);
      assert.equal(ev.get('resourceprovidervalue'), r.operationName.split('/')[0]);
      assert.equal(ev.get('categoryvalue'), r.properties.eventCategory);
      assert.equal(ev.get('activitystatusvalue'), r.resultType);
      assert.equal(ev.get('caller'), r.identity.claims['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn']);
      assert.equal(ev.get('calleripaddress'), r.callerIpAddress);
      assert.equal(ev.get('resourcegroup'), r.resourceId.split('/')[4]);
      assert.equal(eventTime(ev), new Date(r.time).toISOString());
      assert.equal(eventUser(ev), ev.get('caller'));
    });
  });

  it('REST/portal {"value":[…],"nextLink"}: LocalizableStrings read as their value', async () => {
    const file = join(FIXTURES, 'azure-activity-rest-constructed.json');
    const raw = json(file).value as Rec[];
    const events = await readEvents(file);
    assert.equal(events.length, raw.length);
    events.forEach((ev, i) => {
      const r = raw[i];
      assert.equal(ev.logsource.product, 'azure');
      assert.equal(ev.get('operationname'), r.operationName.value);
      assert.equal(ev.get('resourceprovidervalue'), r.resourceProviderName.value);
      assert.equal(ev.get('activitystatusvalue'), r.status.value);
      assert.equal(ev.get('calleripaddress'), r.httpRequest.clientIpAddress);
      assert.equal(eventTime(ev), new Date(r.eventTimestamp).toISOString());
      assert.equal(eventUser(ev), r.caller);
    });
  });

  it('AzureActivity rows: operationName is the operation (OperationNameValue), not the display name', async () => {
    const file = join(FIXTURES, 'azure-activity-loganalytics-constructed.json');
    const raw = json(file) as Rec[];
    const events = await readEvents(file);
    events.forEach((ev, i) => {
      assert.equal(ev.logsource.service, 'activitylogs');
      assert.equal(ev.get('operationname'), raw[i].OperationNameValue);
      assert.equal(eventTime(ev), new Date(raw[i].TimeGenerated).toISOString());
      assert.equal(eventUser(ev), raw[i].Caller);
    });
  });

  it("a SigmaHQ rule on CategoryValue/ResourceProviderValue/OperationNameValue matches the same operation in each layout", async () => {
    const rule = corpus('sigma-rules/rules/cloud/azure/activity_logs/azure_aadhybridhealth_adfs_service_delete.yml');
    // The deletion the rule describes, written into each constructed layout.
    const op = 'Microsoft.ADHybridHealthService/services/delete';
    const rid = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/hh-rg/providers/Microsoft.ADHybridHealthService/services/AdFederationService-contoso.com';
    const rl = { ...json(join(FIXTURES, 'azure-activity-resourcelog-constructed.json')).records[0], operationName: op.toUpperCase(), resourceId: rid.toUpperCase() };
    const rest = { ...json(join(FIXTURES, 'azure-activity-rest-constructed.json')).value[0], operationName: { value: op, localizedValue: 'Delete' },
      resourceId: rid, resourceProviderName: { value: 'Microsoft.ADHybridHealthService', localizedValue: 'Microsoft.ADHybridHealthService' } };
    const file = join(tmp, 'adhh.jsonl');
    writeFileSync(file, `${JSON.stringify(rl)}\n${JSON.stringify(rest)}\n`);
    const { alerts } = hunt([file, '--no-builtin', '--rules', rule]);
    assert.deepEqual(alerts.map((a) => a.source.record), [1, 2]);
  });
});

describe('GCP Cloud Audit Logs (constructed)', () => {
  it('LogEntry array: methodName under the ECS and the data.protoPayload names; logName as the log id', async () => {
    const file = join(FIXTURES, 'gcp-audit-network-mapping-constructed.json');
    const raw = json(file) as Rec[];
    const events = await readEvents(file);
    assert.equal(events.length, raw.length);
    events.forEach((ev, i) => {
      const p = raw[i].protoPayload;
      assert.deepEqual(ev.logsource, { product: 'gcp', service: 'gcp.audit', categories: [] });
      assert.equal(ev.get('gcp.audit.method_name'), p.methodName);
      assert.equal(ev.get('protopayload.methodname'), p.methodName);
      assert.equal(ev.get('data.protopayload.methodname'), p.methodName);
      assert.equal(ev.get('data.protopayload.servicename'), 'compute.googleapis.com');
      assert.deepEqual(ev.get('data.protopayload.authorizationinfo.permission'), p.authorizationInfo.map((a: Rec) => a.permission));
      assert.equal(ev.get('data.protopayload.logname'), 'cloudaudit.googleapis.com/data_access');
      assert.equal(ev.get('data.protopayload.resource.type'), raw[i].resource.type);
      assert.equal(eventTime(ev), new Date(raw[i].timestamp).toISOString());
      assert.equal(eventUser(ev), p.authenticationInfo.principalEmail);
    });
  });

  it('Pub/Sub messages whose data is the LogEntry (JSON lines): same fields, time from the entry', async () => {
    const file = join(FIXTURES, 'gcp-audit-pubsub-slow-constructed.jsonl');
    const raw = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    const got = await readRecords(file);
    assert.equal(got.format, 'jsonl');
    const events = got.objects.map((o) => normalizeObject(o));
    assert.equal(events.length, raw.length);
    events.forEach((ev, i) => {
      assert.equal(ev.logsource.product, 'gcp');
      assert.equal(ev.get('gcp.audit.method_name'), raw[i].data.protoPayload.methodName);
      assert.equal(ev.get('protopayload.methodname'), raw[i].data.protoPayload.methodName);
      assert.equal(eventTime(ev), new Date(raw[i].data.timestamp).toISOString());
      assert.equal(eventUser(ev), raw[i].data.protoPayload.authenticationInfo.principalEmail);
    });
  });

  it('a SigmaHQ rule on data.protoPayload.authorizationInfo (a list of objects, granted a boolean) matches', () => {
    const rule = corpus('sigma-rules/rules/cloud/gcp/audit/gcp_access_policy_deleted.yml');
    const base = (json(join(FIXTURES, 'gcp-audit-network-mapping-constructed.json')) as Rec[])[0];
    const entry = structuredClone(base);
    entry.protoPayload.serviceName = 'accesscontextmanager.googleapis.com';
    entry.protoPayload.methodName = 'google.identity.accesscontextmanager.v1.AccessContextManager.DeleteAccessPolicy';
    entry.protoPayload.authorizationInfo = [{ permission: 'accesscontextmanager.accessPolicies.delete', granted: true }];
    const denied = structuredClone(entry);
    denied.protoPayload.authorizationInfo[0].granted = false;
    const file = join(tmp, 'acm.jsonl');
    writeFileSync(file, [entry, { data: entry }, denied].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const { alerts } = hunt([file, '--no-builtin', '--rules', rule]);
    assert.deepEqual(alerts.map((a) => a.source.record), [1, 2]);
  });
});
