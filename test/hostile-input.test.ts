/**
 * Hostile input against the readers and normalizers added for Linux, FreeBSD,
 * macOS and Zeek: each case comes from a review that made it crash a file's
 * reader, hang, or grow memory. Every input here is CONSTRUCTED (written by
 * the test to be hostile), built from the real fixtures' own lines where it
 * can be. The file must go on after the bad record, in bounded time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../src/core/alert.js';
import { loadRules } from '../src/cli/rule-loading.js';
import { createHunt } from '../src/pipeline/create-hunt.js';
import { REPO_ROOT } from './corpus.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-hostile-'));
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
const { detector } = loadRules([], true, new Map());

interface Outcome { alerts: Alert[]; errors: { message: string; record?: number }[]; events: number; ms: number }

async function hunt(name: string, text: string): Promise<Outcome> {
  const path = join(tmp, name);
  writeFileSync(path, text);
  const out: Outcome = { alerts: [], errors: [], events: 0, ms: 0 };
  const { hunt: h } = createHunt(detector, {
    onAlert: (a) => void out.alerts.push(a),
    onError: (_f, message, record) => void out.errors.push({ message, record }),
  });
  const t = performance.now();
  await h.runFile(path, statSync(path).size);
  h.finish();
  out.ms = performance.now() - t;
  out.events = h.stats.events;
  return out;
}

const noReadFailure = (o: Outcome): void =>
  assert.deepEqual(o.errors.filter((e) => /read failed/.test(e.message)).map((e) => e.message), []);

describe('hostile input (constructed)', () => {
  it('auditd: records typed constructor / __proto__ / toString are data, and the file goes on', async () => {
    const ss = 'type=SYSCALL msg=audit(1795993496.494:6): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=7989 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4 comm="ss" exe="/usr/bin/ss" key="k"\n' +
      'type=EXECVE msg=audit(1795993496.494:6): argc=2 a0="ss" a1="-ant"\n';
    const text = ss +
      'type=constructor msg=audit(1795993496.500:7): x=1\ntype=__proto__ msg=audit(1795993496.500:7): x=2\ntype=toString msg=audit(1795993496.500:7): x=3\n' +
      ss.replace(/:6\)/g, ':8)').replace('pid=7989', 'pid=7990');
    const o = await hunt('proto.log', text);
    noReadFailure(o);
    assert.equal(o.events, 3);
    // both ss runs, before and after the odd event, alert
    assert.deepEqual(o.alerts.filter((a) => a.rule.id === '2fcf4bb0-6c2b-4da9-bd90-0f12a278adee').map((a) => a.source.record), [1, 6]);
  });

  it('a time beyond what a Date holds is no time, and later records still alert (Zeek dce_rpc)', async () => {
    const rows = readFileSync(join(FIXTURES, 'zeek', 'srvsvc-constructed_dce_rpc.log'), 'utf8').split('\n');
    const sessionEnum = rows.find((l) => l.endsWith('\tNetrSessionEnum'));
    assert.ok(sessionEnum);
    const header = rows.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
    const bad = sessionEnum.replace(/^[^\t]+/, '1e20');
    const o = await hunt('ts_dce_rpc.log', [...header, bad, sessionEnum, ''].join('\n'));
    noReadFailure(o);
    assert.equal(o.events, 2);
    const srvsvc = o.alerts.filter((a) => /srvsvc|Session/i.test(a.rule.title));
    assert.equal(srvsvc.length, 2, 'both rows alert; the first has no time');
    assert.equal(srvsvc[0].time, undefined);
    assert.match(srvsvc[1].time ?? '', /^20\d\d-/);
  });

  it('LAUREL JSON: a record with 60,000 values normalizes in linear time', async () => {
    const values = Array.from({ length: 60000 }, (_, i) => i);
    const o = await hunt('laurel-wide.jsonl', JSON.stringify({ ID: '1795993496.494:6', SYSCALL: { syscall: '59', x: values } }) + '\n');
    noReadFailure(o);
    assert.equal(o.events, 1);
    assert.ok(o.ms < 5000, `${o.ms} ms`);
  });

  it('praudit: 30,000 repeated <exec_args> are appended, not re-copied each time', async () => {
    const xml = readFileSync(join(FIXTURES, 'freebsd', 'praudit_t1049_constructed.xml'), 'utf8');
    const first = xml.indexOf('<exec_args>');
    const repeated = '<exec_args><arg>x</arg></exec_args>\n'.repeat(30000);
    const o = await hunt('args.xml', xml.slice(0, first) + repeated + xml.slice(first));
    noReadFailure(o);
    assert.ok(o.ms < 5000, `${o.ms} ms`);
    assert.ok(o.alerts.length > 0, 'the trail still alerts');
  });

  it('praudit: 500,000 bare & in a path cost linear time', async () => {
    const xml = readFileSync(join(FIXTURES, 'freebsd', 'praudit_t1049_constructed.xml'), 'utf8');
    const o = await hunt('amp.xml', xml.replace('<path>', `<path>${'&'.repeat(500000)}`));
    noReadFailure(o);
    assert.ok(o.ms < 5000, `${o.ms} ms`);
  });

  it('eslogger: an argv of 200,000 numbers gives a few problems, not 200,000', async () => {
    const line = JSON.parse(readFileSync(join(FIXTURES, 'macos', 'eslogger_t1049_constructed.jsonl'), 'utf8').split('\n')[0]);
    line.event.exec.args = ['netstat', ...Array.from({ length: 200000 }, () => 1)];
    const o = await hunt('argv.jsonl', JSON.stringify(line) + '\n');
    noReadFailure(o);
    assert.ok(o.errors.length <= 10, `${o.errors.length} errors`);
    assert.match(o.errors[o.errors.length - 1].message, /199995 more arguments of the wrong type/);
  });

  it('a one-megabyte key over 2,000 leaves is reported and left out, in bounded time', async () => {
    const inner: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) inner[`a${i}`] = i;
    // One document (no line end): read whole and normalized. (As a JSON line no rule's
    // needle is in, it would not be parsed at all: skipped, not reported.)
    const o = await hunt('longkey.json', JSON.stringify({ ['K'.repeat(1 << 20)]: inner, ok: 'netstat' }));
    noReadFailure(o);
    assert.ok(o.ms < 5000, `${o.ms} ms`);
    assert.ok(o.errors.some((e) => /a key of 1048576 characters; left out/.test(e.message)));
  });

  it('ausearch output (---- and time-> separators) reads as an audit log', async () => {
    const o = await hunt('ausearch.txt', '----\ntime->Sun Nov 29 23:04:56 2026\n' +
      'type=EXECVE msg=audit(1795993496.494:6): argc=2 a0="ss" a1="-ant"\n' +
      'type=SYSCALL msg=audit(1795993496.494:6): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=7989 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4 comm="ss" exe="/usr/bin/ss" key="k"\n----\n');
    assert.deepEqual(o.errors, []);
    assert.equal(o.events, 1);
    assert.equal(o.alerts.length, 1);
  });
});
