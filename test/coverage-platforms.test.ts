/**
 * `vigil coverage` end to end on the non-Windows logs, through the real
 * readers and normalizers: Linux auditd (the real T1049 capture, the corpus's
 * go-libaudit, LAUREL and OTRF logs), the macOS Elastic Endpoint corpus,
 * the stratus-red-team CloudTrail detonations, the corpus Zeek logs (OTRF JSON
 * and TSV, brimdata JSON), and the constructed eslogger, praudit, Azure, GCP
 * and Zeek fixtures. Every expected count is counted here from the raw text
 * (audit records, JSON members, TSV rows), independently of Vigil's reading.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildReport, type CoverageReport } from '../src/coverage/report.js';
import { scanFiles } from '../src/coverage/scan.js';
import { CoverageTally } from '../src/coverage/tally.js';
import { discoverFiles } from '../src/sources/discover.js';
import { corpus, filesUnder, REPO_ROOT } from './corpus.js';
import { coverageOfFiles, hostOf, packNeeds, ruleStatusOf, sourceOf, titlesReading, unixProcessRule } from './coverage-helpers.js';

const fixture = (p: string): string => join(REPO_ROOT, 'test', 'fixtures', p);
const unknownHost = (file: string): string => `(unknown host) in ${file}`;

/** A report that keeps going over read errors (some corpus logs hold damaged lines on purpose) and returns them. */
async function coverageTolerant(paths: string[]): Promise<{ report: CoverageReport; errors: string[] }> {
  const tally = new CoverageTally();
  const errors: string[] = [];
  await scanFiles(discoverFiles(paths, (p, m) => errors.push(`${p}: ${m}`)), tally, (f, m) => errors.push(`${f}: ${m}`));
  return { report: buildReport(tally, packNeeds(), { adsSources: true }), errors };
}

// ---------------------------------------------------------------- auditd, counted from the raw records

/** execve / execveat by the audit arch field (audit's AUDIT_ARCH_* values, the kernel's syscall tables). */
const EXEC_SYSCALLS: Record<string, readonly string[]> = {
  c000003e: ['59', '322'], // x86_64
  c00000b7: ['221', '281'], // aarch64
  '40000003': ['11', '358'], // i386
};

interface RawAuditEvent {
  node: string;
  types: Set<string>;
  execve: boolean;
  keys: Set<string>;
}

/** Groups raw audit records by (node, msg=audit(time:serial)), as auditd's own tools do. */
function rawAuditEvents(file: string): RawAuditEvent[] {
  const events = new Map<string, RawAuditEvent>();
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    const id = /msg=audit\((\d+\.\d+:\d+)\)/.exec(line)?.[1];
    const type = /(?:^|\s)type=(\S+)/.exec(line)?.[1];
    if (!id || !type) continue;
    const node = /^node=(\S+) /.exec(line)?.[1] ?? '';
    const key = `${node} ${id}`;
    const e = events.get(key) ?? { node, types: new Set<string>(), execve: false, keys: new Set<string>() };
    events.set(key, e);
    e.types.add(type);
    if (type !== 'SYSCALL') continue;
    const arch = / arch=([0-9a-f]+)/.exec(line)?.[1] ?? '';
    const syscall = / syscall=(\d+)/.exec(line)?.[1] ?? '';
    if (/ success="?yes/.test(line) && (EXEC_SYSCALLS[arch] ?? []).includes(syscall)) e.execve = true;
    const k = / key="([^"]+)"/.exec(line)?.[1];
    if (k) e.keys.add(k);
  }
  return [...events.values()];
}

const linuxRules = (): string[] => titlesReading((d) => d.logsource.product === 'linux' || unixProcessRule('linux')(d));

