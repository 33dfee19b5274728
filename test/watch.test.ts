/**
 * `vigil watch` on this machine's kernel audit (root): one watch process
 * follows the log of an auditd it did not start (as on a real host) while
 * the test rotates the log (SIGUSR1, auditd's rename + new file), copies and
 * truncates it (logrotate copytruncate) and restarts auditd; a T1049
 * command run after each must still alert. A benign session (package
 * queries, an editor, /proc/cpuinfo, ip addr, ping) must raise no T1049
 * alert. On SIGINT the audit rules are exactly what they were before: the
 * rules watch added are gone, the one that was already loaded stays.
 *
 * Each command runs in its own audit session (the harness of vigil emulate),
 * so the test knows which alerts are its own even on a busy host: an alert
 * counts only if its event carries the session's `ses`.
 *
 * When another auditd is already running (a host with its own audit setup),
 * the test uses it for the rotation but does not truncate its log or
 * restart it: those parts are skipped, saying so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.js';
import { acquireAuditLock, auditDaemonPid, auditRules, prepareLiveAudit, releaseAuditLock, removeVigilRulesNotIn } from './live-audit.js';
import { runInAuditSession } from '../src/sensor/session.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
/** One of the pack's own audit rules (rules/auditd/vigil-t1049.rules), loaded before watch starts. */
const PRELOADED = ['-w', '/proc/net/udp6', '-p', 'r', '-k', 'vigil_t1049_procnet'];
/** The same rule as auditctl -l prints it. */
const PRELOADED_LISTED = '-w /proc/net/udp6 -p r -k vigil_t1049_procnet';

interface WatchAlert {
  rule: { id?: string; title: string; tags: string[] };
  event: { SYSCALL?: { ses?: string; exe?: string } } | null;
  latency_ms?: number;
}

let work = '';
let rulesBefore: string[] = [];
let preloadedByTest = false;
/** The auditd this test started to stand for the host's (undefined: a foreign one runs). */
let ownAuditd: ChildProcess | undefined;
let auditdDir = '';
let watch: ChildProcess | undefined;
let watchExit: Promise<number | null> | undefined;
const alerts: WatchAlert[] = [];
let stderr = '';

function startAuditd(): Promise<ChildProcess> {
  const child = spawn('auditd', ['-c', auditdDir, '-n'], { stdio: 'ignore', detached: true });
  return waitFor(() => auditDaemonPid() === child.pid, 5000, 'the test auditd to register').then(() => child);
}

async function stopAuditd(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\nwatch stderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const isT1049 = (a: WatchAlert): boolean => a.rule.tags.includes('attack.t1049');
const inSession = (ses: number | undefined) => (a: WatchAlert): boolean => ses !== undefined && a.event?.SYSCALL?.ses === String(ses);

/** Runs `command` in a fresh audit session and waits for a T1049 alert on one of its events. */
async function expectAlert(command: string): Promise<WatchAlert> {
  const run = await runInAuditSession('/bin/sh', command, { timeoutMs: 20_000 });
  assert.equal(typeof run.session, 'number', 'the command ran in an audit session of its own');
  await waitFor(() => alerts.some((a) => isT1049(a) && inSession(run.session)(a)), 10_000, `an alert for '${command}' (ses ${run.session})`);
  return alerts.find((a) => isT1049(a) && inSession(run.session)(a))!;
}

before(async () => {
  prepareLiveAudit();
  await acquireAuditLock();
  work = mkdtempSync(join(tmpdir(), 'vigil-watch-test-'));
  rulesBefore = auditRules();
  if (auditDaemonPid() === 0) {
    auditdDir = join(work, 'auditd');
    mkdirSync(join(auditdDir, 'plugins.d'), { recursive: true });
    writeFileSync(join(auditdDir, 'auditd.conf'), [
      'local_events = yes', 'write_logs = yes', `log_file = ${join(auditdDir, 'audit.log')}`, 'log_format = ENRICHED',
      'flush = INCREMENTAL_ASYNC', 'freq = 50', 'max_log_file = 64', 'max_log_file_action = ROTATE', 'num_logs = 3',
      'space_left = 16', 'space_left_action = IGNORE', 'admin_space_left = 8', 'admin_space_left_action = IGNORE',
      'disk_full_action = IGNORE', 'disk_error_action = IGNORE', `plugin_dir = ${join(auditdDir, 'plugins.d')}`, '',
    ].join('\n'), { mode: 0o640 });
    ownAuditd = await startAuditd();
  }
  preloadedByTest = !rulesBefore.includes(PRELOADED_LISTED);
  if (preloadedByTest) assert.equal(spawnSync('auditctl', PRELOADED).status, 0, 'the preloaded rule was loaded');
  assert.ok(auditRules().includes(PRELOADED_LISTED));

  watch = spawn(process.execPath, [CLI, 'watch', '--format', 'jsonl', '--no-store'], { stdio: ['ignore', 'pipe', 'pipe'] });
  watchExit = new Promise((r) => watch!.once('close', r));
  let pending = '';
  watch.stdout!.on('data', (d: Buffer) => {
    pending += d.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) if (l.trim()) alerts.push(JSON.parse(l) as WatchAlert);
  });
  watch.stderr!.on('data', (d: Buffer) => (stderr += d));
  await waitFor(() => stderr.includes('vigil: watching'), 20_000, 'watch to start');
});

