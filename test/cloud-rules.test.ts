/**
 * The built-in pack's cloud T1049 rules (rules/t1049/cloud/): single
 * network-mapping calls at level low, and the value_count burst per
 * principal at level medium — on the real Stratus logs (no network mapping
 * there: no T1049 alert) and on the constructed fixtures (bursts fire once
 * per principal; slower, smaller or repetitive sequences do not).
 * Expected counts are taken from the fixture data and the rule files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, corpus } from './corpus.js';
import { hunt, isT1049, type Alert } from './cloudnet-helpers.js';

const STRATUS = corpus('cloudtrail/DataDog-stratus-red-team/docs/detonation-logs');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'cloud');
const RULES = join(REPO_ROOT, 'rules', 't1049', 'cloud');
type Rec = Record<string, any>;
const json = (p: string): any => JSON.parse(readFileSync(p, 'utf8'));
const ruleDoc = (file: string): Rec => parseAllDocuments(readFileSync(join(RULES, file), 'utf8'))[0].toJS() as Rec;

const SINGLE = { aws: 'AWS Virtual Network Mapping Call', azure: 'Azure Virtual Network Mapping Operation', gcp: 'GCP VPC Network Mapping Call' };
const BURST = { aws: 'AWS Virtual Network Mapped by One Principal', azure: 'Azure Virtual Network Mapped by One Caller', gcp: 'GCP VPC Network Mapped by One Principal' };

/** Distinct values of `value` per `group` that reach `n` within `spanMs`, counted the way the rule reads: fires, then starts afresh. */
function expectedBursts(events: { t: number; group: string; value: string }[], n: number, spanMs: number): string[] {
  const fired: string[] = [];
  const windows = new Map<string, { t: number; value: string }[]>();
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    const w = (windows.get(e.group) ?? []).filter((x) => x.t >= e.t - spanMs);
    w.push(e);
    if (new Set(w.map((x) => x.value.toLowerCase())).size >= n) {
      fired.push(e.group);
      windows.set(e.group, []);
    } else windows.set(e.group, w);
  }
  return fired;
}

const titles = (alerts: Alert[], title: string): Alert[] => alerts.filter((a) => a.rule.title === title);

describe('AWS', () => {
  const names: string[] = ruleDoc('aws_network_mapping_call.yml').detection.selection.eventName;
  const burst = ruleDoc('aws_network_mapping_burst.yml');

  it('the real Stratus detonations raise no T1049 alert: their DescribeInstances calls inventory instances (T1580), not networks', () => {
    const records = readdirSync(STRATUS).filter((f) => f.endsWith('.json')).flatMap((f) => json(join(STRATUS, f)) as Rec[]);
    // The negative means something: EC2 Describe calls are there, network-mapping ones are not.
    assert.ok(records.filter((r) => r.eventName === 'DescribeInstances').length >= 33);
    assert.equal(records.filter((r) => names.includes(r.eventName)).length, 0);
    const { alerts } = hunt([STRATUS]);
    assert.deepEqual(alerts.filter(isT1049), []);
  });

  it('constructed: one low alert per network-mapping call, one medium burst per principal that mapped the network', () => {
    const file = join(FIXTURES, 'aws-network-mapping-constructed.json');
    const records = json(file) as Rec[];
    const mapping = records.filter((r) => r.eventSource === 'ec2.amazonaws.com' && names.includes(r.eventName));
    const { alerts } = hunt([file]);
    const single = titles(alerts, SINGLE.aws);
    assert.equal(single.length, mapping.length);
    assert.ok(single.every((a) => a.rule.level === 'low' && isT1049(a)));
    assert.deepEqual(single.map((a) => a.user).sort(), mapping.map((r) => r.userIdentity.arn).sort());

    const expected = expectedBursts(mapping.map((r) => ({ t: Date.parse(r.eventTime), group: r.userIdentity.arn, value: r.eventName })),
      burst.correlation.condition.gte, 10 * 60_000);
    const got = titles(alerts, BURST.aws);
    assert.deepEqual(got.map((a) => a.correlation!.group['userIdentity.arn']).sort(), [...expected].sort());
    // The fixture's two bursts (the stolen role session, alice); bob (slow), the CNI role (one API), carol (4 calls) do not fire.
    assert.deepEqual(expected.map((arn) => arn.split(':').pop()).sort(), ['assumed-role/web-app-instance-role/i-0a1b2c3d4e5f60718', 'user/alice']);
    for (const a of got) {
      assert.equal(a.rule.level, 'medium');
      assert.equal(a.correlation!.value, 5);
      assert.equal(a.correlation!.events.length, 5);
    }
  });

  it('the denied call (Client.UnauthorizedOperation) still counts as mapping', () => {
    const records = json(join(FIXTURES, 'aws-network-mapping-constructed.json')) as Rec[];
    const denied = records.find((r) => r.errorCode === 'Client.UnauthorizedOperation')!;
    const { alerts } = hunt([join(FIXTURES, 'aws-network-mapping-constructed.json')]);
    assert.ok(titles(alerts, SINGLE.aws).some((a) => (a.event as Rec).eventID === denied.eventID));
  });
});

