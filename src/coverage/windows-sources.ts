/**
 * Windows data sources of the T1049 pack. Audit subcategories and GPO paths
 * follow Microsoft's audit-policy documentation ("Command line process
 * auditing", the 4688/4689/4703/5145 event pages); the PowerShell settings
 * follow about_Logging (script block logging: 4104 at level Verbose; without
 * it PowerShell still logs the blocks its own heuristics find suspicious, at
 * level Warning).
 */
import type { FlatEvent } from '../normalize/flat-event.js';
import { fromLog, hasValue, type DataSource } from './data-source.js';

const ADVANCED_AUDIT = 'Computer Configuration > Policies > Windows Settings > Security Settings > Advanced Audit Policy Configuration > Audit Policies';

const SECURITY_LOG_SEEN = fromLog('windows', 'security');

/** The level a 4104 was written at: Verbose (logging on) or Warning (only the automatic suspicious-block logging). */
function scriptBlockLoggingOn(ev: FlatEvent): boolean | undefined {
  for (const name of ['level', 'log.level', 'severity']) {
    const v = ev.get(name);
    if (v === undefined || v === null || Array.isArray(v)) continue;
    const t = String(v).toLowerCase();
    if (t === '5' || t === 'verbose' || t === 'debug') return true;
    if (t === '3' || t === 'warning') return false;
  }
  return undefined;
}