describe('vigil coverage on the real auditd capture (test/fixtures/auditd/t1049-capture.log)', () => {
  const CAPTURE = fixture('auditd/t1049-capture.log');
  const raw = rawAuditEvents(CAPTURE);

  it('execve, the /proc/net watch and the sock_diag rule are all present on host vm, and every Linux rule is covered', async () => {
    assert.deepEqual([...new Set(raw.map((e) => e.node))], ['vm']);
    const execs = raw.filter((e) => e.execve);
    const watch = raw.filter((e) => e.keys.has('vigil_t1049_procnet'));
    const sockdiag = raw.filter((e) => e.keys.has('vigil_t1049_sockdiag'));
    assert.ok(execs.length > 30 && watch.length > 10 && sockdiag.length > 0);
    // Every execve kept its arguments (EXECVE record), so nothing is degraded.
    assert.ok(execs.every((e) => e.types.has('EXECVE')));

    const host = hostOf(await coverageOfFiles([CAPTURE]), 'vm');
    assert.deepEqual(host.platforms, ['linux']);
    assert.equal(host.events, raw.length);
    const count = (id: string): [string, number, unknown[]] => {
      const s = sourceOf(host, id);
      return [s.status, s.events, s.problems];
    };
    assert.deepEqual(count('linux/auditd-execve'), ['present', execs.length, []]);
    assert.deepEqual(count('linux/auditd-proc-net-watch'), ['present', watch.length, []]);
    assert.deepEqual(count('linux/auditd-sockdiag'), ['present', sockdiag.length, []]);
    assert.deepEqual(host.rules.map((r) => r.rule).sort(), linuxRules());
    assert.deepEqual(host.rules.filter((r) => r.status !== 'covered'), []);
  });
});

