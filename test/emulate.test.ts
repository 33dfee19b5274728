/**
 * `vigil emulate T1049 --format json`, end to end on this machine's kernel
 * audit (root; the packages installed when missing): every Atomic Red Team
 * T1049 test for Linux (read from the shared corpus's copy of T1049.yaml)
 * and every Vigil step runs, each is detected by the rule that describes
 * what it does, with a time to alert; the Windows tests are listed as not
 * applicable with their log sources; nothing is left behind (audit rules,
 * the work folder with the renamed ss, the private auditd).
 *
 * Expected values come from the data: which tests apply is read from the
 * YAML itself (supported_platforms, executor), and the rule expected per
 * step from what the step's command does (a listing tool by name, a
 * /proc/net read by a script, a sock_diag socket by a renamed ss).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { corpus, REPO_ROOT } from './corpus.js';
import { acquireAuditLock, auditRules, prepareLiveAudit, releaseAuditLock, removeVigilRulesNotIn } from './live-audit.js';
import type { EmulationReport } from '../src/emulate/runner.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const RULE_LISTING = '2fcf4bb0-6c2b-4da9-bd90-0f12a278adee';
const RULE_PROCNET = 'bda8587c-519f-4c8c-9b30-6dc28025215f';
const RULE_SOCKDIAG = 'd2f11896-ddb0-477c-8b92-03840d65b23e';
const RULE_SOCKSTAT = '083756f8-f12e-4763-92fa-98ea6de97614';

let rulesBefore: string[] = [];
let report: EmulationReport;
let exitCode: number | null;
let stderr = '';

before(async () => {
  prepareLiveAudit();
  await acquireAuditLock();
  rulesBefore = auditRules();
  const child = spawn(process.execPath, [CLI, 'emulate', 'T1049', '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  exitCode = await new Promise((res) => child.once('close', res));
  try {
    report = JSON.parse(stdout) as EmulationReport;
  } catch {
    throw new Error(`vigil emulate printed no JSON report (exit ${exitCode}); stderr:\n${stderr}`);
  }
});

after(() => {
  try {
    const stray = removeVigilRulesNotIn(rulesBefore);
    assert.deepEqual(stray, [], 'vigil emulate left audit rules behind (removed now)');
  } finally {
    releaseAuditLock();
  }
});

/** Atomic tests of the corpus file that run here: linux among the platforms, an sh or bash executor. */
function linuxAtomicTests(): { index: number; name: string; command: string }[] {
  const doc = parse(readFileSync(corpus('atomic/T1049.yaml'), 'utf8')) as {
    atomic_tests: { name: string; supported_platforms: string[]; executor: { name: string; command: string } }[];
  };
  return doc.atomic_tests
    .map((t, i) => ({ index: i + 1, name: t.name, platforms: t.supported_platforms, executor: t.executor.name, command: t.executor.command }))
    .filter((t) => t.platforms.includes('linux') && (t.executor === 'sh' || t.executor === 'bash'));
}

test('emulate exits 0 and every applicable step ran and was detected, with a time to alert', () => {
  assert.equal(exitCode, 0, `exit ${exitCode}; not detected: ${report.summary.not_detected.join(', ')}\n${stderr}`);
  assert.equal(report.ok, true);
  const applicable = report.steps.filter((s) => s.applicable);
  assert.equal(report.summary.detected, applicable.length);
  for (const s of applicable) {
    assert.equal(s.executed, true, `${s.id} not executed: ${s.not_executed_reason}`);
    assert.equal(s.detected, true, `${s.id} (${s.command}) not detected`);
    assert.ok(s.telemetry && s.telemetry.events > 0 && s.telemetry.records >= s.telemetry.events, `${s.id}: no telemetry`);
    assert.equal(s.telemetry?.complete, true, `${s.id}: the barrier after the step was not seen`);
    assert.equal(typeof s.time_to_alert_ms, 'number');
    assert.ok(s.time_to_alert_ms! > 0 && s.time_to_alert_ms! < 10_000, `${s.id}: time to alert ${s.time_to_alert_ms} ms`);
    for (const a of s.alerts.filter((x) => x.t1049)) assert.equal(typeof a.latency_ms, 'number', `${s.id}: alert without latency`);
  }
  const t = report.summary.time_to_alert;
  assert.equal(t.count, applicable.length);
  assert.ok(t.median_ms !== null && t.max_ms !== null && t.median_ms <= t.max_ms);
});

