/**
 * `vigil coverage` for the platforms whose normalizers are being built in
 * other branches (auditd, macOS, FreeBSD, CloudTrail, Azure, GCP, Zeek).
 *
 * CONSTRUCTED EVENTS: every FlatEvent here is built directly, shaped as the
 * lead's contract says those normalizers will emit them (product, service,
 * categories, the named fields, host.name). The CloudTrail tests use the REAL
 * stratus-red-team records, flattened as the contract says (product aws,
 * service cloudtrail, the record's own fields); expected counts are counted
 * here from those raw records. End-to-end tests through the real
 * normalizers come after the merge.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { EventLogsource, FieldValue } from '../src/core/event.js';
import { buildReport, type CoverageReport } from '../src/coverage/report.js';
import { ruleNeeds } from '../src/coverage/rule-needs.js';
import { DATA_SOURCES } from '../src/coverage/sources.js';
import { CoverageTally, OVERFLOW_HOST } from '../src/coverage/tally.js';
import { FlatEvent, flattenInto } from '../src/normalize/flat-event.js';
import { loadSigmaText } from '../src/sigma/load.js';
import type { SigmaCorrelation, SigmaRule } from '../src/sigma/model.js';
import { corpus } from './corpus.js';
import { hostOf, packNeeds, ruleStatusOf, sourceOf } from './coverage-helpers.js';

/** CONSTRUCTED: an event as a contract normalizer would emit it. */
function contractEvent(logsource: { product: string; service?: string; categories?: string[] }, fields: Record<string, FieldValue>): FlatEvent {
  const ev = new FlatEvent();
  for (const [k, v] of Object.entries(fields)) ev.put(k, v);
  ev.logsource = { product: logsource.product, service: logsource.service, categories: logsource.categories ?? [] } satisfies EventLogsource;
  return ev;
}

function reportOf(events: [FlatEvent, string][]): CoverageReport {
  const tally = new CoverageTally();
  for (const [ev, file] of events) tally.add(ev, file);
  return buildReport(tally, packNeeds(), { adsSources: true });
}

const STRATUS = 'cloudtrail/DataDog-stratus-red-team/docs/detonation-logs/';

/** REAL CloudTrail records, shaped as the contract's CloudTrail normalizer will emit them. */
function stratusEvents(name: string): { raw: Record<string, unknown>[]; events: [FlatEvent, string][] } {
  const file = corpus(STRATUS + name);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  const events = raw.map((r): [FlatEvent, string] => {
    const ev = new FlatEvent();
    flattenInto(ev, r, '');
    ev.logsource = { product: 'aws', service: 'cloudtrail', categories: [] };
    return [ev, file];
  });
  return { raw, events };
}

describe('vigil coverage: CloudTrail (real stratus records, contract-shaped)', () => {
  const userData = stratusEvents('aws.execution.ec2-user-data.json');
  const shareAmi = stratusEvents('aws.exfiltration.ec2-share-ami.json');
  const secrets = stratusEvents('aws.credential-access.secretsmanager-retrieve-secrets.json');
  const report = reportOf([...userData.events, ...shareAmi.events, ...secrets.events]);
  const account = (raw: Record<string, unknown>[]): string => `aws account ${String(raw[0]['recipientAccountId'])}`;
  const ec2Reads = (raw: Record<string, unknown>[]): number =>
    raw.filter((r) => r['eventSource'] === 'ec2.amazonaws.com' && r['readOnly'] === true).length;

  it('groups CloudTrail by account, one account per detonation', () => {
    assert.deepEqual(Object.keys(report.hosts).sort(), [account(userData.raw), account(shareAmi.raw), account(secrets.raw)].sort());
  });

  it('EC2 read events present where the trail holds Describe* calls', () => {
    const expected = ec2Reads(userData.raw);
    assert.ok(expected > 0);
    const host = hostOf(report, account(userData.raw));
    const s = sourceOf(host, 'aws/cloudtrail-ec2-read');
    assert.deepEqual([s.status, s.events], ['present', expected]);
    assert.deepEqual(s.neededBy, ['AWS Virtual Network Mapping Call']);
    assert.equal(ruleStatusOf(host, 'AWS Virtual Network Mapping Call'), 'covered');
  });

  it('no read-only event at all: the trail logs write-only management events', () => {
    assert.equal(shareAmi.raw.filter((r) => r['readOnly'] === true).length, 0);
    const host = hostOf(report, account(shareAmi.raw));
    const s = sourceOf(host, 'aws/cloudtrail-ec2-read');
    assert.equal(s.status, 'missing');
    assert.match(s.fix ?? '', /^no read-only event at all: the trail logs write-only management events; set ReadWriteType to All/);
    assert.equal(ruleStatusOf(host, 'AWS Virtual Network Mapping Call'), 'blind');
  });

  it('read-only events, none from EC2: the fix points at EC2 being excluded', () => {
    assert.ok(secrets.raw.some((r) => r['readOnly'] === true));
    assert.equal(ec2Reads(secrets.raw), 0);
    const s = sourceOf(hostOf(report, account(secrets.raw)), 'aws/cloudtrail-ec2-read');
    assert.equal(s.status, 'missing');
    assert.match(s.fix ?? '', /none from ec2\.amazonaws\.com/);
  });
});

