/**
 * The built-in pack's network T1049 rules (rules/t1049/network/) on Zeek:
 * port and host fan-out (value_count correlations) fire on the constructed
 * scan and sweep and not on ordinary traffic; on the real corpus conn logs
 * they stay quiet, and the margin is measured here from the data itself.
 * srvsvc session enumeration fires on the constructed dce_rpc rows only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, corpus, filesUnder } from './corpus.js';
import { hunt, isT1049, readEvents } from './cloudnet-helpers.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'zeek');
const RULES = join(REPO_ROOT, 'rules', 't1049', 'network');
type Rec = Record<string, any>;
const docs = (file: string): Rec[] => parseAllDocuments(readFileSync(join(RULES, file), 'utf8')).map((d) => d.toJS() as Rec);
const [portStep, portFanout] = docs('zeek_port_fanout.yml');
const [hostStep, hostFanout] = docs('zeek_host_fanout.yml');
const WINDOW_MS = 5 * 60_000;
assert.equal(portFanout.correlation.timespan, '5m');
assert.equal(hostFanout.correlation.timespan, '5m');

interface Conn { t: number; orig: string; resp: string; port: number; proto: string }

/** The conn rows a file holds, read from its own text (TSV columns or JSON members). */
function connRows(path: string): Conn[] {
  const text = readFileSync(path, 'utf8');
  if (text.startsWith('#')) {
    const fields = /^#fields\t(.*)$/m.exec(text)![1].split('\t');
    return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
      const c = l.split('\t');
      const f = (n: string): string => c[fields.indexOf(n)];
      return { t: Number(f('ts')) * 1000, orig: f('id.orig_h'), resp: f('id.resp_h'), port: Number(f('id.resp_p')), proto: f('proto') };
    });
  }
  return text.split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as Rec;
    const g = (n: string): any => o[n] ?? o[n.replace('.', '_')];
    return { t: typeof o.ts === 'number' ? o.ts * 1000 : Date.parse(o.ts), orig: g('id.orig_h'), resp: g('id.resp_h'), port: g('id.resp_p'), proto: o.proto };
  });
}

/** RFC 1918, unique-local and link-local, as the host fan-out step's cidr list. */
function isInternal(ip: string): boolean {
  const m = /^(\d+)\.(\d+)\./.exec(ip);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return /^f[cd]/i.test(ip) || /^fe[89ab]/i.test(ip);
}

/** Most distinct values per group within the window, and the groups that reach `n` (firing, then starting afresh). */
function fanout(rows: { t: number; group: string; value: string }[], n: number): { max: number; fired: string[] } {
  const windows = new Map<string, { t: number; value: string }[]>();
  const fired: string[] = [];
  let max = 0;
  for (const r of [...rows].sort((a, b) => a.t - b.t)) {
    const w = (windows.get(r.group) ?? []).filter((x) => x.t >= r.t - WINDOW_MS);
    w.push(r);
    const distinct = new Set(w.map((x) => x.value)).size;
    max = Math.max(max, distinct);
    if (distinct >= n) {
      fired.push(r.group);
      windows.set(r.group, []);
    } else windows.set(r.group, w);
  }
  return { max, fired };
}

const portRows = (rows: Conn[]) => rows.filter((r) => portStep.detection.selection.proto.includes(r.proto))
  .map((r) => ({ t: r.t, group: `${r.orig} ${r.resp}`, value: String(r.port) }));
const hostRows = (rows: Conn[]) => rows.filter((r) => hostStep.detection.selection.proto.includes(r.proto) && isInternal(r.resp))
  .map((r) => ({ t: r.t, group: r.orig, value: r.resp }));

