/**
 * The raw-line prefilter may only skip what cannot match — also for the
 * cloud and Zeek shapes, whose normalizers copy values under other names
 * (id_orig_h → id.orig_h, OperationNameValue → operationName) and cut some
 * out of longer strings (ResourceProviderValue, data.protoPayload.logName;
 * listed in derived-fields.ts). As JSON lines: every CloudTrail record of the
 * Stratus logs, the constructed Azure/GCP records, every Zeek JSON line of the
 * corpus; the SigmaHQ cloud and Zeek rules plus the built-in pack must raise
 * exactly the same alerts with the prefilter as without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor } from '../src/normalize/index.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import { REPO_ROOT, corpus, filesUnder } from './corpus.js';

type Rec = Record<string, any>;

async function alertKeys(detector: Detector, files: string[], prefilter: boolean): Promise<string[]> {
  const keys: string[] = [];
  const hunt = new Hunt(detector, { onAlert: (a) => keys.push(`${a.rule.id ?? a.rule.title} ${a.source.file}:${a.source.record}`), onError: () => {} }, prefilter);
  for (const f of files) await hunt.runFile(f, statSync(f).size);
  return keys.sort();
}

test('prefiltered hunt equals exhaustive hunt: SigmaHQ cloud/Zeek rules and the built-in pack over cloud and Zeek JSON lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cloud-prefilter-'));
  const lines = (name: string, objs: unknown[]): string => {
    const p = join(dir, name);
    writeFileSync(p, objs.map((o) => JSON.stringify(o)).join('\n') + '\n');
    return p;
  };
  const stratus = corpus('cloudtrail/DataDog-stratus-red-team/docs/detonation-logs');
  const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'cloud');
  const fx = (f: string): any => JSON.parse(readFileSync(join(fixtures, f), 'utf8'));
  // Two SigmaHQ rules read composed names (ResourceProviderValue; data.protoPayload.logName):
  // the cases they describe, written into the constructed layouts.
  const adhh = 'Microsoft.ADHybridHealthService/services/delete';
  const adhhId = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/hh-rg/providers/Microsoft.ADHybridHealthService/services/AdFederationService-contoso.com';
  const azureCases = [
    { ...fx('azure-activity-resourcelog-constructed.json').records[0], operationName: adhh.toUpperCase(), resourceId: adhhId.toUpperCase() },
    { ...fx('azure-activity-rest-constructed.json').value[0], operationName: { value: adhh, localizedValue: 'Delete' }, resourceId: adhhId,
      resourceProviderName: { value: 'Microsoft.ADHybridHealthService', localizedValue: 'Microsoft.ADHybridHealthService' } },
  ];
  const breakGlass = structuredClone(fx('gcp-audit-network-mapping-constructed.json')[0]);
  breakGlass.logName = 'projects/example-prod-4711/logs/cloudaudit.googleapis.com%2Factivity';
  breakGlass.resource = { type: 'k8s_cluster', labels: { project_id: 'example-prod-4711', cluster_name: 'prod', location: 'europe-west1' } };
  breakGlass.protoPayload.methodName = 'io.k8s.core.v1.pods.create';
  // As GKE writes it: the break-glass marker is a label key (Vigil's keyword search reads values, so the
  // SigmaHQ rule's keyword cannot match it); a rule of our own reads the composed logName instead.
  breakGlass.labels = { 'imagepolicywebhook.image-policy.k8s.io/break-glass': 'true' };
  const logNameRule = join(dir, 'gcp_logname.yml');
  writeFileSync(logNameRule, [
    'title: GKE pod created (Admin Activity log)', 'id: 0d7f5a4e-3c7b-4b51-9a53-5a8f8f0c2e11', 'logsource:', '  product: gcp', '  service: gcp.audit',
    'detection:', '  selection:', "    data.protoPayload.logName: 'cloudaudit.googleapis.com/activity'", "    data.protoPayload.resource.type: 'k8s_cluster'",
    '  condition: selection', 'level: low', ''].join('\n'));
  const files = [
    lines('cloudtrail.jsonl', readdirSync(stratus).filter((f) => f.endsWith('.json')).flatMap((f) => JSON.parse(readFileSync(join(stratus, f), 'utf8')) as Rec[])),
    lines('aws-constructed.jsonl', fx('aws-network-mapping-constructed.json')),
    lines('azure-constructed.jsonl', [...fx('azure-activity-resourcelog-constructed.json').records, ...fx('azure-activity-rest-constructed.json').value,
      ...fx('azure-activity-loganalytics-constructed.json'), ...azureCases]),
    lines('gcp-constructed.jsonl', [...fx('gcp-audit-network-mapping-constructed.json'), breakGlass, { data: breakGlass }]),
    join(fixtures, 'gcp-audit-pubsub-slow-constructed.jsonl'),
    ...filesUnder(corpus('zeek'), '.json'),
    ...filesUnder(corpus('zeek/OTRF-Security-Datasets/datasets/compound/apt29'), '.log'),
    join(REPO_ROOT, 'test', 'fixtures', 'zeek', 'hostsweep-constructed_conn.json'),
  ];
  const sigma = corpus('sigma-rules/rules');
  const docs = findRuleFiles([join(sigma, 'cloud', 'aws'), join(sigma, 'cloud', 'azure', 'activity_logs'), join(sigma, 'cloud', 'gcp', 'audit'),
    join(sigma, 'network', 'zeek'), join(REPO_ROOT, 'rules', 't1049'), logNameRule]).flatMap((f) => loadSigmaFile(f).documents);
  const detector = new Detector(docs, { derived: derivedPolicyFor });
  const fast = await alertKeys(detector, files, true);
  const slow = await alertKeys(detector, files, false);
  assert.ok(slow.length > 100, `the data should raise plenty of alerts, got ${slow.length}`);
  for (const product of ['cloudtrail.jsonl', 'azure-constructed', 'gcp-constructed', 'dce_rpc.json']) {
    assert.ok(slow.some((k) => k.includes(product)), `alerts on ${product}`);
  }
  const byId = (id: string): number => slow.filter((k) => k.startsWith(id + ' ')).length;
  assert.equal(byId('48739819-8230-4ee3-a8ea-e0289d1fb0ff'), 2, 'AD FS Hybrid Health service deleted: both Azure layouts');
  assert.equal(byId('0d7f5a4e-3c7b-4b51-9a53-5a8f8f0c2e11'), 2, 'logName as the log id: bare and Pub/Sub-wrapped LogEntry');
  assert.deepEqual(fast, slow);
});

test('the built-in pack stays free of needle-less rules (each would make every line of every hunt be parsed)', () => {
  const docs = findRuleFiles([join(REPO_ROOT, 'rules', 't1049')]).flatMap((f) => loadSigmaFile(f).documents);
  const detector = new Detector(docs, { derived: derivedPolicyFor });
  assert.equal(detector.needlelessCount, 0);
  assert.ok(detector.chunkFilter !== null);
});