test('the Atomic tests for Linux in T1049.yaml are the ones run, each by the rule for what it does', () => {
  const expected = linuxAtomicTests();
  assert.ok(expected.length >= 3, 'the corpus T1049.yaml has Linux tests');
  const ran = report.steps.filter((s) => s.source === 'atomic' && s.applicable);
  assert.deepEqual(ran.map((s) => s.name), expected.map((t) => t.name));
  for (const t of expected) {
    const step = ran.find((s) => s.name === t.name)!;
    assert.equal(step.command, t.command.trimEnd(), 'no #{input} in these commands: run as written');
    // sockstat (Debian's port) has its own rule; the others run ss, lsof, netstat and who -a.
    const rule = /\bsockstat\b/.test(t.command) ? RULE_SOCKSTAT : RULE_LISTING;
    assert.ok(step.detected_by.includes(rule), `${step.name}: detected by ${step.detected_by.join(', ')}, expected ${rule}`);
  }
  const netstat = ran.find((s) => /^\s*netstat\s*$/m.test(s.command))!;
  assert.ok(netstat.prereqs?.length === 1 && netstat.prereqs[0].met, 'the netstat test\'s prerequisite check ran');
  const images = netstat.alerts.map((a) => a.image);
  assert.ok(images.some((i) => i?.endsWith('/netstat')) && images.some((i) => i?.endsWith('/who')), `netstat and who -a both alerted: ${images.join(', ')}`);
});

test('Vigil\'s own steps: script, renamed ss, lsof -i, who -a, w — each caught by the right rule', () => {
  const byId = new Map(report.steps.map((s) => [s.id, s]));
  const want: [string, string, RegExp][] = [
    ['vigil-procnet-script', RULE_PROCNET, /\/(dash|sh|bash)$/],
    ['vigil-renamed-ss', RULE_SOCKDIAG, /\/netinfo$/],
    ['vigil-lsof', RULE_LISTING, /\/lsof$/],
    ['vigil-who-a', RULE_LISTING, /\/who$/],
    ['vigil-w', RULE_LISTING, /\/w$/],
  ];
  for (const [id, rule, image] of want) {
    const s = byId.get(id);
    assert.ok(s, `${id} in the report`);
    assert.ok(s.detected_by.includes(rule), `${id}: detected by ${s.detected_by.join(', ')}`);
    assert.ok(s.alerts.some((a) => a.rule_id === rule && image.test(a.image ?? '')), `${id}: the alert names the process (${s.alerts.map((a) => a.image).join(', ')})`);
    assert.equal(typeof s.session, 'number', `${id} ran in its own audit session`);
  }
  const sessions = report.steps.filter((s) => s.executed).map((s) => s.session);
  assert.equal(new Set(sessions).size, sessions.length, 'each step had a session of its own');
});

test('tests for other platforms are listed as not applicable, with the log source that would show them', () => {
  const na = report.steps.filter((s) => !s.applicable);
  assert.ok(na.length >= 1);
  for (const s of na) {
    assert.equal(s.executed, false);
    assert.equal(s.detected, null);
    assert.ok(s.reason && s.log_sources && s.log_sources.length > 0, `${s.id}: reason and log sources`);
    if (s.platforms.includes('windows')) {
      const text = s.log_sources!.join(' ');
      assert.match(text, s.executor === 'powershell' ? /4104/ : /4688/);
      assert.match(text, /Sysmon 1/);
    }
  }
});

test('nothing is left behind: audit rules as before, work folder and renamed ss gone, private auditd stopped', () => {
  assert.deepEqual(auditRules(), rulesBefore);
  assert.deepEqual(report.summary.audit_rules_left_behind, []);
  const script = report.steps.find((s) => s.id === 'vigil-procnet-script')!.command.split(' ')[1];
  assert.ok(script.includes('vigil-emulate-'), script);
  assert.equal(existsSync(dirname(script)), false, 'the work folder (script, renamed ss) was removed');
  if (report.sensor.daemon.startedByVigil) {
    let alive = true;
    try {
      process.kill(report.sensor.daemon.pid, 0);
    } catch {
      alive = false;
    }
    assert.equal(alive, false, 'the auditd emulate started was stopped');
    assert.equal(existsSync(dirname(report.sensor.daemon.logFile)), false, 'its temporary folder was removed');
  }
});