describe('vigil coverage: Linux auditd, macOS, FreeBSD (constructed events)', () => {
  const auditd = (host: string, categories: string[], fields: Record<string, FieldValue>): [FlatEvent, string] =>
    [contractEvent({ product: 'linux', service: 'auditd', categories }, { 'host.name': host, ...fields }), 'audit.log'];
  const report = reportOf([
    // web1: auditd runs, but only a file rule fired: no execve rule, no /proc/net watch.
    auditd('web1', [], { type: ['SYSCALL', 'CWD', 'PATH'], syscall: 'openat', key: 'passwd', name: ['/etc/passwd'] }),
    // web2: execve with arguments, and a watched read of /proc/net/tcp.
    auditd('web2', ['process_creation'], { type: ['SYSCALL', 'EXECVE', 'PATH'], syscall: 'execve', Image: '/usr/bin/ss', CommandLine: 'ss -tanp', key: 'exec' }),
    auditd('web2', [], { type: ['SYSCALL', 'CWD', 'PATH'], syscall: 'openat', key: 'proc_net', name: ['/proc/net/tcp'] }),
    // web3: execve events that lost their EXECVE records (no command line).
    auditd('web3', ['process_creation'], { type: ['SYSCALL', 'PATH'], syscall: 'execve', Image: '/usr/bin/who', key: 'exec' }),
    [contractEvent({ product: 'macos', categories: ['process_creation'] }, { 'host.name': 'mac1', Image: '/usr/sbin/lsof', CommandLine: 'lsof -i' }), 'es.json'],
    [contractEvent({ product: 'freebsd', categories: ['process_creation'] }, { 'host.name': 'bsd1', Image: '/usr/bin/sockstat' }), 'trail.xml'],
    [contractEvent({ product: 'freebsd', categories: [] }, { 'host.name': 'bsd2', event: 'AUE_OPEN_R' }), 'trail.xml'],
  ]);

  it('auditd without an execve rule and without the /proc/net watch: both missing, with auditd-specific fixes', () => {
    const host = hostOf(report, 'web1');
    const execve = sourceOf(host, 'linux/auditd-execve');
    assert.equal(execve.status, 'missing');
    assert.match(execve.fix ?? '', /^auditd runs but logs no execve: add -a always,exit -F arch=b64 -S execve/);
    assert.deepEqual(execve.neededBy, ['Network Connections or Sessions Listed (Linux)']);
    const watch = sourceOf(host, 'linux/auditd-proc-net-watch');
    assert.equal(watch.status, 'missing');
    assert.match(watch.fix ?? '', /-w \/proc\/net\/tcp -p r/);
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (Linux)'), 'blind');
  });

  it('auditd with execve arguments and a /proc/net/tcp read: both present', () => {
    const host = hostOf(report, 'web2');
    assert.deepEqual([sourceOf(host, 'linux/auditd-execve').status, sourceOf(host, 'linux/auditd-execve').events], ['present', 1]);
    assert.deepEqual([sourceOf(host, 'linux/auditd-proc-net-watch').status, sourceOf(host, 'linux/auditd-proc-net-watch').events], ['present', 1]);
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (Linux)'), 'covered');
  });

  it('execve without arguments is degraded: the Linux rule reads CommandLine (lsof -i, who -a)', () => {
    const s = sourceOf(hostOf(report, 'web3'), 'linux/auditd-execve');
    assert.equal(s.status, 'degraded');
    assert.deepEqual(s.problems.map((p) => [p.problem, p.eventsOff]), [['process events carry no command line', 1]]);
    assert.match(s.fix ?? '', /msgtype=EXECVE/);
  });

  it('macOS exec events present; only the platforms seen on a host are checked', () => {
    const host = hostOf(report, 'mac1');
    assert.deepEqual(host.platforms, ['macos']);
    assert.deepEqual(Object.keys(host.dataSources), ['macos/process-creation']);
    assert.equal(sourceOf(host, 'macos/process-creation').status, 'present');
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (macOS)'), 'covered');
  });

  it('FreeBSD: no argv does not degrade exec auditing, since the sockstat rule reads only Image; no exec at all is missing', () => {
    const s = sourceOf(hostOf(report, 'bsd1'), 'freebsd/process-creation');
    assert.deepEqual([s.status, s.problems], ['present', []]);
    const none = sourceOf(hostOf(report, 'bsd2'), 'freebsd/process-creation');
    assert.equal(none.status, 'missing');
    assert.match(none.fix ?? '', /add the ex class to flags:/);
  });
});

