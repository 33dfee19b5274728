/**
 * The parts of `vigil emulate` and `vigil watch` that need no kernel audit:
 * Atomic Red Team definitions (the shared corpus's real T1049.yaml, and
 * malformed ones), #{input} substitution, the plan (which tests run here,
 * log sources for the others), step attribution by audit session and PID
 * tree, the audit rule file, and the refusal to start without root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { atomicFromDocument, AtomicFormatError, parseAtomicFile } from '../src/emulate/atomic.js';
import { planAtomicSteps } from '../src/emulate/plan.js';
import { substituteInputs } from '../src/emulate/substitute.js';
import { StepMatcher } from '../src/emulate/attribution.js';
import { deletionArgs, readAuditRuleFile } from '../src/sensor/audit-rules.js';
import { LatencyStats } from '../src/pipeline/latency.js';
import { corpus, REPO_ROOT } from './corpus.js';

const T1049 = corpus('atomic/T1049.yaml');

test('the real T1049.yaml: every test with its platforms, executor and prerequisites', () => {
  const raw = parse(readFileSync(T1049, 'utf8')) as { atomic_tests: { name: string; supported_platforms: string[]; executor: { name: string } }[] };
  const a = parseAtomicFile(T1049);
  assert.equal(a.technique, 'T1049');
  assert.equal(a.displayName, 'System Network Connections Discovery');
  assert.deepEqual(a.tests.map((t) => t.name), raw.atomic_tests.map((t) => t.name));
  assert.deepEqual(a.tests.map((t) => t.executor.name), raw.atomic_tests.map((t) => t.executor.name));
  const netstat = a.tests.find((t) => t.name === 'System Network Connections Discovery FreeBSD, Linux & MacOS')!;
  assert.equal(netstat.dependencyExecutor, 'sh');
  assert.equal(netstat.dependencies.length, 1);
  assert.match(netstat.dependencies[0].prereqCommand, /command -v netstat/);
  const sharpview = a.tests.find((t) => t.name === 'System Discovery using SharpView')!;
  assert.deepEqual([...sharpview.inputDefaults.keys()], ['SharpView_url', 'SharpView', 'syntax']);
});

test('plan on linux: the sh/bash tests for linux run, the rest are listed with their log sources', () => {
  const a = parseAtomicFile(T1049);
  const plan = planAtomicSteps(a, 'linux', new Map(), '/opt/atomics');
  const raw = parse(readFileSync(T1049, 'utf8')) as { atomic_tests: { supported_platforms: string[]; executor: { name: string } }[] };
  const expected = raw.atomic_tests.map((t) => t.supported_platforms.includes('linux') && ['sh', 'bash'].includes(t.executor.name));
  assert.deepEqual(plan.map((s) => s.applicable), expected);
  for (const s of plan.filter((x) => !x.applicable)) {
    assert.match(s.reason!, /for windows; this host is linux/);
    assert.match(s.logSources!.join(' '), s.executor === 'powershell' ? /PowerShell 4104/ : /Security 4688 .*Sysmon 1/);
  }
  const sharpview = plan.find((s) => s.name === 'System Discovery using SharpView')!;
  // #{SharpView} → its default, whose PathToAtomicsFolder becomes the atomics folder.
  assert.match(sharpview.command, /\/opt\/atomics\\\.\.\\ExternalPayloads\\SharpView\.exe \$syntax/);
  assert.deepEqual(sharpview.unknownInputs, []);
});

test('#{inputs}: override before default, undeclared names left as written and reported, $ in values kept', () => {
  const defaults = new Map([['tool', 'netstat'], ['opts', '-ant']]);
  const r = substituteInputs('#{tool} #{opts} #{typo}', defaults, new Map([['opts', '-$1 $&']]), '/x');
  assert.equal(r.text, 'netstat -$1 $& #{typo}');
  assert.deepEqual(r.unknown, ['typo']);
});

test('malformed definitions are rejected naming the file and the test', () => {
  const bad = (doc: unknown): string => {
    try {
      atomicFromDocument(doc, 'x.yaml');
    } catch (e) {
      assert.ok(e instanceof AtomicFormatError);
      return (e as Error).message;
    }
    assert.fail('accepted');
  };
  assert.match(bad(['a list']), /x\.yaml: the top level must be a mapping/);
  assert.match(bad({ attack_technique: 'T1049' }), /atomic_tests must be a list/);
  assert.match(bad({ attack_technique: 'T1049', atomic_tests: [{ name: 'n', supported_platforms: 'linux', executor: { name: 'sh' } }] }),
    /atomic test 1 \('n'\): supported_platforms must be a list/);
  assert.match(bad({ attack_technique: 'T1049', atomic_tests: [{ name: 'n', supported_platforms: ['linux'] }] }), /executor must be a mapping/);
  assert.match(bad({ attack_technique: 'T1049', atomic_tests: [{ name: 'n', supported_platforms: ['linux'], executor: { name: 'sh', command: 5 } }] }),
    /executor command must be text/);
  assert.match(bad({ attack_technique: 'T1049', atomic_tests: [{ name: 'n', supported_platforms: ['linux'], executor: { name: 'sh' }, dependencies: [{}] }] }),
    /dependency 1 prereq_command must be non-empty text/);
});

/** An assembled audit event as the reader builds it (values are text, as logged). */
function ev(pid: number, ppid: number, ses: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ID: '1.0:1', SYSCALL: { pid: String(pid), ppid: String(ppid), ses: String(ses) }, ...extra };
}

