/**
 * The built-in pack over the WHOLE Windows corpus (evtx/, json/, the SigmaHQ
 * regression events) and the constructed Windows fixtures, in one pass of the
 * `vigil hunt` code path, judged against test/fixtures/t1049-ground-truth.tsv:
 * every expected alert fires, no hard negative raises one, and the list of
 * alerts tagged attack.t1049 is exactly the expected list — a new false
 * positive anywhere in the corpus fails here.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertKey, evaluate, huntT1049, loadGroundTruth, type HuntResult, type T1049Alert, type TruthRow } from '../bench/ground-truth.js';
import { corpus } from './corpus.js';

const rows = loadGroundTruth().filter((r) => r.platform === 'windows');
let run: HuntResult;

before(async () => {
  run = await huntT1049(['windows']);
});

const RULE = {
  netstat: '8e7dd044-fcd2-4813-b074-dc473b5782ca',
  netUseSession: '4b5bbc93-eb3e-48f8-aa27-4e0a86007d9e',
  sharpview: '35a628ce-958c-4a07-89a4-26d646ef64ab',
  srvsvc5145: '47ec6ed3-7409-4946-b1ea-d287372bf5a0',
  srvsvc18: 'ce49c6ab-d683-4f43-8af2-d264126cb045',
  excessive: '27652317-9912-4690-bd90-e28d4118865a',
};

function fired(file: string, record: number, rule: string): boolean {
  return run.alerts.some((a) => a.file === file && a.record === record && a.ruleId === rule);
}

/** One line of an OTRF JSON-lines file, as the data says (not as Vigil reads it). */
function otrfLine(file: string, line: number): Record<string, unknown> {
  return JSON.parse(readFileSync(corpus(file), 'utf8').split('\n')[line - 1]) as Record<string, unknown>;
}

describe('T1049 ground truth over the whole Windows corpus', () => {
  it('reads the whole corpus and every ground-truth row names a loaded rule', () => {
    assert.ok(run.files > 600, `${run.files} files read`);
    assert.ok(run.events > 30_000, `${run.events} events read`);
    for (const r of rows) if (r.rule) assert.ok(run.titles.has(r.rule), `line ${r.line}: no built-in rule ${r.rule}`);
  });

  it('SharpView raises the SharpView rule on both its Security 4688 and its Sysmon 1 record', () => {
    const file = 'json/OTRF-Security-Datasets/datasets/atomic/windows/execution/host/cmd_sharpview_pcre_net_2020-10-2920232423.json';
    const events = [2, 121].map((n) => otrfLine(file, n));
    assert.deepEqual(events.map((e) => e.EventID), [4688, 1]);
    for (const e of events) assert.equal(e.CommandLine, 'SharpView.exe  Get-ObjectAcl -SamAccountName "Domain Admins"');
    assert.ok(fired(file, 2, RULE.sharpview) && fired(file, 121, RULE.sharpview));
  });

  it('net use raises the net.exe rule on Security 4688 (bare and with a share) and on Sysmon 1', () => {
    const mde = 'evtx/mdecrevoisier-EVTX-to-MITRE-Attack/';
    assert.ok(fired(`${mde}TA0007-Discovery/T1135.xxx-Network Share Discovery/ID4688-Network share discovery or connection via commandline.evtx`, 60400, RULE.netUseSession));
    assert.ok(fired(`${mde}TA0004-Privilege Escalation/T1574-DLL side-loading/ID4688,6416,4648-SystemNightMare.evtx`, 2183519, RULE.netUseSession));
    assert.ok(fired('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx', 3674, RULE.netUseSession));
  });

  it('netstat raises the netstat rule on Sysmon 1', () => {
    assert.ok(fired('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Lateral Movement/powercat_revShell_sysmon_1_3.evtx', 8112, RULE.netstat));
  });

  it('session enumeration raises the srvsvc rules on Security 5145 and Sysmon 18 of the target', () => {
    assert.ok(fired('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Discovery/discovery_psloggedon.evtx', 32953, RULE.srvsvc5145));
    assert.ok(fired('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Discovery/Discovery_Remote_System_NamedPipes_Sysmon_18.evtx', 409611, RULE.srvsvc18));
  });

  it('excessive enumeration fires where one account ran three different discovery commands within minutes', () => {
    const hits = run.alerts.filter((a) => a.ruleId === RULE.excessive);
    assert.deepEqual(hits.map((a) => `${a.file.split('/').pop()}#${a.record}`).sort(), [
      'ID4688-Network share discovery or connection via commandline.evtx#60400',
      'PanacheSysmon_vs_AtomicRedTeam01.evtx#3769',
      'powercat_revShell_sysmon_1_3.evtx#8120',
    ]);
  });

  it('every row that names a rule got an alert from that rule', () => {
    const e = evaluate(rows, run.alerts, run.titles);
    assert.deepEqual(e.missing.map((r) => `line ${r.line}: ${r.file}#${r.record}`), []);
  });

  it('no hard negative (net user, NET USER, net view, arp -a, module auto-load text, …) raises a T1049 alert', () => {
    const negatives = rows.filter((r) => r.truth === 'other' && !r.rule);
    assert.ok(negatives.length >= 25);
    for (const b of ['net-user', 'net-view', 'arp', 'module-autoload']) assert.ok(negatives.some((r) => r.behaviour === b), b);
    const e = evaluate(rows, run.alerts, run.titles);
    assert.deepEqual(e.negativesHit.map((h) => `line ${h.row.line}: ${h.alert.title}`), []);
  });

  it('the T1049 alerts over the corpus are exactly the expected list (any new false positive fails)', () => {
    const expected = rows.filter((r) => r.rule).map((r) => alertKey(r, r.rule!)).sort();
    const actual = run.alerts.map((a) => alertKey(a, a.ruleId)).sort();
    assert.deepEqual(actual, expected);
  });
});