describe('vigil coverage: Azure, GCP, Zeek (constructed events)', () => {
  const gcp = (project: string, logName: string, method: string): [FlatEvent, string] => [contractEvent({ product: 'gcp', service: 'gcp.audit' }, {
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2F${logName}`,
    'protoPayload.serviceName': 'compute.googleapis.com',
    'protoPayload.methodName': method,
    'resource.labels.project_id': project,
  }), 'gcp.json'];
  const report = reportOf([
    gcp('p1', 'activity', 'v1.compute.instances.insert'),
    gcp('p2', 'data_access', 'v1.compute.networks.list'),
    [contractEvent({ product: 'azure', service: 'activitylogs' }, {
      operationName: 'MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE',
      resourceId: '/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1',
    }), 'azure.json'],
    [contractEvent({ product: 'zeek', service: 'dns' }, { query: 'example.org' }), 'sensor-a/dns.log'],
    [contractEvent({ product: 'zeek', service: 'conn' }, { 'id.orig_h': '10.0.0.5', 'id.resp_p': 445 }), 'sensor-b/conn.log'],
  ]);

  it('GCP admin activity only: Data Access (ADMIN_READ) for Compute Engine is off', () => {
    const s = sourceOf(hostOf(report, 'gcp project p1'), 'gcp/compute-admin-read');
    assert.equal(s.status, 'missing');
    assert.match(s.fix ?? '', /Data Access audit logs are off by default; enable ADMIN_READ for Compute Engine API/);
    assert.equal(sourceOf(hostOf(report, 'gcp project p2'), 'gcp/compute-admin-read').status, 'present');
  });

  it('Azure Activity Log present, grouped by subscription, with the read blind spot noted', () => {
    const s = sourceOf(hostOf(report, 'azure subscription 0b1f6471-1bf0-4dda-aec3-cb9272f09590'), 'azure/activity-log');
    assert.equal(s.status, 'present');
    assert.match(s.note ?? '', /not reads/);
  });

  it('Zeek: a sensor without conn.log is told to ship it', () => {
    const a = sourceOf(hostOf(report, '(unknown host) in sensor-a/dns.log'), 'zeek/conn');
    assert.equal(a.status, 'missing');
    assert.match(a.fix ?? '', /^other Zeek logs from this sensor are here but no conn\.log/);
    assert.equal(sourceOf(hostOf(report, '(unknown host) in sensor-b/conn.log'), 'zeek/conn').status, 'present');
  });
});

describe('vigil coverage: which rules need which source', () => {
  const readers = (id: string): string[] => packNeeds().filter((n) => n.sources.has(id)).map((n) => n.title).sort();

  it('derives the built-in pack\'s needs from its rule files', () => {
    // rules/t1049/windows/*.yml with category process_creation (no service) read both 4688 and Sysmon 1.
    assert.deepEqual(readers('windows/sysmon-1'), [
      'Get-NetTCPConnection on a Process Command Line',
      'Network Connections Listed With Netstat (Windows)',
      'Network Shares or Sessions Listed With net.exe',
      'SharpView Executed',
    ]);
    // The sequences' exit steps pin EventID 4689 under service security; the correlations inherit them.
    assert.deepEqual(readers('windows/security-4689'), [
      'Net Exited (Security Log)',
      'Net Use Run to Completion (Security Log Sequence)',
      'Netstat Process Exited (Security Log)',
      'Netstat Run to Completion (Security Log Sequence)',
    ]);
    assert.ok(!readers('windows/security-4688').includes('Net Exited (Security Log)'));
    assert.deepEqual(readers('windows/powershell-4103'), ['Get-NetTCPConnection Invoked (PowerShell Module Logging)']);
    assert.deepEqual(readers('linux/auditd-execve'), ['Network Connections or Sessions Listed (Linux)']);
    assert.deepEqual(readers('freebsd/process-creation'), ['Sockets Listed With sockstat (FreeBSD)']);
    assert.deepEqual(readers('aws/cloudtrail-ec2-read'), ['AWS Virtual Network Mapping Call']);
    assert.deepEqual(readers('linux/auditd-proc-net-watch'), []);
  });

  it('a new rule is covered without code changes, by its logsource, EventIDs and the texts it names', () => {
    const loaded = loadSigmaText(`
title: Script Reads the TCP Socket Table
id: 0e7f3f44-7d0e-4d1e-9d3a-3f3c1b9e2a10
logsource: {product: linux, category: file_access}
detection:
  selection: {name: /proc/net/tcp}
  condition: selection
---
title: Session Enumeration Over srvsvc
id: 5a0f1f7e-2c55-4c44-8a7c-7f3e1f0b9d21
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 5145, RelativeTargetName: srvsvc}
  condition: selection
`);
    assert.deepEqual(loaded.errors, []);
    const rules = loaded.documents.filter((d): d is SigmaRule => d.type === 'rule');
    const needs = ruleNeeds(rules, [] as SigmaCorrelation[], DATA_SOURCES);
    const sourcesOf = (title: string): string[] => [...needs.find((n) => n.title === title)!.sources];
    assert.deepEqual(sourcesOf('Script Reads the TCP Socket Table'), ['linux/auditd-proc-net-watch']);
    assert.deepEqual(sourcesOf('Session Enumeration Over srvsvc'), ['windows/security-5145']);
  });
});

describe('vigil coverage: tally', () => {
  it('a setting seen on in any event of the host is on: one empty command line among many does not degrade 4688', () => {
    const ev = (cmd: string): [FlatEvent, string] => [contractEvent({ product: 'windows', service: 'security', categories: ['process_creation'] },
      { Computer: 'ws1', EventID: 4688, CommandLine: cmd, ParentProcessName: 'C:\\Windows\\explorer.exe' }), 'x.json'];
    const mixed = sourceOf(hostOf(reportOf([ev(''), ev('netstat -ano')]), 'ws1'), 'windows/security-4688');
    assert.deepEqual([mixed.status, mixed.problems], ['present', []]);
    const none = sourceOf(hostOf(reportOf([ev(''), ev('-')]), 'ws1'), 'windows/security-4688');
    assert.equal(none.status, 'degraded');
  });


  it('counts hosts beyond the cap under one overflow entry', () => {
    const tally = new CoverageTally(DATA_SOURCES, 3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      tally.add(contractEvent({ product: 'windows', service: 'security', categories: ['process_creation'] }, { Computer: name, EventID: 4688 }), 'x.json');
    }
    assert.deepEqual([...tally.hosts.keys()], ['a', 'b', 'c', OVERFLOW_HOST]);
    assert.equal(tally.hosts.get(OVERFLOW_HOST)!.events, 2);
  });
});
