/**
 * `vigil hunt` end to end, as a user runs it: the built CLI in a child
 * process, real corpus logs, the built-in pack, a real SQLite file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { REPO_ROOT, corpus } from './corpus.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const SHARPVIEW = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows/execution/host/cmd_sharpview_pcre_net_2020-10-2920232423.json');
const NET_USER = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows/discovery/host/empire_shell_net_local_users_2020-09-21192606.json');

interface Run { code: number; stdout: string; stderr: string }

function vigil(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function jsonl(text: string): Record<string, any>[] {
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const tmp = mkdtempSync(join(tmpdir(), 'vigil-cli-'));

describe('vigil hunt', () => {
  it('writes characters that hide or reorder text (bidi overrides, C1, separators) as JSON escapes', () => {
    // Constructed: a Sysmon 1 event (OTRF flat shape) running netstat, its command line carrying a
    // right-to-left override, a C1 control and a line separator.
    const cmd = 'netstat -ano \u202e exe.dmc \u0085 \u2028';
    const event = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Hostname: 'WS1', Image: 'C:\\Windows\\System32\\NETSTAT.EXE', CommandLine: cmd, User: 'CORP\\bob' };
    const file = join(tmp, 'hidden-chars-constructed.jsonl');
    writeFileSync(file, JSON.stringify(event) + '\n');
    for (const format of ['jsonl', 'json', 'csv']) {
      const r = vigil(['hunt', file, '--format', format, '--no-store']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.length > 0 && /netstat/i.test(r.stdout), `${format}: no alert`);
      assert.ok(!/[\u0085\u2028\u202e]/.test(r.stdout), `${format}: a raw hiding character was written`);
      assert.match(r.stdout, /\\u202e/);
    }
    // The value itself is unchanged.
    const alerts = jsonl(vigil(['hunt', file, '--format', 'jsonl', '--no-store']).stdout);
    assert.equal(alerts[0].event.CommandLine, cmd);
  });

  it('finds SharpView in both Sysmon 1 and Security 4688 of the OTRF dataset', () => {
    const r = vigil(['hunt', SHARPVIEW, '--format', 'jsonl', '--no-store']);
    assert.equal(r.code, 0, r.stderr);
    const alerts = jsonl(r.stdout).filter((a) => a.rule.title === 'SharpView Executed');
    const ids = alerts.map((a) => a.event.EventID).sort();
    assert.deepEqual(ids, [1, 4688]);
    for (const a of alerts) {
      assert.equal(a.event.CommandLine, 'SharpView.exe  Get-ObjectAcl -SamAccountName "Domain Admins"');
      assert.ok(a.rule.tags.includes('attack.t1049'));
      assert.equal(a.host, 'WORKSTATION5.theshire.local');
      assert.match(a.source.file, /cmd_sharpview_pcre_net/);
      assert.ok(a.source.record > 0);
    }
    assert.match(r.stderr, /2 alerts/);
  });

  it('raises no T1049 alert on `net user` (T1087), the hard negative', () => {
    const r = vigil(['hunt', NET_USER, '--format', 'jsonl', '--no-store']);
    assert.equal(r.code, 0, r.stderr);
    // The file really holds net user command lines: the negative is meaningful.
    assert.match(readFileSync(NET_USER, 'utf8'), /net user/i);
    assert.deepEqual(jsonl(r.stdout), []);
  });

  it('records the hunt and its alerts in the SQLite store', () => {
    const db = join(tmp, 'store', 'vigil.db');
    const r = vigil(['hunt', SHARPVIEW, '--format', 'jsonl', '--store', db]);
    assert.equal(r.code, 0, r.stderr);
    const conn = new Database(db, { readonly: true });
    const rows = conn.prepare('SELECT rule_id, host, status FROM alerts').all() as { rule_id: string; host: string; status: string }[];
    const hunt = conn.prepare('SELECT events, alerts, finished_at FROM hunts').get() as { events: number; alerts: number; finished_at: string };
    conn.close();
    assert.equal(rows.length, jsonl(r.stdout).length);
    assert.ok(rows.every((x) => x.status === 'new' && x.host === 'WORKSTATION5.theshire.local'));
    assert.equal(hunt.alerts, rows.length);
    assert.equal(hunt.events, readFileSync(SHARPVIEW, 'utf8').trim().split('\n').length);
    assert.ok(hunt.finished_at);
  });

  it('reads .gz files and gives the same alerts', () => {
    const gz = join(tmp, 'sharpview.json.gz');
    writeFileSync(gz, gzipSync(readFileSync(SHARPVIEW)));
    const plain = jsonl(vigil(['hunt', SHARPVIEW, '--format', 'jsonl', '--no-store']).stdout).map((a) => a.source.record);
    const zipped = jsonl(vigil(['hunt', gz, '--format', 'jsonl', '--no-store']).stdout).map((a) => a.source.record);
    assert.deepEqual(zipped, plain);
  });

  it('names a broken line by file and line number and goes on with the rest', () => {
    const lines = readFileSync(SHARPVIEW, 'utf8').trim().split('\n');
    const broken = lines.slice(0, 5);
    broken.splice(2, 0, '{"CommandLine":"SharpView.exe  Get-NetSession", "EventID": 46'); // truncated
    broken.push(...lines.slice(5));
    const file = join(tmp, 'broken.jsonl');
    writeFileSync(file, broken.join('\n') + '\n');
    const r = vigil(['hunt', file, '--format', 'jsonl', '--no-store']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, new RegExp(`broken\\.jsonl:3: invalid JSON`));
    assert.equal(jsonl(r.stdout).filter((a) => a.rule.title === 'SharpView Executed').length, 2);
  });

  it('writes csv and json to --out', () => {
    const csv = join(tmp, 'alerts.csv');
    assert.equal(vigil(['hunt', SHARPVIEW, '--format', 'csv', '--out', csv, '--no-store']).code, 0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'time,level,rule_id,rule_title,tags,host,user,file,record,event');
    assert.equal(rows.length, 3);
    const json = join(tmp, 'alerts.json');
    assert.equal(vigil(['hunt', SHARPVIEW, '--format', 'json', '--out', json, '--no-store']).code, 0);
    assert.equal((JSON.parse(readFileSync(json, 'utf8')) as unknown[]).length, 2);
  });

  it('keeps hostile log text inert in the terminal table', () => {
    const file = join(tmp, 'hostile.jsonl');
    const ev = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'host\u001b]0;pwned\u0007\u001b[2J',
      Image: 'C:\\Tools\\SharpView.exe', CommandLine: 'SharpView.exe Get-NetSession' }; // constructed: Sysmon 1 fields
    writeFileSync(file, JSON.stringify(ev) + '\n');
    const r = vigil(['hunt', file, '--no-store', '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SharpView Executed/);
    assert.ok(!r.stdout.includes('\u001b'), 'no raw escape character reaches the terminal');
    assert.match(r.stdout, /\\x1b/);
  });

  it('fails with usage help on a bad option, and exits 0 with --help', () => {
    const bad = vigil(['hunt', '--format', 'xml', SHARPVIEW]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be one of/);
    assert.equal(vigil(['hunt', '--help']).code, 0);
    assert.match(execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }), /vigil hunt/);
  });
});

describe('vigil hunt on the T1049-positive EVTX files of the corpus (MANIFEST)', () => {
  const cases: [string, string, number][] = [
    // file, built-in rule expected, EventRecordID the MANIFEST names
    ['evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Lateral Movement/powercat_revShell_sysmon_1_3.evtx', 'Network Connections Listed With Netstat (Windows)', 8112],
    ['evtx/mdecrevoisier-EVTX-to-MITRE-Attack/TA0007-Discovery/T1135.xxx-Network Share Discovery/ID4688-Network share discovery or connection via commandline.evtx', 'Network Shares or Sessions Listed With net.exe', 60400],
    ['evtx/mdecrevoisier-EVTX-to-MITRE-Attack/TA0004-Privilege Escalation/T1574-DLL side-loading/ID4688,6416,4648-SystemNightMare.evtx', 'Network Shares or Sessions Listed With net.exe', 2183519],
    ['evtx/sbousseaden-EVTX-ATTACK-SAMPLES/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx', 'Network Shares or Sessions Listed With net.exe', 3674],
  ];
  for (const [file, title, record] of cases) {
    it(`${file.split('/').pop()}: ${title} on record ${record}`, () => {
      const r = vigil(['hunt', corpus(file), '--format', 'jsonl', '--no-store']);
      assert.equal(r.code, 0, r.stderr);
      const hits = jsonl(r.stdout).filter((a) => a.rule.title === title);
      assert.ok(hits.some((a) => a.source.record === record), `record ${record} among ${hits.map((a) => a.source.record).join(', ')}`);
      assert.ok(hits.every((a) => a.rule.tags.includes('attack.t1049')));
    });
  }
});