describe('the ground-truth evaluation itself', () => {
  const row = (over: Partial<TruthRow>): TruthRow => ({ line: 1, platform: 'windows', source: 'real', file: 'f', record: 1, truth: 't1049', behaviour: 'b', rule: 'r1', evidence: 'e', ...over });
  const alert = (over: Partial<T1049Alert>): T1049Alert => ({ source: 'real', file: 'f', record: 1, ruleId: 'r1', title: 'R1', correlation: false, ...over });

  it('counts an alert on a record no row expects as a false positive and lists it', () => {
    const e = evaluate([row({})], [alert({}), alert({ record: 9 })], new Map([['r1', 'R1']]));
    assert.deepEqual([e.rules[0].tp, e.rules[0].fp, e.rules[0].fn], [1, 1, 0]);
    assert.equal(e.unexpected[0].record, 9);
  });

  it('counts a silent rule as a miss, and an alert on a hard negative as hitting it', () => {
    const e = evaluate([row({}), row({ record: 2, truth: 'other', rule: undefined })], [alert({ record: 2 })], new Map());
    assert.deepEqual([e.rules[0].tp, e.rules[0].fp, e.rules[0].fn], [0, 1, 1]);
    assert.equal(e.negativesHit.length, 1);
    assert.equal(e.behaviours[0].missed, 1);
  });

  it('rejects a malformed row with its line number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-gt-'));
    const file = join(dir, 'gt.tsv');
    writeFileSync(file, '# comment\nplatform\tsource\tfile\trecord\ttruth\tbehaviour\trule\tevidence\nwindows\treal\tf\tnot-a-number\tt1049\tb\t-\te\n');
    assert.throws(() => loadGroundTruth(file), /gt\.tsv:3: record must be a number/);
    writeFileSync(file, 'platform\tsource\tfile\trecord\ttruth\tbehaviour\trule\tevidence\nwindows\treal\tf\t1\tyes\tb\t-\te\n');
    assert.throws(() => loadGroundTruth(file), /gt\.tsv:2: truth must be t1049 or other/);
  });
});