export const WINDOWS_SOURCES: readonly DataSource[] = [
  {
    id: 'windows/security-4688',
    title: 'Security 4688 (process creation)',
    logsource: { product: 'windows', service: 'security', categories: ['process_creation'], eventIds: [4688], imagePaths: 'windows' },
    fix: `collect the Security event log and enable Audit Process Creation (${ADVANCED_AUDIT} > Detailed Tracking > Audit Process Creation: Success; or auditpol /set /subcategory:"Process Creation" /success:enable), then 'Include command line in process creation events'`,
    hints: [{
      seen: SECURITY_LOG_SEEN,
      fix: `the Security log is collected but holds no 4688: enable Audit Process Creation (${ADVANCED_AUDIT} > Detailed Tracking > Audit Process Creation: Success; or auditpol /set /subcategory:"Process Creation" /success:enable)`,
    }],
    checks: [
      {
        problem: 'CommandLine is empty',
        fields: ['CommandLine'],
        fix: "enable 'Include command line in process creation events' (GPO: Computer Configuration > Administrative Templates > System > Audit Process Creation); Windows 7 / Server 2008 R2 need update KB3004375 first",
        judge: (ev) => hasValue(ev, ['CommandLine']),
      },
      {
        problem: 'the creator process name (ParentProcessName) is not logged',
        fields: ['ParentProcessName', 'ParentImage'],
        fix: 'Windows logs ParentProcessName in 4688 from Windows 10 / Server 2016 on (event version 2): upgrade older hosts; where the events are version 2, the field was dropped on the way (exporter, forwarder filter), so keep it; or add Sysmon (its EID 1 has ParentImage)',
        judge: (ev) => hasValue(ev, ['ParentProcessName']),
      },
    ],
  },
  {
    id: 'windows/sysmon-1',
    title: 'Sysmon 1 (process creation)',
    logsource: { product: 'windows', service: 'sysmon', categories: ['process_creation'], eventIds: [1], imagePaths: 'windows' },
    fix: 'install Sysmon (Sysinternals) with a configuration that logs ProcessCreate, and collect Microsoft-Windows-Sysmon/Operational; it adds what 4688 lacks (OriginalFileName for renamed tools, hashes, parent command line)',
    hints: [{
      seen: fromLog('windows', 'sysmon'),
      fix: 'Sysmon runs here but logs no EID 1: its configuration filters out ProcessCreate; include process creation (at least netstat.exe, net.exe, net1.exe, powershell.exe)',
    }],
  },
  {
    id: 'windows/sysmon-18',
    title: 'Sysmon 18 (pipe connected)',
    logsource: { product: 'windows', service: 'sysmon', categories: ['pipe_created'], eventIds: [18] },
    why: 'session enumeration against this host (NetSessionEnum) connects to the srvsvc pipe: Sysmon 18 shows it where detailed file share auditing (5145) is off',
    fix: 'install Sysmon (Sysinternals) with a configuration that logs PipeEvent (at least PipeName \\srvsvc), and collect Microsoft-Windows-Sysmon/Operational',
    hints: [{
      seen: fromLog('windows', 'sysmon'),
      fix: 'Sysmon runs here but logs no EID 18: its configuration filters out PipeEvent; include pipe connections (at least PipeName \\srvsvc)',
    }],
  },
  {
    id: 'windows/security-4689',
    title: 'Security 4689 (process termination)',
    logsource: { product: 'windows', service: 'security', categories: ['process_termination'], eventIds: [4689] },
    fix: `collect the Security event log and enable Audit Process Termination (${ADVANCED_AUDIT} > Detailed Tracking > Audit Process Termination: Success)`,
    hints: [{
      seen: SECURITY_LOG_SEEN,
      fix: `enable Audit Process Termination (${ADVANCED_AUDIT} > Detailed Tracking > Audit Process Termination: Success; or auditpol /set /subcategory:"Process Termination" /success:enable)`,
    }],
  },
  {
    id: 'windows/security-4703',
    title: 'Security 4703 (token right adjusted)',
    logsource: { product: 'windows', service: 'security', eventIds: [4703] },
    why: "the seed write-up's netstat sequence (4688, 4703 SeDebugPrivilege, 4689 within 5 s)",
    fix: `collect the Security event log and enable Audit Token Right Adjusted (${ADVANCED_AUDIT} > Detailed Tracking; Windows 10 / Server 2016 and later)`,
    hints: [{
      seen: SECURITY_LOG_SEEN,
      fix: `enable Audit Token Right Adjusted (${ADVANCED_AUDIT} > Detailed Tracking > Audit Token Right Adjusted: Success; or auditpol /set /subcategory:"Token Right Adjusted Events" /success:enable)`,
    }],
  },
  {
    id: 'windows/security-5145',
    title: 'Security 5145 (detailed file share)',
    logsource: { product: 'windows', service: 'security', eventIds: [5145] },
    why: 'session enumeration against this host (net session, PowerView Get-NetSession, PsLoggedOn) shows as 5145 on IPC$ srvsvc',
    fix: `collect the Security event log and enable Audit Detailed File Share (${ADVANCED_AUDIT} > Object Access > Audit Detailed File Share: Success, Failure)`,
    hints: [{
      seen: SECURITY_LOG_SEEN,
      fix: `enable Audit Detailed File Share (${ADVANCED_AUDIT} > Object Access > Audit Detailed File Share: Success, Failure; or auditpol /set /subcategory:"Detailed File Share" /success:enable /failure:enable); it is voluminous on file servers`,
    }],
  },
  {
    id: 'windows/powershell-4104',
    title: 'PowerShell 4104 (script block logging)',
    logsource: { product: 'windows', service: 'powershell', categories: ['ps_script'], eventIds: [4104] },
    fix: "collect Microsoft-Windows-PowerShell/Operational and enable 'Turn on PowerShell Script Block Logging' (GPO: Computer Configuration > Administrative Templates > Windows Components > Windows PowerShell)",
    hints: [{
      seen: fromLog('windows', 'powershell'),
      fix: "enable 'Turn on PowerShell Script Block Logging' (GPO: Computer Configuration > Administrative Templates > Windows Components > Windows PowerShell)",
    }],
    checks: [{
      problem: 'only Warning-level script blocks are in the logs (those PowerShell flags as suspicious by itself): script block logging looks off',
      fix: "enable 'Turn on PowerShell Script Block Logging' (GPO: Computer Configuration > Administrative Templates > Windows Components > Windows PowerShell)",
      judge: scriptBlockLoggingOn,
    }],
  },
  {
    id: 'windows/powershell-4103',
    title: 'PowerShell 4103 (module logging)',
    logsource: { product: 'windows', service: 'powershell', categories: ['ps_module'], eventIds: [4103] },
    fix: "collect Microsoft-Windows-PowerShell/Operational and enable 'Turn on Module Logging' with module name * (GPO: Computer Configuration > Administrative Templates > Windows Components > Windows PowerShell)",
    hints: [{
      seen: fromLog('windows', 'powershell'),
      fix: "enable 'Turn on Module Logging' with module name * (or at least NetTCPIP) (GPO: Computer Configuration > Administrative Templates > Windows Components > Windows PowerShell)",
    }],
  },
];
