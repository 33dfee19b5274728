/**
 * `vigil hunt` with the built-in pack on the real auditd capture
 * (scripts/capture-auditd-t1049.sh): every command the TSV marks as T1049
 * raises an alert from the rule it names, on that command's own process;
 * no benign look-alike (nor the harness's own commands) raises one. And the
 * OTRF `arp -a` log, a near miss, raises none.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, corpus } from './corpus.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'auditd');

type Json = Record<string, any>;

function hunt(path: string): Json[] {
  const r = spawnSync(process.execPath, [CLI, 'hunt', path, '--format', 'jsonl', '--no-store', '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, / 0 errors/);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

interface Row { pid: string; t1049: string; rule: string; command: string; why: string }

function commands(): Row[] {
  const [header, ...rows] = readFileSync(join(FIXTURES, 't1049-capture.commands.tsv'), 'utf8').trim().split('\n');
  assert.equal(header, 'pid\tt1049\trule\tcommand\twhy');
  return rows.map((l) => {
    const [pid, t1049, rule, command, why] = l.split('\t');
    return { pid, t1049, rule, command, why };
  });
}

const isT1049 = (a: Json): boolean => (a.rule.tags as string[]).includes('attack.t1049');
/** The process an alert is about: the event's own pid (execve keeps the pid it forked with). */
const pidOf = (a: Json): string => String(a.event.SYSCALL.pid);

describe('the built-in pack on the real auditd capture', () => {
  const rows = commands();
  const alerts = hunt(join(FIXTURES, 't1049-capture.log'));

  it('the TSV lists T1049 commands and benign look-alikes', () => {
    assert.ok(rows.filter((r) => r.t1049 === 'yes').length >= 14);
    assert.ok(rows.filter((r) => r.t1049 === 'no').length >= 15);
  });

  for (const row of rows.filter((r) => r.t1049 === 'yes')) {
    it(`alerts on: ${row.command.slice(0, 70)} (${row.why})`, () => {
      const mine = alerts.filter((a) => pidOf(a) === row.pid);
      assert.ok(mine.length > 0, `no alert for pid ${row.pid}`);
      for (const a of mine) {
        assert.equal(a.rule.id, row.rule, `pid ${row.pid}: ${a.rule.title}`);
        assert.ok(isT1049(a));
        assert.equal(a.host, 'vm'); // node=vm
        assert.equal(a.user, 'root'); // UID="root"
        assert.match(a.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    });
  }

  it('raises nothing for the benign look-alikes, and nothing on any process outside the yes rows', () => {
    const yes = new Set(rows.filter((r) => r.t1049 === 'yes').map((r) => r.pid));
    const stray = alerts.filter((a) => !yes.has(pidOf(a)));
    assert.deepEqual(stray.map((a) => `${a.rule.title}: pid ${pidOf(a)} ${a.event.EXECVE?.ARGV?.join(' ') ?? ''}`), []);
    const no = rows.filter((r) => r.t1049 === 'no').map((r) => r.pid);
    for (const pid of no) assert.ok(!alerts.some((a) => pidOf(a) === pid), `benign pid ${pid} alerted`);
  });

  it('each alert on a listing tool carries the command line as logged', () => {
    const w = rows.find((r) => r.command === 'w')!;
    const a = alerts.find((x) => pidOf(x) === w.pid)!;
    assert.deepEqual(a.event.EXECVE.ARGV, ['w']);
    assert.equal(a.event.SYSCALL.exe, '/usr/bin/w');
    assert.equal(a.rule.level, 'low');
  });
});

describe('the /proc/net and sock_diag rules without Vigil\'s audit keys', () => {
  it('catch the same processes from the PATH name, cwd and socket() arguments alone', () => {
    // The same log as if the user's own audit rules had put other keys on those watches.
    const text = readFileSync(join(FIXTURES, 't1049-capture.log'), 'utf8').replace(/key="vigil_t1049_(procnet|sockdiag)"/g, 'key="site_rule"');
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-capture-')), 'other-keys.log');
    writeFileSync(file, text);
    const keyed = hunt(join(FIXTURES, 't1049-capture.log')).map((a) => `${a.rule.id} ${pidOf(a)}`).sort();
    const unkeyed = hunt(file).map((a) => `${a.rule.id} ${pidOf(a)}`).sort();
    assert.deepEqual(unkeyed, keyed);
  });
});

describe('near misses', () => {
  it('OTRF `arp -a` (T1016) raises no T1049 alert', () => {
    const alerts = hunt(corpus('auditd/OTRF-Security-Datasets/datasets/atomic/linux/discovery/host/sh_arp_cache_2020-11-10074812.log'));
    assert.deepEqual(alerts.filter(isT1049), []);
  });
});