test('attribution: by audit session when there is one, the session setup itself not counted', () => {
  const m = new StepMatcher<string>();
  m.begin('step', 100);
  m.session('step', 7);
  assert.equal(m.match(ev(100, 1, 7, { LOGIN: [{ ses: '7' }] })), undefined, 'the prelude writing loginuid');
  assert.equal(m.match(ev(100, 1, 7)), 'step');
  assert.equal(m.match(ev(555, 100, 7)), 'step', 'a child');
  assert.equal(m.match(ev(100, 1, 4294967295)), undefined, 'the prelude\'s own exec, before the session existed');
  assert.equal(m.match(ev(999, 1, 3)), undefined, 'another session on the host');
  m.end();
  assert.equal(m.match(ev(556, 555, 7)), 'step', 'a late event of the session still belongs to it');
});

test('attribution without a session: the PID tree while the step runs, nothing after', () => {
  const m = new StepMatcher<string>();
  m.begin('step', 100);
  assert.equal(m.match(ev(100, 1, 4294967295)), 'step');
  assert.equal(m.match(ev(200, 100, 4294967295)), 'step');
  assert.equal(m.match(ev(300, 200, 4294967295)), 'step', 'a grandchild');
  assert.equal(m.match(ev(400, 1, 4294967295)), undefined, 'unrelated');
  m.end();
  assert.equal(m.match(ev(301, 200, 4294967295)), undefined);
});

test('the pack\'s audit rule file: every rule keyed vigil_t1049_*, deletable by the same words', () => {
  const rules = readAuditRuleFile(join(REPO_ROOT, 'rules', 'auditd', 'vigil-t1049.rules'));
  assert.ok(rules.length >= 4);
  for (const r of rules) assert.match(r.text, /-k vigil_t1049_\w+$/);
  assert.deepEqual(deletionArgs(['-w', '/proc/net/tcp', '-p', 'r', '-k', 'k']), ['-W', '/proc/net/tcp', '-p', 'r', '-k', 'k']);
  assert.deepEqual(deletionArgs(['-a', 'always,exit', '-S', 'execve']), ['-d', 'always,exit', '-S', 'execve']);
});

test('without root, watch and emulate refuse to start and say why', () => {
  const cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  for (const cmd of [['watch', '--duration', '1', '--no-store'], ['emulate', 'T1049', '--no-atomics']]) {
    const argv = process.getuid?.() === 0
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, ...cmd]
      : [process.execPath, cli, ...cmd];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, `${cmd[0]}: ${r.stderr}`);
    assert.match(r.stderr, /needs root/);
  }
});

test('latency summary: median, p95 and max; a long run keeps exact count and max with bounded samples', () => {
  const small = new LatencyStats();
  for (let i = 100; i >= 1; i--) small.add(i);
  small.add(NaN);
  assert.deepEqual(small.summary(), { count: 100, median_ms: 51, p95_ms: 95, max_ms: 100 }); // median of 1..100 is 50.5
  const big = new LatencyStats();
  for (let i = 0; i < 25_000; i++) big.add(i % 1000);
  big.add(5000);
  const s = big.summary();
  assert.equal(s.count, 25_001);
  assert.equal(s.max_ms, 5000);
  assert.ok(s.median_ms! > 400 && s.median_ms! < 600, `median of a uniform 0..999 sample: ${s.median_ms}`);
});