after(async () => {
  try {
    if (watch && watch.exitCode === null && watch.signalCode === null) {
      watch.kill('SIGTERM');
      await Promise.race([watchExit, new Promise((r) => setTimeout(r, 5000))]);
      if (watch.exitCode === null) watch.kill('SIGKILL');
    }
    removeVigilRulesNotIn(rulesBefore);
    if (preloadedByTest) spawnSync('auditctl', ['-W', ...PRELOADED.slice(1)]);
    if (ownAuditd) await stopAuditd(ownAuditd);
    rmSync(work, { recursive: true, force: true });
  } finally {
    releaseAuditLock();
  }
});

test('watch reuses the running auditd and adds only the rules that are not loaded yet', () => {
  assert.match(stderr, /reusing auditd \(pid \d+\)/);
  if (ownAuditd) assert.ok(stderr.includes(`following ${join(auditdDir, 'audit.log')}`), 'the log named in the daemon\'s own configuration (-c DIR)');
  assert.match(stderr, /audit rules: 7 added, 1 already present/);
});

test('a T1049 command alerts, with its latency', async () => {
  const a = await expectAlert('netstat -ant > /dev/null');
  assert.equal(a.event?.SYSCALL?.exe, '/usr/bin/netstat');
  assert.equal(typeof a.latency_ms, 'number');
  assert.ok(a.latency_ms! >= 0 && a.latency_ms! < 5000, `latency ${a.latency_ms} ms`);
});

test('after auditd rotates its log (SIGUSR1: rename + new file), commands still alert', async () => {
  const pid = auditDaemonPid();
  const log = ownAuditd ? join(auditdDir, 'audit.log') : undefined;
  process.kill(pid, 'SIGUSR1');
  if (log) await waitFor(() => existsSync(`${log}.1`), 5000, 'the rotated file');
  else await new Promise((r) => setTimeout(r, 1000));
  await expectAlert('who -a > /dev/null');
  if (log) assert.match(stderr, /audit log rotated/);
});

test('after the log is copied and truncated in place, commands still alert', async (t) => {
  if (!ownAuditd) return t.skip('an auditd not started by this test runs: its log is not truncated');
  const log = join(auditdDir, 'audit.log');
  copyFileSync(log, `${log}.copy`);
  truncateSync(log, 0);
  await waitFor(() => stderr.includes('audit log truncated'), 10_000, 'watch to notice the truncation');
  await expectAlert('w > /dev/null');
});

test('after auditd restarts, commands still alert', async (t) => {
  if (!ownAuditd) return t.skip('an auditd not started by this test runs: it is not restarted');
  await stopAuditd(ownAuditd);
  ownAuditd = await startAuditd();
  await expectAlert('lsof -i > /dev/null');
});

test('a benign session raises no T1049 alert', async () => {
  const vi = existsSync('/usr/bin/vi') ? 'vi -es -c q;' : '';
  const benign = await runInAuditSession('/bin/sh', [
    'apt-cache policy bash > /dev/null', 'dpkg -l bash > /dev/null', vi,
    `printf 'a\\nb\\n' > ${work}/notes.txt; sed -i 's/a/c/' ${work}/notes.txt`,
    'cat /proc/cpuinfo > /dev/null', 'ip addr > /dev/null', 'ping -c1 127.0.0.1 > /dev/null',
  ].join('\n'), { timeoutMs: 30_000 });
  assert.equal(benign.exitCode, 0, `the benign session ran: ${benign.stderr}`);
  // A T1049 command afterwards: once its alert is out, everything before it has been read.
  await expectAlert('ss -tan > /dev/null');
  const own = alerts.filter(inSession(benign.session));
  assert.deepEqual(own.filter(isT1049).map((a) => `${a.rule.title}: ${a.event?.SYSCALL?.exe}`), []);
});

test('on SIGINT watch removes exactly the rules it added and reports latency', async () => {
  watch!.kill('SIGINT');
  assert.equal(await watchExit, 0, stderr);
  // auditctl -l before watch, plus the rule this test loaded just before starting it: nothing more, nothing less.
  const expected = preloadedByTest ? [...rulesBefore, PRELOADED_LISTED] : rulesBefore;
  assert.deepEqual([...auditRules()].sort(), [...expected].sort());
  assert.match(stderr, /removed 7 audit rules it added; left the 1 that were already loaded/);
  assert.match(stderr, /alert latency \(audit timestamp → alert printed\): median \d+ ms, p95 \d+ ms, max \d+ ms/);
  for (const a of alerts.filter(isT1049)) assert.equal(typeof a.latency_ms, 'number');
});