describe('vigil coverage on the corpus auditd logs (go-libaudit, LAUREL, OTRF)', () => {
  const AUDITD = corpus('auditd');
  const RAW_FILES = [
    ...filesUnder(join(AUDITD, 'elastic-go-libaudit'), '.log'),
    ...filesUnder(join(AUDITD, 'OTRF-Security-Datasets'), '.log'),
    ...filesUnder(join(AUDITD, 'threathunters-io-laurel', 'src', 'testdata'), '.txt').filter((f) => dirname(f).endsWith('testdata')),
  ];

  it('per file (or node): execve present, degraded without arguments, or missing with the "auditd runs" fix, as the raw records say', async () => {
    assert.ok(RAW_FILES.length >= 30, `${RAW_FILES.length} raw audit logs`);
    const seen = { present: 0, degraded: 0, missing: 0 };
    for (const file of RAW_FILES) {
      const raw = rawAuditEvents(file);
      if (raw.length === 0) continue;
      const { report } = await coverageTolerant([file]);
      for (const node of new Set(raw.map((e) => e.node))) {
        const mine = raw.filter((e) => e.node === node);
        const execs = mine.filter((e) => e.execve);
        // A command line comes from the EXECVE record, or from PROCTITLE when EXECVE was not logged.
        const withArgs = execs.filter((e) => e.types.has('EXECVE') || e.types.has('PROCTITLE'));
        const expected = execs.length === 0 ? 'missing' : withArgs.length === 0 ? 'degraded' : 'present';
        const where = `${basename(file)} ${node || '(no node)'}`;
        const s = sourceOf(hostOf(report, node || unknownHost(file)), 'linux/auditd-execve');
        assert.deepEqual([s.status, s.events], [expected, execs.length], where);
        if (expected === 'missing') assert.match(s.fix ?? '', /^auditd runs but logs no execve/, where);
        seen[expected]++;
      }
    }
    // The corpus has all three cases.
    assert.ok(seen.present >= 5 && seen.degraded >= 1 && seen.missing >= 10, JSON.stringify(seen));
  });

  it('OTRF arp -a: execve present, but no /proc/net watch and no sock_diag rule; the rules on them are blind', async () => {
    const file = corpus('auditd/OTRF-Security-Datasets/datasets/atomic/linux/discovery/host/sh_arp_cache_2020-11-10074812.log');
    const raw = rawAuditEvents(file);
    assert.equal(raw.filter((e) => e.keys.size > 0).length, 0, 'no audit key at all: the capture used no watch');
    const host = hostOf(await coverageOfFiles([file]), unknownHost(file));
    assert.deepEqual([sourceOf(host, 'linux/auditd-execve').status, sourceOf(host, 'linux/auditd-execve').events], ['present', raw.filter((e) => e.execve).length]);
    const watch = sourceOf(host, 'linux/auditd-proc-net-watch');
    assert.equal(watch.status, 'missing');
    assert.match(watch.fix ?? '', /^auditd runs but no read of \/proc\/net\/tcp\* was logged: add -w \/proc\/net\/tcp -p r -k vigil_t1049_procnet/);
    assert.match(watch.note ?? '', /network namespace/);
    assert.match(sourceOf(host, 'linux/auditd-sockdiag').fix ?? '', /-S socket -F a0=16 -F a2=4/);
    assert.equal(ruleStatusOf(host, 'Network Connections or Sessions Listed (Linux)'), 'covered');
    assert.equal(ruleStatusOf(host, 'Socket Table Read by an Unexpected Program (Linux /proc/net)'), 'blind');
    assert.equal(ruleStatusOf(host, 'Socket Dump over Netlink by an Unexpected Program (Linux sock_diag)'), 'blind');
  });

  it('a user-space record\'s hostname= (the remote peer, or ?) never becomes the host: go-libaudit RHEL 7 is one host', async () => {
    const file = corpus('auditd/elastic-go-libaudit/auparse/testdata/audit-rhel7.log');
    assert.match(readFileSync(file, 'latin1'), / hostname=\?/);
    const { report } = await coverageTolerant([file]);
    assert.deepEqual(Object.keys(report.hosts), [unknownHost(file)]);
  });

  it('LAUREL JSON (LAUREL\'s own output): execve counted from the SYSCALL object, host from NODE', async () => {
    const dir = join(AUDITD, 'threathunters-io-laurel', 'src', 'testdata');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
    assert.ok(files.length >= 10);
    let total = 0;
    for (const file of files) {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
      type Syscall = { arch?: string; syscall?: number; SYSCALL?: string; success?: string };
      const docs = lines.map((l) => JSON.parse(l) as { NODE?: string; SYSCALL?: Syscall });
      // The ENRICHED name when LAUREL had it, else the number in the arch's table (arch written 0xc000003e).
      const isExecve = (s?: Syscall): boolean => s?.success === 'yes' &&
        (s.SYSCALL === 'execve' || s.SYSCALL === 'execveat' || (EXEC_SYSCALLS[(s.arch ?? '').replace(/^0x/, '')] ?? []).includes(String(s.syscall)));
      const { report } = await coverageTolerant([file]);
      for (const node of new Set(docs.map((d) => d.NODE))) {
        const execs = docs.filter((d) => d.NODE === node && isExecve(d.SYSCALL));
        total += execs.length;
        const s = sourceOf(hostOf(report, node ?? unknownHost(file)), 'linux/auditd-execve');
        assert.deepEqual([s.status === 'missing' ? 'missing' : 'seen', s.events], [execs.length ? 'seen' : 'missing', execs.length], basename(file));
      }
    }
    assert.ok(total >= 3, `${total} execve in LAUREL's JSON`);
  });
});

// ---------------------------------------------------------------- macOS and FreeBSD