describe('fan-out on constructed scans (test/fixtures/zeek)', () => {
  const scan = join(FIXTURES, 'portscan-constructed_conn.log');
  const sweep = join(FIXTURES, 'hostsweep-constructed_conn.json');
  const { alerts } = hunt([FIXTURES]);

  it('a port scan fires once for its source and destination; the slow scan and DC traffic do not', () => {
    const expected = fanout(portRows(connRows(scan)), portFanout.correlation.condition.gte).fired;
    assert.deepEqual(expected, ['10.0.5.66 10.0.5.20']);
    const got = alerts.filter((a) => a.rule.title === portFanout.title);
    assert.deepEqual(got.map((a) => `${a.correlation!.group['id.orig_h']} ${a.correlation!.group['id.resp_h']}`), expected);
    // The alert names the scanning host.
    assert.deepEqual(got.map((a) => a.host), ['10.0.5.66']);
    assert.equal(got[0].correlation!.value, portFanout.correlation.condition.gte);
    assert.ok(got[0].correlation!.events.every((e) => e.file.endsWith('portscan-constructed_conn.log')));
  });

  it('a sweep of 30 hosts fires once for its source; Internet browsing and a workstation reaching 6 servers do not', () => {
    const expected = fanout(hostRows([...connRows(scan), ...connRows(sweep)]), hostFanout.correlation.condition.gte).fired;
    assert.deepEqual(expected, ['10.0.5.66']);
    const got = alerts.filter((a) => a.rule.title === hostFanout.title);
    assert.deepEqual(got.map((a) => a.correlation!.group['id.orig_h']), expected);
    // The sweep file is Zeek's plain JSON: no _path in it; the reader named it conn from the file name.
    assert.ok(!readFileSync(sweep, 'utf8').includes('_path'));
    assert.ok(got[0].correlation!.events.every((e) => e.file.endsWith('hostsweep-constructed_conn.json')));
  });

  it('the fan-out steps raise nothing of their own; srvsvc session and connection enumeration alert per call', () => {
    assert.equal(alerts.filter((a) => a.rule.title === portStep.title || a.rule.title === hostStep.title).length, 0);
    const srvsvc = alerts.filter((a) => a.rule.title.startsWith('SMB Session or Connection Enumeration'));
    const rows = readFileSync(join(FIXTURES, 'srvsvc-constructed_dce_rpc.log'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t')).filter((c) => c[8] === 'srvsvc' && ['NetrSessionEnum', 'NetrConnectionEnum'].includes(c[9]));
    assert.equal(srvsvc.length, rows.length);
    assert.deepEqual(srvsvc.map((a) => (a.event as Rec).operation), rows.map((c) => c[9]));
    // Each alert names the calling host (id.orig_h, the log's third column).
    assert.deepEqual(srvsvc.map((a) => a.host), rows.map((c) => c[2]));
    assert.ok(srvsvc.every((a) => isT1049(a) && a.rule.level === 'medium'));
  });
});

describe('the real corpus Zeek logs', () => {
  const zeek = corpus('zeek');
  const connFiles = filesUnder(zeek, 'conn.log');

  it('hold ordinary traffic well below both thresholds (measured: 8 ports per pair, 4 internal hosts per source, in 5 min)', async () => {
    assert.equal(connFiles.length, 14);
    // Rows as the reader gives them (the reader tests check them against the files' text).
    const rows: Conn[] = [];
    for (const f of connFiles) {
      for (const ev of await readEvents(f)) {
        rows.push({ t: Number(ev.get('ts')) * 1000, orig: String(ev.get('id.orig_h')), resp: String(ev.get('id.resp_h')),
          port: Number(ev.get('id.resp_p')), proto: String(ev.get('proto')) });
      }
    }
    assert.equal(rows.length, connFiles.reduce((n, f) => n + connRows(f).length, 0));
    const ports = fanout(portRows(rows), portFanout.correlation.condition.gte);
    const hosts = fanout(hostRows(rows), hostFanout.correlation.condition.gte);
    assert.equal(ports.max, 8);
    assert.equal(hosts.max, 4);
    assert.deepEqual([...ports.fired, ...hosts.fired], []);
  });

  it('raise no T1049 alert (the dce_rpc logs hold samr/lsarpc/drsuapi/svcctl calls, no srvsvc enumeration)', () => {
    const { alerts, stderr } = hunt([zeek]);
    assert.deepEqual(alerts.filter(isT1049), []);
    assert.match(stderr, /correlations: \d{4,} matches in, 0 fired/);
  });
});
