/**
 * `vigil coverage` on real Windows logs from the corpus. Expected counts come
 * from the data: for JSON files they are counted here from the raw records
 * (Hostname, Channel, EventID, CommandLine), independently of Vigil's
 * normalization; for EVTX files they were read with libevtx's evtxexport
 * (quoted in each test).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpus } from './corpus.js';
import { coverageOfFiles, hostOf, ruleStatusOf, sourceOf } from './coverage-helpers.js';

const SHARPVIEW = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows/execution/host/cmd_sharpview_pcre_net_2020-10-2920232423.json');
const NET_USERS = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows/discovery/host/empire_shell_net_local_users_2020-09-21192606.json');
const NET_USE_4688 = corpus('evtx/mdecrevoisier-EVTX-to-MITRE-Attack/TA0007-Discovery/T1135.xxx-Network Share Discovery/ID4688-Network share discovery or connection via commandline.evtx');
const MALSECLOGON = corpus('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Credential Access/tutto_malseclogon.evtx');
const PS_WARNING_ONLY = corpus('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Credential Access/Powershell_4104_MiniDumpWriteDump_Lsass.evtx');
const PS_VERBOSE = corpus('evtx/mdecrevoisier-EVTX-to-MITRE-Attack/TA0002-Execution/T1059.001-PowerShell/ID4103-4104-Payload download via PowerShell.evtx');
const SYSMON_18_ONLY = corpus('evtx/sbousseaden-EVTX-ATTACK-SAMPLES/Discovery/Discovery_Remote_System_NamedPipes_Sysmon_18.evtx');

const GPO_COMMAND_LINE = 'Administrative Templates > System > Audit Process Creation';

/** The OTRF/NXLog records of a JSON-lines file, as written. */
function rawRecords(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Which data source a raw record belongs to, by its own Channel and EventID. */
function rawSourceOf(r: Record<string, unknown>): string | undefined {
  const channel = String(r['Channel'] ?? '').toLowerCase();
  const id = Number(r['EventID']);
  if (channel === 'security' && [4688, 4689, 4703, 5145].includes(id)) return `windows/security-${id}`;
  if (channel === 'microsoft-windows-sysmon/operational' && (id === 1 || id === 18)) return `windows/sysmon-${id}`;
  if (channel === 'microsoft-windows-powershell/operational' && (id === 4103 || id === 4104)) return `windows/powershell-${id}`;
  return undefined;
}

describe('vigil coverage on Windows logs', () => {
  it('OTRF SharpView: 4688 with its command line and Sysmon 1 are both present', async () => {
    const records = rawRecords(SHARPVIEW);
    const of = (src: string): Record<string, unknown>[] => records.filter((r) => rawSourceOf(r) === src);
    // The data: one 4688 and one Sysmon 1, both with the SharpView command line; no PowerShell channel at all.
    assert.equal(of('windows/security-4688').length, 1);
    assert.equal(of('windows/sysmon-1').length, 1);
    assert.ok(of('windows/security-4688').every((r) => String(r['CommandLine']).includes('SharpView.exe')));

    const host = hostOf(await coverageOfFiles([SHARPVIEW]), 'WORKSTATION5.theshire.local');
    assert.deepEqual(host.platforms, ['windows']);
    assert.equal(host.events, records.length);
    const p4688 = sourceOf(host, 'windows/security-4688');
    assert.deepEqual([p4688.status, p4688.events, p4688.fix, p4688.problems], ['present', 1, null, []]);
    const sysmon = sourceOf(host, 'windows/sysmon-1');
    assert.deepEqual([sysmon.status, sysmon.events], ['present', 1]);
    assert.deepEqual([sourceOf(host, 'windows/security-4689').status, sourceOf(host, 'windows/security-4689').events],
      ['present', of('windows/security-4689').length]);
    // No PowerShell log was collected: the fix says to collect it, not only to switch logging on.
    const ps = sourceOf(host, 'windows/powershell-4104');
    assert.equal(ps.status, 'missing');
    assert.match(ps.fix ?? '', /^collect Microsoft-Windows-PowerShell\/Operational and enable 'Turn on PowerShell Script Block Logging'/);
    assert.equal(ruleStatusOf(host, 'SharpView Executed'), 'covered');
    assert.equal(ruleStatusOf(host, 'Get-NetTCPConnection in a PowerShell Script Block'), 'blind');
  });

  it('OTRF Empire net user: each host gets its own data sources, counted as the raw records say', async () => {
    const records = rawRecords(NET_USERS);
    const report = await coverageOfFiles([NET_USERS]);
    const hosts = [...new Set(records.map((r) => String(r['Hostname'])))].sort();
    assert.deepEqual(Object.keys(report.hosts), hosts);
    for (const name of hosts) {
      const host = hostOf(report, name);
      const mine = records.filter((r) => r['Hostname'] === name);
      assert.equal(host.events, mine.length, name);
      for (const [id, s] of Object.entries(host.dataSources)) {
        const expected = mine.filter((r) => rawSourceOf(r) === id).length;
        assert.equal(s.events, expected, `${name} ${id}`);
        assert.equal(s.status, expected ? 'present' : 'missing', `${name} ${id}`);
      }
    }
    // The domain controller logs Security events (5145 among them) but no process creation:
    // the fix names the audit subcategory, since the log itself is collected.
    const dc = hostOf(report, 'MORDORDC.theshire.local');
    assert.equal(sourceOf(dc, 'windows/security-5145').status, 'present');
    const dc4688 = sourceOf(dc, 'windows/security-4688');
    assert.equal(dc4688.status, 'missing');
    assert.match(dc4688.fix ?? '', /^the Security log is collected but holds no 4688: enable Audit Process Creation/);
  });

  it('mdecrevoisier net use (4688 only): Sysmon is missing, the command line is there', async () => {
    // evtxexport: FS03.offsec.lan, 2 × 4688 (command lines "net  view", "net  use"), 1 × 4673, 1 × 1102;
    // each 4688 has 13 strings and none is a creator process name.
    const host = hostOf(await coverageOfFiles([NET_USE_4688]), 'FS03.offsec.lan');
    const sysmon = sourceOf(host, 'windows/sysmon-1');
    assert.equal(sysmon.status, 'missing');
    assert.match(sysmon.fix ?? '', /^install Sysmon/);
    assert.ok(sysmon.neededBy.includes('Network Connections Listed With Netstat (Windows)'));
    const p4688 = sourceOf(host, 'windows/security-4688');
    assert.equal(p4688.events, 2);
    assert.deepEqual(p4688.problems.map((p) => [p.problem, p.eventsOff, p.eventsJudged]),
      [['the creator process name (ParentProcessName) is not logged', 2, 2]]);
    assert.deepEqual(p4688.problems[0].rules, ['Net1 Session Started by Net (Security Log)', 'Net Session Handed to Net1 (Security Log Sequence)']);
    // The command line is logged, so the net use rule works from 4688 alone.
    assert.equal(ruleStatusOf(host, 'Network Shares or Sessions Listed With net.exe'), 'covered');
    assert.equal(ruleStatusOf(host, 'Net1 Session Started by Net (Security Log)'), 'impaired');
    assert.equal(ruleStatusOf(host, 'Net Use Run to Completion (Security Log Sequence)'), 'blind');
  });

  it('EAS MalSeclogon: 4688 without command lines is degraded with the GPO fix; Sysmon 1 and 4703 present', async () => {
    // evtxexport: MSEDGEWIN10, 6 × 4688 whose string 9 (CommandLine) is empty, 3 × Sysmon 1, 2 × 4703, 3 × Sysmon 10, 1 × 4624.
    const host = hostOf(await coverageOfFiles([MALSECLOGON]), 'MSEDGEWIN10');
    const p4688 = sourceOf(host, 'windows/security-4688');
    assert.equal(p4688.status, 'degraded');
    assert.equal(p4688.events, 6);
    const problem = p4688.problems.find((p) => p.problem === 'CommandLine is empty');
    assert.ok(problem, JSON.stringify(p4688.problems));
    assert.deepEqual([problem.eventsOff, problem.eventsJudged], [6, 6]);
    assert.ok(p4688.fix?.includes("enable 'Include command line in process creation events'"));
    assert.ok(p4688.fix?.includes(GPO_COMMAND_LINE));
    assert.ok(problem.rules.includes('Net Use Started (Security Log)'));
    assert.deepEqual([sourceOf(host, 'windows/sysmon-1').status, sourceOf(host, 'windows/sysmon-1').events], ['present', 3]);
    assert.deepEqual([sourceOf(host, 'windows/security-4703').status, sourceOf(host, 'windows/security-4703').events], ['present', 2]);
    const exit = sourceOf(host, 'windows/security-4689');
    assert.equal(exit.status, 'missing');
    assert.match(exit.fix ?? '', /^enable Audit Process Termination/);
    // Sysmon carries the command line, so the process-creation rules still work; the Security-only ones do not.
    assert.equal(ruleStatusOf(host, 'Network Shares or Sessions Listed With net.exe'), 'covered');
    assert.equal(ruleStatusOf(host, 'Net Use Started (Security Log)'), 'impaired');
    // The netstat sequence's start step reads only NewProcessName: empty command lines do not hurt it.
    assert.equal(ruleStatusOf(host, 'Netstat Process Created (Security Log)'), 'covered');
  });

  it('EAS MiniDumpWriteDump: a 4104 logged only at level Warning means script block logging is off', async () => {
    // evtxexport: MSEDGEWIN10, one 4104 at "Event level: Warning (3)", plus PowerShell 40961, 40962 and 53504.
    const host = hostOf(await coverageOfFiles([PS_WARNING_ONLY]), 'MSEDGEWIN10');
    const sb = sourceOf(host, 'windows/powershell-4104');
    assert.equal(sb.status, 'degraded');
    assert.deepEqual(sb.problems.map((p) => [p.eventsOff, p.eventsJudged]), [[1, 1]]);
    assert.match(sb.fix ?? '', /Turn on PowerShell Script Block Logging/);
    // The PowerShell log is collected (40961, …): the 4103 fix is only to switch module logging on.
    const module = sourceOf(host, 'windows/powershell-4103');
    assert.equal(module.status, 'missing');
    assert.match(module.fix ?? '', /^enable 'Turn on Module Logging'/);
    assert.equal(ruleStatusOf(host, 'Get-NetTCPConnection in a PowerShell Script Block'), 'impaired');
  });

  it('mdecrevoisier PowerShell payload: Verbose 4104 and 4103 are present', async () => {
    // evtxexport: fs03vuln.offsec.lan, 2 × 4104 at "Verbose (5)", 1 × 4103.
    const host = hostOf(await coverageOfFiles([PS_VERBOSE]), 'fs03vuln.offsec.lan');
    const sb = sourceOf(host, 'windows/powershell-4104');
    assert.deepEqual([sb.status, sb.events, sb.problems], ['present', 2, []]);
    const module = sourceOf(host, 'windows/powershell-4103');
    assert.deepEqual([module.status, module.events], ['present', 1]);
    assert.equal(ruleStatusOf(host, 'Get-NetTCPConnection Invoked (PowerShell Module Logging)'), 'covered');
  });

  it('EAS named pipes: Sysmon runs (EID 18) but logs no EID 1, so the fix is its configuration', async () => {
    // evtxexport: MSEDGEWIN10, 20 × Sysmon 18, nothing else.
    const host = hostOf(await coverageOfFiles([SYSMON_18_ONLY]), 'MSEDGEWIN10');
    const sysmon = sourceOf(host, 'windows/sysmon-1');
    assert.equal(sysmon.status, 'missing');
    assert.match(sysmon.fix ?? '', /^Sysmon runs here but logs no EID 1: its configuration filters out ProcessCreate/);
    // Its pipe connections are the Sysmon 18 source the srvsvc rule reads.
    const pipes = sourceOf(host, 'windows/sysmon-18');
    assert.deepEqual([pipes.status, pipes.events], ['present', 20]);
    assert.equal(ruleStatusOf(host, 'Server Service Pipe Connected by a Remote Client (srvsvc, Sysmon 18)'), 'covered');
    // No Security log at all: the 4688 fix starts with collecting it.
    assert.match(sourceOf(host, 'windows/security-4688').fix ?? '', /^collect the Security event log and enable Audit Process Creation/);
  });
});