describe('vigil coverage on macOS and FreeBSD logs', () => {
  it('the macOS Elastic Endpoint corpus: one Mac, its exec events present, every macOS rule covered', async () => {
    const files = filesUnder(corpus('macos/sbousseaden-macOS-ATTACK-DATASET'), '.json');
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    // Each saved Elasticsearch hit has its own _index; an exec is event.action "exec" (forks are not process creations).
    const events = text.match(/"_index"\s*:/g)?.length ?? 0;
    const execs = text.match(/"action"\s*:\s*"exec"/g)?.length ?? 0;
    const hosts = new Set([...text.matchAll(/"hostname"\s*:\s*"([^"]+)"/g)].map((m) => m[1]));
    assert.deepEqual([...hosts], ['Sisis-MacBook-Pro.local']);

    const report = await coverageOfFiles(files);
    assert.deepEqual(Object.keys(report.hosts), [...hosts]);
    const host = hostOf(report, 'Sisis-MacBook-Pro.local');
    assert.deepEqual([host.platforms, host.events, host.files], [['macos'], events, files.length]);
    const exec = sourceOf(host, 'macos/process-creation');
    assert.deepEqual([exec.status, exec.events, exec.problems], ['present', execs, []]);
    assert.deepEqual(Object.keys(host.dataSources), ['macos/process-creation']);
    assert.deepEqual(host.rules.map((r) => r.rule).sort(), titlesReading(unixProcessRule('macos')));
    assert.deepEqual(host.rules.filter((r) => r.status !== 'covered'), []);
  });

  it('constructed eslogger (Apple\'s documented JSON): exec events (event.exec) present; exit and fork are not executions', async () => {
    for (const name of ['eslogger_t1049_constructed.jsonl', 'eslogger_benign_constructed.jsonl']) {
      const file = fixture(`macos/${name}`);
      const docs = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { event: Record<string, unknown> });
      const execs = docs.filter((d) => 'exec' in d.event).length;
      // eslogger events carry no host name: the file is the unit.
      const host = hostOf(await coverageOfFiles([file]), unknownHost(file));
      assert.deepEqual([host.events, sourceOf(host, 'macos/process-creation').status, sourceOf(host, 'macos/process-creation').events],
        [docs.length, 'present', execs], name);
    }
  });

  it('constructed praudit -x trails: successful execve records present with their argv; a failed execve is not an execution', async () => {
    for (const name of ['praudit_t1049_constructed.xml', 'praudit_benign_constructed.xml', 'praudit_raw_oneline_constructed.xml']) {
      const file = fixture(`freebsd/${name}`);
      const records = readFileSync(file, 'utf8').split('<record ').slice(1);
      // execve(2), or event 23 (AUE_EXECVE in /etc/security/audit_event) as praudit -r prints it; errval success, or 0 with -r.
      const execs = records.filter((r) => /^version="\d+" event="(execve\(2\)|23)"/.test(r) && /<return errval="(success|0)"/.test(r));
      const withArgs = execs.filter((r) => r.includes('<exec_args>'));
      assert.equal(withArgs.length, execs.length, `${name}: every execve has its arguments (argv policy on)`);
      const host = hostOf(await coverageOfFiles([file]), unknownHost(file));
      const s = sourceOf(host, 'freebsd/process-creation');
      assert.deepEqual([host.events, s.status, s.events, s.problems], [records.length, 'present', execs.length, []], name);
    }
  });
});

// ---------------------------------------------------------------- cloud

