/**
 * Apple eslogger exec events (constructed fixtures, see
 * test/fixtures/macos/README.md): each T1049 command raises the macOS pack
 * rule, each look-alike nothing; fields come out as the message says;
 * wrong types and broken lines are reported by line and reading goes on;
 * and the raw-line prefilter stays sound for the composed CommandLine.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivedPolicyFor, normalizeObject, productOf } from '../src/normalize/index.js';
import { REPO_ROOT, corpus } from './corpus.js';
import { alertKeys, detectorFor, hunt, type HuntResult } from './unix-hunt.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'macos');
const T1049 = join(FIX, 'eslogger_t1049_constructed.jsonl');
const BENIGN = join(FIX, 'eslogger_benign_constructed.jsonl');
const MACOS_RULE = 'f8d4bcc9-3c18-44e8-81d9-8d24969c64e3';
const tmp = mkdtempSync(join(tmpdir(), 'vigil-eslogger-'));

const lines = (path: string): Record<string, any>[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('eslogger: normalization', () => {
  it('every message is product macos; exec → process_creation, exit → process_termination, fork → none', () => {
    const kinds = [...lines(T1049), ...lines(BENIGN)].map((m) => {
      assert.equal(productOf(m), 'macos');
      const ev = normalizeObject(m);
      assert.equal(ev.logsource.product, 'macos');
      assert.equal(ev.problems, undefined);
      return `${m.event_type}:${ev.logsource.categories.join(',') || '-'}`;
    });
    assert.deepEqual([...new Set(kinds)].sort(), ['11:-', '15:process_termination', '9:process_creation']);
  });

  it('exec: Image is the target executable, CommandLine the args, parent and user from the message', () => {
    const msgs = lines(T1049);
    for (const m of msgs) {
      const ev = normalizeObject(m);
      assert.equal(ev.get('image'), m.event.exec.target.executable.path);
      assert.equal(ev.get('commandline'), m.event.exec.args.join(' '));
      assert.equal(ev.get('processid'), m.event.exec.target.audit_token.pid);
      assert.equal(ev.get('user'), m.event.exec.target.audit_token.euid);
      assert.equal(ev.get('currentdirectory'), m.event.exec.cwd.path);
    }
    // posix_spawn by python3: the caller is the parent.
    const spawned = normalizeObject(msgs[7]);
    assert.equal(spawned.get('image'), '/usr/sbin/lsof');
    assert.equal(spawned.get('commandline'), '/usr/sbin/lsof -i4');
    assert.equal(spawned.get('parentprocessid'), 51190);
    assert.equal(spawned.get('parentimage'), '/Library/Developer/CommandLineTools/usr/bin/python3');
    // fork + exec from zsh: the caller is the forked shell, the parent its pid's parent.
    const netstat = normalizeObject(msgs[0]);
    assert.equal(netstat.get('parentprocessid'), 1807);
    assert.equal(netstat.get('parentimage'), '/bin/zsh');
  });
});

describe('eslogger: the T1049 pack', () => {
  let pos: HuntResult;
  let neg: HuntResult;
  before(async () => {
    const pack = detectorFor([], true);
    pos = await hunt(pack, [T1049]);
    neg = await hunt(pack, [BENIGN]);
  });

  it('each T1049 command raises one alert from the macOS rule, tagged attack.t1049', () => {
    const expected = lines(T1049).map((_, i) => i + 1);
    assert.deepEqual(pos.alerts.map((a) => a.source.record), expected);
    for (const a of pos.alerts) {
      assert.equal(a.rule.id, MACOS_RULE);
      assert.ok(a.rule.tags?.includes('attack.t1049'));
      assert.equal(a.user, '501');
      assert.match(String(a.time), /^2026-11-28T09:14:\d\d\.\d{3}Z$/);
    }
    assert.deepEqual(pos.errors, []);
  });

  it('no look-alike raises anything (lsof -p/+D/-cSafari, who, whoami, netstat -rn/-i, grep "netstat -an", arp, networksetup, wc …/w, exit, fork)', () => {
    assert.deepEqual(neg.alerts.map((a) => `${a.rule.title}@${a.source.record}`), []);
    assert.deepEqual(neg.errors, []);
    assert.equal(neg.events, 13);
  });
});

describe('eslogger: malformed input', () => {
  const good = lines(T1049)[0];
  const variant = (edit: (m: Record<string, any>) => void): string => {
    const m = structuredClone(good);
    edit(m);
    return JSON.stringify(m);
  };

  it('wrong types are reported with the line; what can be read is still detected; later lines go on', async () => {
    const path = join(tmp, 'wrong-types.jsonl');
    writeFileSync(path, [
      variant((m) => (m.event.exec.args = 'netstat -an')), // 1: args not an array
      variant((m) => (m.event.exec.args = ['netstat', 7, { x: 1 }])), // 2: elements of the wrong type
      variant((m) => (m.event.exec.target = 'netstat')), // 3: target not an object
      variant((m) => (m.event.exec = [m.event.exec])), // 4: exec not an object
      JSON.stringify(good), // 5: fine
    ].join('\n') + '\n');
    const r = await hunt(detectorFor([], true), [path]);
    const byLine = (n: number): string[] => r.errors.filter((e) => e.record === n).map((e) => e.message);
    assert.deepEqual(byLine(1), ['event.exec.args is a string, expected an array of strings; CommandLine left unset']);
    assert.deepEqual(byLine(2), ['event.exec.args[1] is a number, expected a string', 'event.exec.args[2] is an object, expected a string; left out of CommandLine']);
    assert.deepEqual(byLine(3), ['eslogger: event.exec.target is a string, expected an object']);
    assert.match(byLine(4)[0], /event\.exec is an array, expected an object/);
    // netstat's Image survives a bad args member, so the rule still fires on lines 1 and 2; line 5 is whole.
    assert.deepEqual(r.alerts.map((a) => a.source.record), [1, 2, 5]);
  });

  it('a cut line and garbage are reported by line number; the lines around them are read', async () => {
    const path = join(tmp, 'broken.jsonl');
    const whole = JSON.stringify(good);
    // Cut just after the target's path, so even the prefilter lets it through to the parser.
    const cut = whole.slice(0, whole.indexOf('/usr/sbin/netstat"') + 40);
    writeFileSync(path, [whole, cut, 'eslogger: Failed to subscribe', whole].join('\n') + '\n');
    const pack = detectorFor([], true);
    const r = await hunt(pack, [path]);
    assert.deepEqual(r.alerts.map((a) => a.source.record), [1, 4]);
    assert.deepEqual(r.errors.map((e) => e.record), [2]);
    assert.match(r.errors[0].message, /invalid JSON/);
    // The garbage line holds no needle of any rule: skipped unread, unless every line is parsed.
    const all = await hunt(pack, [path], false);
    assert.deepEqual(all.errors.map((e) => e.record), [2, 3]);
    assert.deepEqual(all.alerts.map((a) => a.source.record), [1, 4]);
  });
});

describe('eslogger and ECS JSON lines: the prefilter stays sound for the composed CommandLine', () => {
  it('CommandLine is registered as composed for macOS and FreeBSD rules only', () => {
    assert.equal(derivedPolicyFor('macos').get('commandline'), 'none');
    assert.equal(derivedPolicyFor('freebsd').get('commandline'), 'none');
    assert.equal(derivedPolicyFor('windows').get('commandline'), undefined);
  });

  it('prefiltered hunt equals exhaustive hunt: pack + SigmaHQ macOS rules + a rule on text spanning two args', async () => {
    // "netstat -an" is in no single raw string of ["netstat","-an"]: only the composed field holds it.
    const spanning = join(tmp, 'spanning.yml');
    writeFileSync(spanning, [
      'title: Args Spanning Test', 'id: 0c7c7d0e-6a53-4c55-9a51-3d8f1f0a1b01', 'status: test',
      'logsource:', '  product: macos', '  category: process_creation',
      'detection:', '  selection:', "    CommandLine|contains: 'netstat -an'", '  condition: selection', 'level: low', '',
    ].join('\n'));
    // The 110 real ECS events, re-emitted one per line so the line prefilter sees them too.
    const ecs = join(tmp, 'macos-ecs.jsonl');
    const objs: unknown[] = [];
    const { readLogFile } = await import('../src/sources/read-file.js');
    const { filesUnder } = await import('./corpus.js');
    for (const f of filesUnder(corpus('macos'), '.json')) {
      await readLogFile(f, { line: () => {}, object: (o) => objs.push(o), error: (m) => assert.fail(m) });
    }
    writeFileSync(ecs, objs.map((o) => JSON.stringify(o)).join('\n') + '\n');
    const detector = detectorFor([spanning, corpus('sigma-rules/rules/macos')], true);
    const files = [T1049, BENIGN, ecs];
    const fast = alertKeys(await hunt(detector, files, true));
    const slow = alertKeys(await hunt(detector, files, false));
    assert.ok(slow.some((k) => k.startsWith('0c7c7d0e')), 'the spanning rule matches the composed command line');
    assert.ok(slow.length >= 40, `alerts: ${slow.length}`);
    assert.deepEqual(fast, slow);
  });
});