describe('Azure', () => {
  const ops: string[] = ruleDoc('azure_network_mapping_call.yml').detection.selection.operationName.map((o: string) => o.toLowerCase());
  const gte: number = ruleDoc('azure_network_mapping_burst.yml').correlation.condition.gte;
  const files = ['azure-activity-resourcelog-constructed.json', 'azure-activity-rest-constructed.json', 'azure-activity-loganalytics-constructed.json'];
  /** operation, caller and time of each record, read from the layout's own members. */
  const rows = (f: string): { op: string; caller: string; t: number }[] => {
    const d = json(join(FIXTURES, f));
    if (d.records) return (d.records as Rec[]).map((r) => ({ op: r.operationName, caller: r.identity.claims['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'], t: Date.parse(r.time) }));
    if (d.value) return (d.value as Rec[]).map((r) => ({ op: r.operationName.value, caller: r.caller, t: Date.parse(r.eventTimestamp) }));
    return (d as Rec[]).map((r) => ({ op: r.OperationNameValue, caller: r.Caller, t: Date.parse(r.TimeGenerated) }));
  };

  it('each layout routes to the Azure rules: single operations low, bursts per caller medium', () => {
    const all = files.flatMap(rows);
    const mapping = all.filter((r) => ops.includes(r.op.toLowerCase()));
    const { alerts } = hunt(files.map((f) => join(FIXTURES, f)));
    const single = titles(alerts, SINGLE.azure);
    assert.equal(single.length, mapping.length);
    for (const f of files) assert.ok(single.some((a) => a.source.file.endsWith(f)), `${f} raises the single-operation rule`);
    assert.ok(single.every((a) => a.rule.level === 'low'));
    const expected = expectedBursts(mapping.map((r) => ({ t: r.t, group: r.caller, value: r.op })), gte, 10 * 60_000);
    assert.deepEqual(expected.sort(), ['eve@contoso.com', 'mallory@contoso.com']);
    assert.deepEqual(titles(alerts, BURST.azure).map((a) => a.correlation!.group.Caller).sort(), expected);
    assert.equal(alerts.filter((a) => isT1049(a) && ![SINGLE.azure, BURST.azure].includes(a.rule.title)).length, 0);
  });
});

describe('GCP', () => {
  const gte: number = ruleDoc('gcp_network_mapping_burst.yml').correlation.condition.gte;
  const pattern = new RegExp(ruleDoc('gcp_network_mapping_call.yml').detection.selection['gcp.audit.method_name|re|i'], 'i');

  it('a burst of VPC reads fires once for its principal; instance listing and a slow sequence do not', () => {
    const arr = json(join(FIXTURES, 'gcp-audit-network-mapping-constructed.json')) as Rec[];
    const wrapped = readFileSync(join(FIXTURES, 'gcp-audit-pubsub-slow-constructed.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Rec).data as Rec);
    const mapping = [...arr, ...wrapped].filter((e) => pattern.test(e.protoPayload.methodName));
    assert.ok(arr.some((e) => !pattern.test(e.protoPayload.methodName)), 'the fixture also holds calls that are not network mapping');
    const { alerts } = hunt([join(FIXTURES, 'gcp-audit-network-mapping-constructed.json'), join(FIXTURES, 'gcp-audit-pubsub-slow-constructed.jsonl')]);
    assert.equal(titles(alerts, SINGLE.gcp).length, mapping.length);
    const expected = expectedBursts(mapping.map((e) => ({ t: Date.parse(e.timestamp), group: e.protoPayload.authenticationInfo.principalEmail, value: e.protoPayload.methodName })), gte, 10 * 60_000);
    assert.deepEqual(expected, ['ci-runner@example-prod-4711.iam.gserviceaccount.com']);
    assert.deepEqual(titles(alerts, BURST.gcp).map((a) => a.correlation!.group['gcp.audit.authentication_info.principal_email']), expected);
  });
});