describe('vigil coverage on cloud control-plane logs', () => {
  it('the 34 stratus-red-team CloudTrail detonations: per account, EC2 read events present, or missing with the fix the records point to', async () => {
    const dir = corpus('cloudtrail/DataDog-stratus-red-team/docs/detonation-logs');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
    assert.equal(files.length, 34);
    const report = await coverageOfFiles(files);
    const awsRules = titlesReading((d) => d.logsource.product === 'aws');
    assert.ok(awsRules.includes('AWS Virtual Network Mapped by One Principal'));
    let present = 0;
    for (const file of files) {
      const records = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
      const accounts = new Set(records.map((r) => String(r['recipientAccountId'])));
      assert.equal(accounts.size, 1, basename(file));
      const host = hostOf(report, `aws account ${[...accounts][0]}`);
      assert.equal(host.events, records.length, basename(file));
      const ec2Reads = records.filter((r) => r['eventSource'] === 'ec2.amazonaws.com' && r['readOnly'] === true).length;
      const anyRead = records.some((r) => r['readOnly'] === true);
      const s = sourceOf(host, 'aws/cloudtrail-ec2-read');
      assert.deepEqual([s.status, s.events], [ec2Reads ? 'present' : 'missing', ec2Reads], basename(file));
      if (!ec2Reads) {
        assert.match(s.fix ?? '', anyRead ? /none from ec2\.amazonaws\.com/ : /^no read-only event at all: the trail logs write-only/, basename(file));
      }
      assert.deepEqual([...s.neededBy].sort(), awsRules);
      for (const rule of awsRules) assert.equal(ruleStatusOf(host, rule), ec2Reads ? 'covered' : 'blind', `${basename(file)} ${rule}`);
      if (ec2Reads) present++;
    }
    // ec2-user-data (DescribeInstances ×32), ec2-steal-instance-credentials and two more hold EC2 reads.
    assert.ok(present >= 2);
  });

  it('constructed AWS, Azure and GCP fixtures: one unit per account, subscription and project, each source present', async () => {
    const dir = fixture('cloud');
    const report = await coverageOfFiles([dir]);
    const aws = JSON.parse(readFileSync(join(dir, 'aws-network-mapping-constructed.json'), 'utf8')) as { recipientAccountId: string; eventSource: string }[];
    const awsHost = hostOf(report, `aws account ${aws[0].recipientAccountId}`);
    assert.deepEqual([sourceOf(awsHost, 'aws/cloudtrail-ec2-read').status, sourceOf(awsHost, 'aws/cloudtrail-ec2-read').events],
      ['present', aws.filter((r) => r.eventSource === 'ec2.amazonaws.com').length]);

    // Azure: the diagnostic-settings {records}, the REST {value} and Log Analytics rows, one subscription.
    const azureDocs = ['azure-activity-resourcelog-constructed.json', 'azure-activity-rest-constructed.json', 'azure-activity-loganalytics-constructed.json']
      .flatMap((f) => {
        const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { records?: unknown[]; value?: unknown[] } | unknown[];
        return Array.isArray(d) ? d : d.records ?? d.value ?? [];
      });
    const subscriptions = new Set(JSON.stringify(azureDocs).match(/\/subscriptions\/[0-9a-f-]{36}/gi)?.map((s) => s.slice(15).toLowerCase()));
    assert.equal(subscriptions.size, 1);
    const azure = sourceOf(hostOf(report, `azure subscription ${[...subscriptions][0]}`), 'azure/activity-log');
    assert.deepEqual([azure.status, azure.events], ['present', azureDocs.length]);
    assert.match(azure.note ?? '', /not reads/);

    // GCP: a gcloud JSON array and decoded Pub/Sub messages ({"data": LogEntry}) of one project, all Data Access compute reads.
    const gcpEntries = [
      ...(JSON.parse(readFileSync(join(dir, 'gcp-audit-network-mapping-constructed.json'), 'utf8')) as Record<string, unknown>[]),
      ...readFileSync(join(dir, 'gcp-audit-pubsub-slow-constructed.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { data: Record<string, unknown> }).data),
    ] as { logName: string; protoPayload: { serviceName: string }; resource: { labels: { project_id: string } } }[];
    const projects = new Set(gcpEntries.map((e) => e.resource.labels.project_id));
    assert.equal(projects.size, 1);
    const reads = gcpEntries.filter((e) => e.protoPayload.serviceName === 'compute.googleapis.com' && e.logName.endsWith('%2Fdata_access')).length;
    const gcp = sourceOf(hostOf(report, `gcp project ${[...projects][0]}`), 'gcp/compute-admin-read');
    assert.deepEqual([gcp.status, gcp.events], ['present', reads]);
    assert.deepEqual(Object.keys(report.hosts).length, 3);
  });
});

// ---------------------------------------------------------------- Zeek

describe('vigil coverage on Zeek logs', () => {
  const ZEEK = corpus('zeek');

  it('OTRF APT29 (Zeek JSON): one report per sensor (@system), conn and dce_rpc counted per sensor', async () => {
    const files = filesUnder(join(ZEEK, 'OTRF-Security-Datasets', 'datasets', 'compound', 'apt29'), '.log');
    const rows = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { '@stream': string; '@system': string }));
    const report = await coverageOfFiles(files);
    const sensors = [...new Set(rows.map((r) => r['@system']))].sort();
    assert.equal(sensors.length, 3);
    assert.deepEqual(Object.keys(report.hosts), sensors.map((s) => `zeek sensor ${s}`));
    for (const sensor of sensors) {
      const host = hostOf(report, `zeek sensor ${sensor}`);
      const of = (stream: string): number => rows.filter((r) => r['@system'] === sensor && r['@stream'] === stream).length;
      assert.deepEqual([sourceOf(host, 'zeek/conn').status, sourceOf(host, 'zeek/conn').events], ['present', of('conn')], sensor);
      assert.deepEqual([sourceOf(host, 'zeek/dce_rpc').status, sourceOf(host, 'zeek/dce_rpc').events], ['present', of('dce_rpc')], sensor);
      assert.deepEqual(host.rules.filter((r) => r.status !== 'covered'), []);
    }
  });

  it('OTRF LSASS campaigns (Zeek TSV): a sensor is the folder of its logs; conn present, dce_rpc never logged', async () => {
    const dirs = readdirSync(join(ZEEK, 'OTRF-Security-Datasets', 'datasets', 'compound'))
      .filter((d) => d.startsWith('LSASS_campaign_')).map((d) => join(ZEEK, 'OTRF-Security-Datasets', 'datasets', 'compound', d, 'zeek'));
    assert.equal(dirs.length, 6);
    const report = await coverageOfFiles(dirs);
    assert.equal(Object.keys(report.hosts).length, dirs.length);
    for (const dir of dirs) {
      const host = hostOf(report, `zeek sensor (logs in ${dir})`);
      assert.equal(host.files, readdirSync(dir).filter((f) => f.endsWith('.log')).length);
      const conn = readFileSync(join(dir, 'conn.log'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).length;
      assert.deepEqual([sourceOf(host, 'zeek/conn').status, sourceOf(host, 'zeek/conn').events], ['present', conn], dir);
      const dce = sourceOf(host, 'zeek/dce_rpc');
      assert.equal(dce.status, 'missing');
      assert.match(dce.fix ?? '', /^other Zeek logs from this sensor are here but no dce_rpc\.log/);
      assert.equal(ruleStatusOf(host, 'SMB Session or Connection Enumeration over srvsvc (Zeek DCE-RPC)'), 'blind');
      assert.equal(ruleStatusOf(host, 'One Source Reaching Many Internal Hosts (Zeek)'), 'covered');
    }
  });

  it('brimdata WRCCDC (Zeek JSON without conn.log, absent from that snapshot): conn missing, dce_rpc present', async () => {
    const dir = join(ZEEK, 'brimdata-zed-sample-data', 'zeek-json');
    const dce = readFileSync(join(dir, 'dce_rpc.json'), 'utf8').split('\n').filter((l) => l.trim()).length;
    const host = hostOf(await coverageOfFiles([dir]), `zeek sensor (logs in ${dir})`);
    const conn = sourceOf(host, 'zeek/conn');
    assert.equal(conn.status, 'missing');
    assert.match(conn.fix ?? '', /^other Zeek logs from this sensor are here but no conn\.log/);
    assert.deepEqual([sourceOf(host, 'zeek/dce_rpc').status, sourceOf(host, 'zeek/dce_rpc').events], ['present', dce]);
    assert.equal(ruleStatusOf(host, 'One Source Probing Many Ports of One Host (Zeek)'), 'blind');
  });

  it('the constructed Zeek fixtures (TSV and JSON conn, TSV dce_rpc) form one sensor with both sources present', async () => {
    const dir = fixture('zeek');
    const rows = (f: string): number => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).length;
    const host = hostOf(await coverageOfFiles([dir]), `zeek sensor (logs in ${dir})`);
    assert.deepEqual([sourceOf(host, 'zeek/conn').status, sourceOf(host, 'zeek/conn').events],
      ['present', rows('hostsweep-constructed_conn.json') + rows('portscan-constructed_conn.log')]);
    assert.deepEqual([sourceOf(host, 'zeek/dce_rpc').status, sourceOf(host, 'zeek/dce_rpc').events], ['present', rows('srvsvc-constructed_dce_rpc.log')]);
  });
});
