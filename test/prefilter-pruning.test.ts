/**
 * The raw-line pruning added on top of the one-set needles: whole needle
 * formulas (needle-formula.ts), the Windows product check (raw-product.ts)
 * and escapes found by the chunk RE2 pass. Each may only skip lines that
 * cannot raise an alert: prefiltered and exhaustive hunts must agree on
 * lines built to sit on every edge, and the pruning must actually prune.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor, impliedTexts } from '../src/normalize/index.js';
import { Hunt, type HuntStats } from '../src/pipeline/hunt.js';
import { loadSigmaFile, loadSigmaText } from '../src/sigma/load.js';
import { corpus } from './corpus.js';
import { ruleEventIds } from '../src/detect/event-ids.js';
import type { SigmaRule } from '../src/sigma/model.js';
import { ruleNeedles } from '../src/detect/needles.js';

const RULES = `
title: r-and
logsource: {product: windows, category: process_creation}
detection:
  img: {Image|endswith: '\\netstat.exe'}
  cmd: {CommandLine|contains: ' -ano'}
  filter: {ParentImage|endswith: '\\explorer.exe'}
  condition: img and cmd and not filter
---
title: r-allof
logsource: {product: windows}
detection:
  sel_a: {CommandLine|contains: 'alpha-needle'}
  sel_b: {CommandLine|contains|all: ['bravo-needle', 'charlie-needle']}
  condition: all of sel_*
---
title: r-oneof
logsource: {product: windows}
detection:
  sel_x: {CommandLine|contains: 'xray-needle'}
  sel_y: {CommandLine|contains: 'yankee-needle'}
  condition: 1 of sel_* and not sel_x
---
title: r-cisco
logsource: {product: cisco, service: aaa}
detection:
  keywords: ['dir', 'show ip route']
  condition: keywords
---
title: r-linux
logsource: {product: linux, category: process_creation}
detection:
  sel: {Image|endswith: '/who'}
  condition: sel
`;

const sysmon1 = (fields: Record<string, unknown>): string =>
  JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', ...fields });

const LINES: string[] = [
  // formula: the trigger alone is not enough
  sysmon1({ Image: 'C:\\Windows\\System32\\netstat.exe', CommandLine: 'netstat' }),
  sysmon1({ Image: 'C:\\Windows\\System32\\netstat.exe', CommandLine: 'netstat -ano' }),
  sysmon1({ Image: 'C:\\Windows\\System32\\netstat.exe', CommandLine: 'netstat -ano', ParentImage: 'C:\\Windows\\explorer.exe' }),
  // the second literal in another field still lets the line through (and the rule decides)
  sysmon1({ Image: 'C:\\Windows\\System32\\netstat.exe', CommandLine: 'netstat', User: 'x -ano' }),
  // escapes hide literals from byte search: must still match
  sysmon1({ Image: 'C:\\Windows\\System32\\netstat.exe', CommandLine: 'netstat -ano' }).replace('-ano', '-\\u0061no'),
  sysmon1({ Image: 'C:\\Windows\\System32\\netstat.exe', CommandLine: 'netstat -ano' }).replace('netstat.exe', 'n\\u0065tstat.exe'),
  sysmon1({ Image: 'C:/Windows/System32/netstat.exe', CommandLine: 'netstat -ano' }).replace('C:/Windows/System32/', 'C:\\\\Windows\\\\System32\\\\').replace('-ano', '-ano\\/'),
  // an escaped backslash before u is not an escape
  sysmon1({ Image: 'C:\\users\\netstat.exe', CommandLine: 'C:\\users -ano' }),
  // all of / |all
  sysmon1({ CommandLine: 'alpha-needle bravo-needle' }),
  sysmon1({ CommandLine: 'alpha-needle bravo-needle charlie-needle' }),
  sysmon1({ CommandLine: 'ALPHA-NEEDLE Bravo-Needle charlie-NEEDLE' }),
  // 1 of … and not
  sysmon1({ CommandLine: 'yankee-needle' }),
  sysmon1({ CommandLine: 'xray-needle yankee-needle' }),
  // product: a Cisco keyword inside Windows lines (skipped unparsed) …
  sysmon1({ CommandLine: 'dir c:\\' }),
  JSON.stringify({ Event: { System: { EventID: 4688, Channel: 'Security' }, EventData: { CommandLine: 'cmd /c dir' } } }),
  JSON.stringify({ winlog: { channel: 'Security', event_id: 4688 }, message: 'dir' }),
  // … and in lines that are not Windows events, where the rule must still fire
  JSON.stringify({ message: 'user ran dir', host: 'router1' }),
  JSON.stringify({ EventID: 1, message: 'show ip route' }),
  JSON.stringify({ EventID: 'one', Channel: 'x', message: 'dir' }),
  JSON.stringify({ _index: 'logs', _source: { EventID: 1, Channel: 'Security', message: 'dir' } }),
  JSON.stringify({ EventID: 1, Channel: 'Security', message: 'dir', EventID2: 1 }).replace('"EventID2":1', '"EventID":"x"'),
  JSON.stringify({ Channel: 'Security', EventID: 1, message: 'dir' }).replace('"Channel"', '"Ch\\u0061nnel"'),
  JSON.stringify({ exe: '/usr/bin/who' }),
  JSON.stringify({ Image: '/usr/bin/who', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }),
  JSON.stringify({ Image: '/usr/bin/who' }),
];

async function hunt(file: string, prefilter: boolean): Promise<{ alerts: string[]; stats: HuntStats }> {
  const { documents, errors } = loadSigmaText(RULES);
  assert.deepEqual(errors, []);
  const detector = new Detector(documents, { derived: derivedPolicyFor });
  assert.deepEqual(detector.errors, []);
  assert.ok(detector.chunkFilter !== null);
  const alerts: string[] = [];
  const h = new Hunt(detector, { onAlert: (a) => alerts.push(`${a.rule.title}@${a.source.record}`), onError: () => {} }, prefilter);
  await h.runFile(file, statSync(file).size);
  return { alerts: alerts.sort(), stats: h.stats };
}

test('formulas, product check and escapes prune only lines that cannot match', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pruning-'));
  try {
    const file = join(dir, 'lines.jsonl');
    writeFileSync(file, LINES.join('\n') + '\n');
    const fast = await hunt(file, true);
    const slow = await hunt(file, false);
    assert.deepEqual(fast.alerts, slow.alerts);
    // The edges above do fire: formulas pass real matches, escapes reach the rules, Cisco rules see non-Windows lines.
    for (const id of ['r-and@2', 'r-and@5', 'r-and@6', 'r-and@7', 'r-allof@10', 'r-allof@11', 'r-oneof@12', 'r-cisco@17', 'r-cisco@18', 'r-cisco@19', 'r-cisco@21', 'r-linux@25']) {
      assert.ok(fast.alerts.includes(id), `expected ${id} in ${fast.alerts.join(' ')}`);
    }
    // Search hits and escaped keys are Windows events once parsed: no Cisco alert, but they were parsed to find out.
    for (const id of ['r-cisco@20', 'r-cisco@22', 'r-linux@23', 'r-linux@24']) assert.ok(!fast.alerts.includes(id), id);
    // And the pruning prunes: line 1 (formula), 9 (|all), 14–16 and 24 (Windows lines with
    // only other products' needles) are not parsed.
    assert.equal(slow.stats.parsed, LINES.length);
    assert.ok(fast.stats.parsed <= LINES.length - 6, `parsed ${fast.stats.parsed} of ${LINES.length}`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a needle cut from a long literal is whole characters: an astral character on the cut still matches through the chunk filter', async () => {
  // 17 UTF-16 units: the last 16 start inside the emoji's surrogate pair.
  const rules = `title: r-astral\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel: {CommandLine|contains: 'x\u{1F600}abcdefghijklmno'}\n  condition: sel\n`;
  const { documents } = loadSigmaText(rules);
  const detector = new Detector(documents, { derived: derivedPolicyFor });
  assert.ok(detector.chunkFilter !== null);
  for (const n of detector.needles) assert.ok(!/[\ud800-\udfff]/.test(n.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), `half a surrogate pair in ${JSON.stringify(n)}`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-astral-'));
  try {
    const file = join(dir, 'lines.jsonl');
    writeFileSync(file, [sysmon1({ CommandLine: 'run x\u{1F600}abcdefghijklmno now' }), sysmon1({ CommandLine: 'netstat' })].join('\n') + '\n');
    const alerts: string[] = [];
    const h = new Hunt(detector, { onAlert: (a) => alerts.push(`${a.rule.title}@${a.source.record}`), onError: () => {} });
    await h.runFile(file, statSync(file).size);
    assert.deepEqual(alerts, ['r-astral@1']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a line admitted by a reader that does not announce chunks is judged alone, escapes included', () => {
  const { documents } = loadSigmaText(RULES);
  const detector = new Detector(documents, { derived: derivedPolicyFor });
  const stats: string[] = [];
  const h = new Hunt(detector, { onAlert: (a) => stats.push(a.rule.title), onError: () => {} });
  const sink = h.sinkFor('mem');
  const lines = [
    sysmon1({ Image: 'C:\\x\\netstat.exe', CommandLine: 'netstat -ano' }).replace('-ano', '-\\u0061no'),
    sysmon1({ CommandLine: 'dir' }),
    JSON.stringify({ message: 'dir' }),
  ];
  lines.forEach((l, i) => {
    const buf = Buffer.from(l);
    sink.line(buf, 0, buf.length, i + 1);
  });
  assert.deepEqual(stats.sort(), ['r-and', 'r-cisco']);
  assert.equal(h.stats.parsed, 2);
});

const GROUP_RULES = `${RULES}
---
title: r-needleless
logsource: {product: windows, category: process_access}
detection:
  sel: {GrantedAccess: '0x1010'}
  condition: not sel
---
title: r-security
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624, LogonType: 3, TargetUserName|contains: 'admin'}
  condition: sel
`;

test('with needle-less rules, marking after the parse by logsource group equals exhaustive matching', async () => {
  const { documents } = loadSigmaText(GROUP_RULES);
  const lines = [
    ...LINES,
    JSON.stringify({ EventID: 10, Channel: 'Microsoft-Windows-Sysmon/Operational', GrantedAccess: '0x1410' }),
    JSON.stringify({ EventID: 10, Channel: 'Microsoft-Windows-Sysmon/Operational', GrantedAccess: '0x1010' }),
    JSON.stringify({ EventID: 4624, Channel: 'Security', LogonType: 3, TargetUserName: 'Administrator' }),
    JSON.stringify({ EventID: 4624, Channel: 'Security', LogonType: 3, TargetUserName: 'Adm\\u0069n' }).replace('\\\\u0069', '\\u0069'),
    JSON.stringify({ EventID: 4624, Channel: 'Security', LogonType: 2, TargetUserName: 'admin' }),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'vigil-groups-'));
  try {
    const file = join(dir, 'lines.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const run = async (prefilter: boolean): Promise<string[]> => {
      const detector = new Detector(documents, { derived: derivedPolicyFor });
      assert.ok(detector.marksAfterParse);
      const alerts: string[] = [];
      const h = new Hunt(detector, { onAlert: (a) => alerts.push(`${a.rule.title}@${a.source.record}`), onError: () => {} }, prefilter);
      await h.runFile(file, statSync(file).size);
      // A parsed object between lines must not inherit a line's deferred marking.
      const sink = h.sinkFor('mem');
      sink.line(Buffer.from(lines[1]), 0, Buffer.byteLength(lines[1]), 1000);
      sink.object(JSON.parse(lines[lines.length - 3]), 1001);
      return alerts.sort();
    };
    const fast = await run(true);
    const slow = await run(false);
    assert.deepEqual(fast, slow);
    for (const id of ['r-needleless@26', 'r-security@28', 'r-security@29', 'r-security@1001', 'r-and@1000']) assert.ok(fast.includes(id), `${id} in ${fast.join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('with needle-less rules, a line whose logsource the bytes tell is parsed only if its own group can match it', async () => {
  const { documents } = loadSigmaText(GROUP_RULES);
  const security = (fields: Record<string, unknown>): string => JSON.stringify({ EventID: 4624, Channel: 'Security', ...fields });
  const lines = [
    // Security 4624: no needle-less rule in the group. No needle: not parsed.
    security({ LogonType: 3, TargetUserName: 'bob' }),
    // 'admin' hits, but the formula needs 4624 too and the EventID is another: not parsed either
    JSON.stringify({ EventID: 4625, Channel: 'Security', TargetUserName: 'admin' }),
    // needle hit: parsed, and it matches
    security({ LogonType: 3, TargetUserName: 'admin' }),
    // an escape hides text from the needles: parsed (and it matches)
    security({ LogonType: 3, TargetUserName: 'Adm\u0069n' }).replace('\\u0069', '\u0069'),
    // Sysmon 10 holds a needle-less rule: always parsed
    JSON.stringify({ EventID: 10, Channel: 'Microsoft-Windows-Sysmon/Operational', GrantedAccess: '0x1410' }),
    // the bytes do not tell the logsource (another spelling of a routing key): parsed
    JSON.stringify({ EventID: 4624, channel: 'Security', LogonType: 3, TargetUserName: 'bob' }),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hint-'));
  try {
    const file = join(dir, 'lines.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const run = async (prefilter: boolean): Promise<{ alerts: string[]; parsed: number }> => {
      const detector = new Detector(documents, { derived: derivedPolicyFor });
      const alerts: string[] = [];
      const h = new Hunt(detector, { onAlert: (a) => alerts.push(`${a.rule.title}@${a.source.record}`), onError: () => {} }, prefilter);
      await h.runFile(file, statSync(file).size);
      return { alerts: alerts.sort(), parsed: h.stats.parsed };
    };
    const fast = await run(true);
    const slow = await run(false);
    assert.deepEqual(fast.alerts, slow.alerts);
    // Line 6 is not a flat Windows event to normalization either (its Channel is spelled otherwise): generic JSON, which Windows rules still see.
    assert.deepEqual(fast.alerts, ['r-needleless@5', 'r-needleless@6', 'r-security@3', 'r-security@4']);
    assert.equal(slow.parsed, lines.length);
    assert.equal(fast.parsed, lines.length - 2, 'lines 1 and 2 are not parsed');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a needle every event of the rule\'s logsource holds is taken only when the rule has no other', () => {
  // SigmaHQ's "Security Eventlog Cleared": Provider_Name: Security (Windows 2003's source name)
  // gives "security" — the channel of every security event; EventID 517 is the selective literal.
  const rule = loadSigmaFile(corpus('sigma-rules/rules/windows/builtin/security/win_security_audit_log_cleared.yml')).documents;
  const security = { product: 'windows', service: 'security', categories: [] };
  const logon = Buffer.from('{"Channel":"Security","EventID":4624,"TargetUserName":"bob"}');
  const cleared = Buffer.from('{"Channel":"Security","EventID":517,"Provider_Name":"Security"}');
  const r = rule[0] as SigmaRule;
  const policy = derivedPolicyFor(r.logsource.product);
  // The trigger needle (what decides that a line is looked at): the channel without the routing texts…
  assert.deepEqual([...ruleNeedles(r, policy) ?? []].sort(), ['"security"', 'indows-eventlog"']);
  // …the event id with them.
  assert.deepEqual([...ruleNeedles(r, policy, impliedTexts(r.logsource)) ?? []].sort(), ['517', 'indows-eventlog"']);
  const routed = new Detector(rule, { derived: derivedPolicyFor, implied: impliedTexts });
  assert.equal(routed.markForLogsource(security, logon, 0, logon.length), false);
  assert.equal(routed.markForLogsource(security, cleared, 0, cleared.length), true);
  // A rule whose only literal is the channel keeps it: a needle is still necessary.
  const only = loadSigmaText(`title: only channel\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {Channel: Security}\n  condition: sel\n`).documents;
  assert.deepEqual(new Detector(only, { derived: derivedPolicyFor, implied: impliedTexts }).needles, ['"security"']);
});

test('the EventIDs a rule can match, read off its condition', () => {
  const ids = (detection: string): number[] | null => {
    const [rule] = loadSigmaText(`title: t\nlogsource: {product: windows, service: sysmon}\ndetection:\n${detection}`).documents;
    const s = ruleEventIds(rule as SigmaRule);
    return s === null ? null : [...s].sort((a, b) => a - b);
  };
  assert.deepEqual(ids('  sel: {EventID: 28}\n  condition: sel\n'), [28]);
  assert.deepEqual(ids("  sel: {EventID: [1, '4688']}\n  condition: sel\n"), [1, 4688]);
  assert.deepEqual(ids('  a: {EventID: [1, 2, 3]}\n  b: {EventID: [2, 3, 4]}\n  condition: a and b\n'), [2, 3]);
  assert.deepEqual(ids('  a: {EventID: 1}\n  b: {Image|endswith: x.exe}\n  condition: a and b\n'), [1]);
  assert.deepEqual(ids('  a: {EventID: 1}\n  b: {EventID: 3}\n  condition: 1 of them\n'), [1, 3]);
  assert.deepEqual(ids('  a: {EventID: 1}\n  b: {Image|endswith: x.exe}\n  condition: a or b\n'), null);
  assert.deepEqual(ids('  a: {EventID: 1}\n  condition: not a\n'), null);
  assert.deepEqual(ids("  a: {EventID|startswith: '46'}\n  condition: a\n"), null);
  assert.deepEqual(ids("  a: {EventID: '46*'}\n  condition: a\n"), null);
  assert.deepEqual(ids('  a:\n    - EventID: 1\n    - EventID: 7\n  condition: a\n'), [1, 7]);
});

test('an EVTX record whose EventID a rule does not name is not decoded for it, whatever its digits hold', async () => {
  // Real records of system.evtx: the rule's only needle, "28", occurs in most of their
  // timestamps and ids, but few of them have EventID 28.
  const file = corpus('evtx/omerbenamram-evtx-samples/samples/system.evtx');
  const rule = loadSigmaText('title: only 28\nlogsource: {product: windows, service: system}\ndetection:\n  sel: {EventID: 28}\n  condition: sel\n').documents;
  const detector = new Detector(rule, { derived: derivedPolicyFor, implied: impliedTexts });
  const hunt = new Hunt(detector, { onAlert: () => undefined, onError: () => undefined });
  await hunt.runFile(file, statSync(file).size);
  const exhaustive = new Hunt(detector, { onAlert: () => undefined, onError: () => undefined }, false);
  await exhaustive.runFile(file, statSync(file).size);
  assert.equal(hunt.stats.events, exhaustive.stats.events);
  assert.equal(hunt.stats.alerts, exhaustive.stats.alerts);
  // Decoded: only the records whose EventID is 28 (the file's own count, from the exhaustive run's events).
  assert.ok(hunt.stats.parsed < exhaustive.stats.parsed / 10, `${hunt.stats.parsed} of ${exhaustive.stats.parsed} decoded`);
});
