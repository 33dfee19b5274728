/** `vigil coverage` as a user runs it: the built CLI in a child process, on a real corpus file. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTable } from '../src/coverage/render-table.js';
import type { CoverageReport } from '../src/coverage/report.js';
import { REPO_ROOT, corpus } from './corpus.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const SHARPVIEW = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows/execution/host/cmd_sharpview_pcre_net_2020-10-2920232423.json');

function vigil(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'vigil-coverage-'));

describe('vigil coverage (CLI)', () => {
  it('--format json: one object, hosts → data sources → {status, events, fix}; exit 0 although sources are missing', () => {
    const r = vigil(['coverage', SHARPVIEW, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as CoverageReport;
    const host = report.hosts['WORKSTATION5.theshire.local'];
    assert.ok(host, Object.keys(report.hosts).join(', '));
    assert.deepEqual([host.dataSources['windows/sysmon-1'].status, host.dataSources['windows/sysmon-1'].events], ['present', 1]);
    assert.equal(host.dataSources['windows/powershell-4104'].status, 'missing');
    assert.equal(typeof host.dataSources['windows/powershell-4104'].fix, 'string');
    assert.match(r.stderr, /1 file, \d+ events, 1 host; data sources: \d+ present, 0 degraded, \d+ missing/);
  });

  it('table (default) names the host, each source\'s status, and the fix of each gap', () => {
    const r = vigil(['coverage', SHARPVIEW, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^WORKSTATION5\.theshire\.local {2}\(windows; /);
    assert.match(r.stdout, /\n {2}present {3}Sysmon 1 \(process creation\) +1 event\n/);
    assert.match(r.stdout, /\n {2}missing {3}PowerShell 4104 \(script block logging\)\n {12}fix: collect Microsoft-Windows-PowerShell\/Operational/);
    assert.equal(r.stderr, '');
  });

  it('bad lines are reported with file and line, and the rest is still counted', () => {
    const lines = readFileSync(SHARPVIEW, 'utf8').split('\n').filter(Boolean);
    const file = join(tmp, 'damaged.json');
    writeFileSync(file, [lines[0], '{"EventID": 4688, "Channel": "Security", trunc', lines[1]].join('\n') + '\n');
    const r = vigil(['coverage', file, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /damaged\.json:2: invalid JSON/);
    assert.equal(JSON.parse(r.stdout).hosts['WORKSTATION5.theshire.local'].events, 2);
  });

  it('a path that cannot be read fails the command (exit 1); a bad option is a usage error (exit 2)', () => {
    const missing = vigil(['coverage', join(tmp, 'no-such-file.evtx')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-file\.evtx: cannot read: ENOENT/);
    assert.equal(vigil(['coverage', SHARPVIEW, '--format', 'xml']).code, 2);
    assert.equal(vigil(['coverage']).code, 2);
  });

  it('host names from logs cannot drive the terminal', () => {
    const report: CoverageReport = {
      hosts: { 'evil\u001b[2Jhost\u202e': { platforms: ['windows'], events: 1, unrecognizedEvents: 0, files: 1, dataSources: {}, rules: [] } },
      unassessedRules: [],
    };
    const text = renderTable(report);
    assert.ok(!/[\u001b\u202e]/.test(text));
    assert.match(text, /^evil\\x1b\[2Jhost\\u202e /);
  });
});
