/**
 * `vigil coverage` logic on events built directly: the edge cases the corpus
 * lacks (auditd that lost its EXECVE records, FreeBSD without the argv
 * policy, a GCP project with admin activity only…), which data sources the
 * built-in pack reads (expected lists derived from the rule files), and the
 * tally itself.
 *
 * CONSTRUCTED EVENTS: every FlatEvent here is built directly, shaped as the
 * normalizers emit them (product, service, categories, the named fields,
 * host.name). The same reports on real files, through the real readers and
 * normalizers, are in test/coverage-platforms.test.ts and coverage-windows.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventLogsource, FieldValue } from '../src/core/event.js';
import { buildReport, type CoverageReport } from '../src/coverage/report.js';
import { ruleNeeds } from '../src/coverage/rule-needs.js';
import { DATA_SOURCES } from '../src/coverage/sources.js';
import { CoverageTally, OVERFLOW_HOST } from '../src/coverage/tally.js';
import { FlatEvent } from '../src/normalize/flat-event.js';
import { loadSigmaText } from '../src/sigma/load.js';
import type { SigmaCorrelation, SigmaRule } from '../src/sigma/model.js';
import { auditKey, hostOf, packDocs, packNeeds, pinsEventId, ruleStatusOf, sourceOf, titlesReading, unixProcessRule } from './coverage-helpers.js';

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
    // Every Linux process_creation rule, the product-less Unix helpers and their burst correlation.
    assert.deepEqual([...execve.neededBy].sort(), titlesReading(unixProcessRule('linux')));
    assert.ok(execve.neededBy.includes('Network Connections or Sessions Listed (Linux)'));
    const watch = sourceOf(host, 'linux/auditd-proc-net-watch');
    assert.equal(watch.status, 'missing');
    assert.match(watch.fix ?? '', /-w \/proc\/net\/tcp -p r/);
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (Linux)'), 'blind');
    assert.equal(ruleStatusOf(host, 'Socket Table Read by an Unexpected Program (Linux /proc/net)'), 'blind');
  });

  it('auditd with execve arguments and a /proc/net/tcp read: both present', () => {
    const host = hostOf(report, 'web2');
    assert.deepEqual([sourceOf(host, 'linux/auditd-execve').status, sourceOf(host, 'linux/auditd-execve').events], ['present', 1]);
    assert.deepEqual([sourceOf(host, 'linux/auditd-proc-net-watch').status, sourceOf(host, 'linux/auditd-proc-net-watch').events], ['present', 1]);
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (Linux)'), 'covered');
    // The /proc/net rule reads the watch, not execve: covered here, although it names no process_creation.
    assert.equal(ruleStatusOf(host, 'Socket Table Read by an Unexpected Program (Linux /proc/net)'), 'covered');
    // No socket(AF_NETLINK, NETLINK_SOCK_DIAG) call logged: the renamed-ss rule is blind.
    assert.equal(sourceOf(host, 'linux/auditd-sockdiag').status, 'missing');
    assert.equal(ruleStatusOf(host, 'Socket Dump over Netlink by an Unexpected Program (Linux sock_diag)'), 'blind');
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

  it('FreeBSD without the argv policy: exec auditing is degraded for the rules that read CommandLine; sockstat (Image only) stays covered', () => {
    const s = sourceOf(hostOf(report, 'bsd1'), 'freebsd/process-creation');
    assert.equal(s.status, 'degraded');
    assert.equal(s.problems.length, 1);
    assert.deepEqual([s.problems[0].eventsOff, s.problems[0].eventsJudged], [1, 1]);
    assert.match(s.fix ?? '', /add argv to the policy: line/);
    // From the rule files: every rule FreeBSD exec events reach whose detection reads CommandLine (lsof -i, who -a, ip …).
    const readsCommandLine = (d: { detection: string }): boolean => d.detection.includes('"CommandLine');
    const expected = titlesReading((d) => unixProcessRule('freebsd')(d) && readsCommandLine(d));
    assert.ok(expected.includes('Network Connections or Sessions Listed (FreeBSD)'));
    assert.deepEqual([...s.problems[0].rules].sort(), expected);
    const host = hostOf(report, 'bsd1');
    assert.equal(ruleStatusOf(host, 'Sockets Listed With sockstat (FreeBSD)'), 'covered');
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (FreeBSD)'), 'impaired');
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
    // A Zeek log names no host: the sensor is the folder its logs lie in.
    const a = sourceOf(hostOf(report, 'zeek sensor (logs in sensor-a)'), 'zeek/conn');
    assert.equal(a.status, 'missing');
    assert.match(a.fix ?? '', /^other Zeek logs from this sensor are here but no conn\.log/);
    assert.equal(sourceOf(hostOf(report, 'zeek sensor (logs in sensor-b)'), 'zeek/conn').status, 'present');
    assert.equal(sourceOf(hostOf(report, 'zeek sensor (logs in sensor-b)'), 'zeek/dce_rpc').status, 'missing');
  });
});

describe('vigil coverage: which rules need which source', () => {
  const readers = (id: string): string[] => packNeeds().filter((n) => n.sources.has(id)).map((n) => n.title).sort();
  const ls = (d: { logsource: { product?: string; service?: string; category?: string } }): { product?: string; service?: string; category?: string } => d.logsource;
  const windowsProcess = (d: Parameters<typeof pinsEventId>[0]): boolean =>
    ls(d).product === 'windows' && ls(d).category === 'process_creation' && ls(d).service === undefined;
  const mentions = (text: string) => (d: { detection: string }): boolean => d.detection.includes(text);

  /** Each data source and, from the rule files, the rules (and their correlations) that must read it. */
  const EXPECTED: [string, (d: Parameters<typeof pinsEventId>[0]) => boolean][] = [
    // Windows process_creation rules (no service) read both 4688 and Sysmon 1; the seed sequences pin 4688/4689 under service security.
    ['windows/security-4688', (d) => windowsProcess(d) || (ls(d).service === 'security' && pinsEventId(d, 4688))],
    ['windows/sysmon-1', windowsProcess],
    ['windows/sysmon-18', (d) => ls(d).product === 'windows' && ls(d).category === 'pipe_created'],
    ['windows/security-4689', (d) => ls(d).service === 'security' && pinsEventId(d, 4689)],
    ['windows/security-4703', (d) => pinsEventId(d, 4703)],
    ['windows/security-5145', (d) => ls(d).service === 'security' && pinsEventId(d, 5145)],
    ['windows/powershell-4103', (d) => ls(d).category === 'ps_module'],
    ['windows/powershell-4104', (d) => ls(d).category === 'ps_script'],
    // The product-less Unix helpers (cross-platform/) count on every Unix platform, never on Windows.
    ['linux/auditd-execve', unixProcessRule('linux')],
    // The audit keys rules/auditd/vigil-t1049.rules gives the /proc/net watches and the sock_diag socket rule.
    ['linux/auditd-proc-net-watch', mentions(auditKey(/^-w \/proc\/net\/tcp /))],
    ['linux/auditd-sockdiag', mentions(auditKey(/-S socket .*-F a2=4/))],
    ['macos/process-creation', unixProcessRule('macos')],
    ['freebsd/process-creation', unixProcessRule('freebsd')],
    ['aws/cloudtrail-ec2-read', (d) => ls(d).product === 'aws'],
    ['azure/activity-log', (d) => ls(d).product === 'azure'],
    ['gcp/compute-admin-read', (d) => ls(d).product === 'gcp'],
    ['zeek/conn', (d) => ls(d).product === 'zeek' && ls(d).service === 'conn'],
    ['zeek/dce_rpc', (d) => ls(d).product === 'zeek' && ls(d).service === 'dce_rpc'],
  ];

  it('every data source is read by exactly the rules its logsource, EventIDs and slice select in the rule files', () => {
    assert.deepEqual(EXPECTED.map(([id]) => id).sort(), DATA_SOURCES.map((s) => s.id).sort(), 'a data source without an expectation');
    for (const [id, pick] of EXPECTED) assert.deepEqual(readers(id), titlesReading(pick), id);
    // The cases that once went wrong, spelled out.
    assert.ok(readers('linux/auditd-proc-net-watch').includes('Socket Table Read by an Unexpected Program (Linux /proc/net)'));
    assert.ok(!readers('linux/auditd-execve').includes('Socket Table Read by an Unexpected Program (Linux /proc/net)'));
    assert.ok(!readers('windows/security-4688').includes('Net Exited (Security Log)'));
    const unixHelpers = packDocs().filter((d) => d.file.startsWith('cross-platform/')).map((d) => d.title);
    assert.ok(unixHelpers.length > 10);
    for (const t of unixHelpers) assert.ok(!readers('windows/sysmon-1').includes(t) && !readers('windows/security-4688').includes(t), t);
    assert.ok(readers('freebsd/process-creation').includes('Excessive Discovery Enumeration by One Account on One Host (Linux, macOS, FreeBSD)'));
  });

  it('every rule and correlation of the built-in pack reads some data source coverage checks', () => {
    const needs = packNeeds();
    assert.equal(needs.length, packDocs().length, 'every rule file document loaded');
    assert.deepEqual(needs.filter((n) => n.sources.size === 0).map((n) => n.title), []);
  });

  it('a new rule is covered without code changes, by its logsource, EventIDs, the texts it names and its path style', () => {
    const loaded = loadSigmaText(`
title: Script Reads the TCP Socket Table
id: 0e7f3f44-7d0e-4d1e-9d3a-3f3c1b9e2a10
logsource: {product: linux, service: auditd}
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
---
title: Unix Tool Without Product
id: 3c1f0a52-5d0e-4f5c-9a43-8f6f3f1c2b11
logsource: {category: process_creation}
detection:
  selection: {Image|endswith: [/nmap, /masscan]}
  condition: selection
---
title: Windows Tool Without Product
id: 9a6c2d1e-7b3f-4e8a-a5c4-1d2e3f4a5b6c
logsource: {category: process_creation}
detection:
  selection: {Image|endswith: '\\nmap.exe'}
  condition: selection
---
title: Subnet Listing by Regex
id: 4b7e9c1d-2a3f-4d5e-8f6a-7b8c9d0e1f2a
logsource: {product: gcp, service: gcp.audit}
detection:
  selection: {gcp.audit.method_name|re: '^v1\\.compute\\.subnetworks\\.list$'}
  condition: selection
`);
    assert.deepEqual(loaded.errors, []);
    const rules = loaded.documents.filter((d): d is SigmaRule => d.type === 'rule');
    const needs = ruleNeeds(rules, [] as SigmaCorrelation[], DATA_SOURCES);
    const sourcesOf = (title: string): string[] => [...needs.find((n) => n.title === title)!.sources].sort();
    // An auditd rule on an open, not an execve: the watch only.
    assert.deepEqual(sourcesOf('Script Reads the TCP Socket Table'), ['linux/auditd-proc-net-watch']);
    assert.deepEqual(sourcesOf('Session Enumeration Over srvsvc'), ['windows/security-5145']);
    assert.deepEqual(sourcesOf('Unix Tool Without Product'), ['freebsd/process-creation', 'linux/auditd-execve', 'macos/process-creation']);
    assert.deepEqual(sourcesOf('Windows Tool Without Product'), ['windows/security-4688', 'windows/sysmon-1']);
    // A regex's escaped dots still name the compute API.
    assert.deepEqual(sourcesOf('Subnet Listing by Regex'), ['gcp/compute-admin-read']);
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
