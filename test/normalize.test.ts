/**
 * Field values after normalization, checked against values read in the
 * corpus files themselves (each expectation names where it was read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpus } from './corpus.js';
import {
  DERIVED_FIELD_POLICY,
  DERIVED_FIELDS,
  eventHost,
  eventTime,
  eventUser,
  normalizeObject,
  type FlatEvent,
} from '../src/normalize/index.js';

const SHARPVIEW = 'json/OTRF-Security-Datasets/datasets/atomic/windows/execution/host/cmd_sharpview_pcre_net_2020-10-2920232423.json';
const WINLOGBEAT = 'json/wagga40-Zircolite/tests/fixtures/winlogbeat_sysmon_sample.json';
const REG = 'sigma-rules/regression_data/rules/windows';
const WMI_5858 = `${REG}/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog/d4f1a2b3-7c8e-4d5f-b6a9-1e0c2d3f4e5b.json`;
const SEC_4648 = `${REG}/builtin/security/win_security_explicit_credential_local_logon/e3c6d245-7b8f-4e2a-c17f-a9d0e5b38f62.json`;
const HIDE_USER = `${REG}/process_creation/proc_creation_win_registry_special_accounts_hide_user/9ec9fb1b-e059-4489-9642-f270c207923d.json`;
const IMAGE_LOAD = 'sigma-rules/regression_data/rules-threat-hunting/windows/image_load/image_load_win_werfaultsecure_dbgcore_dbghelp_load/8a2f4b1c-3d5e-4f7a-9b2c-1e4f6d8a9c2b.json';

function jsonLines(rel: string): { line: string; obj: Record<string, unknown> }[] {
  return readFileSync(corpus(rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => ({ line, obj: JSON.parse(line) as Record<string, unknown> }));
}

function jsonFile(rel: string): unknown {
  return JSON.parse(readFileSync(corpus(rel), 'utf8'));
}

function sharpView(eventId: number): FlatEvent {
  const hit = jsonLines(SHARPVIEW).find(
    ({ obj }) => obj['EventID'] === eventId && String(obj['CommandLine']).startsWith('SharpView.exe  Get-ObjectAcl'),
  );
  assert.ok(hit, `no EventID ${eventId} SharpView line`);
  return normalizeObject(hit.obj);
}

test('OTRF SharpView: Sysmon 1 and Security 4688 both read as process_creation with the same command', () => {
  const sysmon = sharpView(1);
  const sec = sharpView(4688);
  const cmd = 'SharpView.exe  Get-ObjectAcl -SamAccountName "Domain Admins"';
  for (const ev of [sysmon, sec]) {
    assert.equal(ev.logsource.product, 'windows');
    assert.deepEqual(ev.logsource.categories, ['process_creation']);
    assert.equal(ev.get('commandline'), cmd);
    assert.ok(String(ev.get('image')).endsWith('\\SharpView.exe'));
    assert.equal(ev.get('computer'), 'WORKSTATION5.theshire.local'); // from Hostname
  }
  assert.equal(sysmon.logsource.service, 'sysmon');
  assert.equal(sec.logsource.service, 'security'); // Channel is "security", lower-case, in this file
  assert.equal(sysmon.get('provider_name'), 'Microsoft-Windows-Sysmon'); // from SourceName
  assert.equal(sec.get('provider_name'), 'Microsoft-Windows-Security-Auditing');
});

test('OTRF Security 4688 gains the Sysmon names it holds in another form', () => {
  const sec = sharpView(4688);
  assert.equal(sec.get('image'), 'C:\\ProgramData\\SharpView.exe'); // NewProcessName
  assert.equal(sec.get('parentimage'), 'C:\\Windows\\System32\\cmd.exe'); // ParentProcessName
  assert.equal(sec.get('integritylevel'), 'High'); // MandatoryLabel S-1-16-12288
  assert.equal(sec.get('user'), 'THESHIRE\\pgustavo'); // SubjectDomainName\SubjectUserName; TargetUserName is "-"
  assert.equal(sec.get('logonid'), '0x10276b'); // SubjectLogonId
  assert.equal(sec.get('parentprocessid'), 0x1e7c); // ProcessId "0x1e7c"
  assert.equal(sec.get('processid'), '0x1e7c', '4688 keeps its own ProcessId');
  assert.equal(sec.get('newprocessid'), '0xea8');
  assert.equal(sec.get('channel'), 'security', 'original channel text is kept');
});

test('OTRF: the 4688 derived values agree with what Sysmon 1 logged for the same process', () => {
  const sysmon = sharpView(1);
  const sec = sharpView(4688);
  for (const f of ['parentimage', 'user', 'integritylevel', 'logonid']) {
    assert.equal(String(sec.get(f)), String(sysmon.get(f)), f);
  }
  assert.equal(String(sec.get('parentprocessid')), String(sysmon.get('parentprocessid'))); // "7804" in Sysmon
});

test('OTRF NXLog events: System values under Sigma names, time from @timestamp', () => {
  // A Sysmon 13 line of the Empire net-user file, as read in the file.
  const rel = 'json/OTRF-Security-Datasets/datasets/atomic/windows/discovery/host/empire_shell_net_local_users_2020-09-21192606.json';
  const hit = jsonLines(rel).find(({ obj }) => obj['RecordNumber'] === 3227596);
  assert.ok(hit);
  const ev = normalizeObject(hit.obj);
  assert.equal(ev.get('eventrecordid'), 3227596);
  assert.equal(ev.get('execution_processid'), 3172);
  assert.equal(ev.get('execution_threadid'), 4048);
  assert.equal(ev.get('security_userid'), 'S-1-5-18');
  assert.equal(ev.get('provider_guid'), '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}');
  assert.equal(ev.get('targetobject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Diagnostics\\DiagTrack\\LastSuccessfulUploadTime');
  assert.deepEqual(ev.logsource.categories, ['registry_event', 'registry_set']);
  assert.equal(eventTime(ev), '2020-09-21T23:26:09.439Z');
  assert.equal(eventHost(ev), 'WORKSTATION5.theshire.local');
});

test('evtx_dump: Sysmon 7 System and EventData fields', () => {
  const ev = normalizeObject(jsonFile(IMAGE_LOAD));
  assert.equal(ev.get('eventid'), 7);
  assert.equal(ev.get('channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(ev.get('provider_name'), 'Microsoft-Windows-Sysmon');
  assert.equal(ev.get('provider_guid'), '5770385F-C22A-43E0-BF4C-06F5698FFBD9');
  assert.equal(ev.get('timecreated'), '2025-11-27T07:40:10.165324Z');
  assert.equal(ev.get('eventrecordid'), 571146);
  assert.equal(ev.get('execution_processid'), 3544);
  assert.equal(ev.get('execution_threadid'), 4272);
  assert.equal(ev.get('security_userid'), 'S-1-5-18');
  assert.equal(ev.get('computer'), 'swachchhanda');
  assert.equal(ev.get('keywords'), '0x8000000000000000');
  assert.equal(ev.get('version'), 3);
  assert.equal(ev.get('image'), 'C:\\Windows\\System32\\WerFaultSecure.exe');
  assert.equal(ev.get('imageloaded'), 'C:\\Windows\\System32\\dbgcore.dll');
  assert.equal(ev.get('processid'), 4460);
  assert.equal(ev.get('originalfilename'), 'DBGCORE.DLL');
  assert.deepEqual(ev.logsource, { product: 'windows', service: 'sysmon', categories: ['image_load'] });
  assert.equal(eventTime(ev), '2025-11-27T07:40:10.165Z');
  assert.equal(eventUser(ev), 'swachchhanda\\xodih');
});

test('evtx_dump: Sysmon 1 keeps EventData values verbatim (regression hard negative)', () => {
  const ev = normalizeObject(jsonFile(HIDE_USER));
  assert.equal(ev.get('eventid'), 1);
  assert.equal(ev.get('computer'), 'srv-01.midgardnet.tech');
  assert.equal(ev.get('eventrecordid'), 657153);
  assert.equal(ev.get('parentprocessid'), 6656);
  assert.equal(ev.get('integritylevel'), 'High');
  assert.equal(ev.get('user'), 'MIDGARDNET\\SwachchhandaP');
  assert.ok(String(ev.get('parentcommandline')).startsWith('"cmd.exe" /c NET USER AtomicOperator$ At0micRedTeam! /ADD'));
  assert.deepEqual(ev.logsource.categories, ['process_creation']);
});

test('evtx_dump: UserData leaves become fields under their own names', () => {
  const ev = normalizeObject(jsonFile(WMI_5858));
  assert.equal(ev.get('eventid'), 5858);
  assert.equal(ev.get('provider_name'), 'Microsoft-Windows-WMI-Activity');
  assert.equal(ev.get('correlation_activityid'), '8E521E2B-7C26-0001-417F-9C8E267CDB01');
  assert.equal(ev.get('clientmachine'), 'SWACHCHHANDA');
  assert.equal(ev.get('user'), 'swachchhanda\\xodih');
  assert.equal(ev.get('clientprocessid'), 25920);
  assert.equal(ev.get('resultcode'), '0x80041003');
  assert.ok(String(ev.get('operation')).endsWith('::cleareventlog'));
  assert.equal(ev.get('userdata.operation_clientfailure.resultcode'), '0x80041003');
  assert.equal(ev.logsource.service, 'wmi');
});

test('evtx_dump: Security 4648 is routed to security without process aliases', () => {
  const ev = normalizeObject(jsonFile(SEC_4648));
  assert.equal(ev.get('eventid'), 4648);
  assert.equal(ev.get('targetusername'), 'testuser');
  assert.equal(ev.get('processname'), 'C:\\Users\\xodih\\OneDrive\\Desktop\\LegacyHive.exe');
  assert.equal(ev.get('processid'), '0x378');
  assert.equal(ev.get('image'), undefined, 'only 4688/4689/4657 are read as Sysmon events');
  assert.deepEqual(ev.logsource, { product: 'windows', service: 'security', categories: [] });
  assert.equal(eventUser(ev), 'swachchhanda\\testuser');
});

test('evtx_dump variants: EventID with Qualifiers, #text values, unnamed Data list, null EventData', () => {
  // Shapes the evtx crate emits for events with Qualifiers and for unnamed <Data> elements.
  const classic = normalizeObject({
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'PowerShell' } },
        EventID: { '#attributes': { Qualifiers: 0 }, '#text': 400 },
        Channel: 'Windows PowerShell',
        TimeCreated: { '#attributes': { SystemTime: '2021-01-02T03:04:05.678901Z' } },
      },
      EventData: { Data: { '#text': ['Available', 'None', '\tNewEngineState=Available\n\tHostName=ConsoleHost'] }, Binary: null },
    },
  });
  assert.equal(classic.get('eventid'), 400);
  assert.deepEqual(classic.get('data'), ['Available', 'None', '\tNewEngineState=Available\n\tHostName=ConsoleHost']);
  assert.equal(classic.get('binary'), null);
  assert.deepEqual(classic.logsource, { product: 'windows', service: 'powershell-classic', categories: ['ps_classic_start'] });

  const named = normalizeObject({
    Event: {
      System: { EventID: { '#text': 4688, '#attributes': { Qualifiers: '' } }, Channel: 'Security' },
      EventData: { Data: [{ '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\x.exe' }, { '@Name': 'MandatoryLabel', '#text': 'S-1-16-8192' }] },
    },
  });
  assert.equal(named.get('eventid'), 4688);
  assert.equal(named.get('image'), 'C:\\x.exe');
  assert.equal(named.get('integritylevel'), 'Medium');

  const empty = normalizeObject({ Event: { System: { EventID: 7036, Channel: 'System' }, EventData: null } });
  assert.equal(empty.get('eventid'), 7036);
  assert.equal(empty.logsource.service, 'system');
});

test('Winlogbeat: Sysmon 11 from winlog.* and ECS, original dotted names kept', () => {
  const [first, second] = jsonLines(WINLOGBEAT).map(({ obj }) => normalizeObject(obj));
  assert.ok(first && second);
  assert.equal(first.get('eventid'), 11); // winlog.event_id "11"
  assert.deepEqual(first.logsource, { product: 'windows', service: 'sysmon', categories: ['file_event'] });
  assert.equal(first.get('computer'), 's.domain.local');
  assert.equal(first.get('provider_name'), 'Microsoft-Windows-Sysmon');
  assert.equal(first.get('eventrecordid'), 633889);
  assert.equal(first.get('timecreated'), '2024-02-13T06:56:24.223Z'); // @timestamp
  assert.equal(first.get('image'), 'C:\\Windows\\System32\\svchost.exe'); // process.executable
  assert.equal(first.get('processid'), 1336); // process.pid
  assert.equal(first.get('targetfilename'), 'C:\\Windows\\ServiceState\\EventLog\\Data\\lastalive1.dat'); // file.path
  assert.equal(first.get('user'), 'NT AUTHORITY\\LOCAL SERVICE', 'event_data wins over ECS user');
  assert.equal(first.get('security_userid'), 'S-1-5-18');
  assert.equal(first.get('winlog.event_data.creationutctime'), '2024-02-09 18:40:54.452');
  assert.equal(first.get('agent.type'), 'winlogbeat');
  assert.equal(first.get('process.executable'), 'C:\\Windows\\System32\\svchost.exe');

  assert.equal(second.get('eventid'), 13);
  assert.deepEqual(second.logsource.categories, ['registry_event', 'registry_set']);
  assert.equal(second.get('targetobject'), 'HKLM\\System\\CurrentControlSet\\Services\\WdBoot\\Start');
  assert.equal(second.get('details'), 'DWORD (0x00000003)');
  assert.equal(second.get('image'), 'C:\\Windows\\system32\\services.exe');
  assert.equal(eventTime(second), '2024-02-13T06:56:36.707Z');
});

test('ECS process event without event_data gets Sigma names from ECS; event_data wins when present', () => {
  const doc = {
    '@timestamp': '2023-05-06T07:08:09.000Z',
    host: { name: 'WS1', os: { type: 'windows' } },
    event: { category: ['process'], type: ['start'] },
    process: {
      executable: 'C:\\Windows\\System32\\net.exe',
      command_line: 'net  use',
      pid: 4242,
      working_directory: 'C:\\Users\\bob\\',
      parent: { executable: 'C:\\Windows\\System32\\cmd.exe', command_line: 'cmd.exe' },
    },
    user: { name: 'bob', domain: 'CORP' },
  };
  const ev = normalizeObject(doc);
  assert.deepEqual(ev.logsource, { product: 'windows', categories: ['process_creation'] });
  assert.equal(ev.get('image'), 'C:\\Windows\\System32\\net.exe');
  assert.equal(ev.get('commandline'), 'net  use');
  assert.equal(ev.get('parentimage'), 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(ev.get('parentcommandline'), 'cmd.exe');
  assert.equal(ev.get('processid'), 4242);
  assert.equal(ev.get('currentdirectory'), 'C:\\Users\\bob\\');
  assert.equal(ev.get('user'), 'CORP\\bob');
  assert.equal(ev.get('computer'), 'WS1');

  const withData = normalizeObject({
    ...doc,
    winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1', event_data: { Image: 'C:\\real.exe' } },
  });
  assert.equal(withData.get('image'), 'C:\\real.exe');
  assert.deepEqual(withData.logsource.categories, ['process_creation']);
});

test('other JSON: generic dotted names, no product', () => {
  const other = normalizeObject({ host: { name: 'web-1' }, event: { action: 'login' }, tags: ['a', 'b'] });
  assert.equal(other.logsource.product, undefined);
  assert.deepEqual(other.logsource.categories, []);
  assert.equal(other.get('host.name'), 'web-1');
  assert.deepEqual(other.get('tags'), ['a', 'b']);
});

test('CloudTrail: product aws, service cloudtrail, the record\'s own dotted names', () => {
  const records = jsonFile('cloudtrail/DataDog-stratus-red-team/docs/detonation-logs/aws.execution.ec2-user-data.json') as unknown[];
  const ev = normalizeObject(records[0]);
  assert.deepEqual(ev.logsource, { product: 'aws', service: 'cloudtrail', categories: [] });
  assert.equal(ev.get('eventname'), 'DescribeInstances');
  assert.equal(ev.get('useridentity.arn'), 'arn:aws:iam::309303190113:user/christophe');
  assert.equal(ev.get('requestparameters.instancesset.items.0.instanceid'), 'i-DDd6c7B0e18F0E35f');
  assert.equal(eventTime(ev), '2024-08-01T12:04:24.000Z');
  assert.equal(eventUser(ev), 'arn:aws:iam::309303190113:user/christophe');
});

test('a bare flat Sysmon-like object is treated as Windows', () => {
  const ev = normalizeObject({ EventID: '3', Channel: 'Microsoft-Windows-Sysmon/Operational', DestinationPort: 445 });
  assert.equal(ev.get('eventid'), 3);
  assert.deepEqual(ev.logsource, { product: 'windows', service: 'sysmon', categories: ['network_connection'] });
});

test('normalizeObject never throws', () => {
  const hostile = new Proxy({}, {
    get() {
      throw new Error('boom');
    },
    ownKeys() {
      throw new Error('boom');
    },
  });
  const inputs: unknown[] = [null, undefined, 42, 'text', [], [1, { a: 2 }], { Event: null }, { Event: { System: 5 } },
    { Event: { System: { EventID: {} } } }, { winlog: { event_id: null } }, hostile];
  for (const input of inputs) {
    const ev = normalizeObject(input);
    assert.ok(Array.isArray(ev.logsource.categories));
    assert.equal(ev.raw, input);
  }
  assert.equal(normalizeObject([1, { a: 2 }]).get('1.a'), 2);
});

test('DERIVED_FIELD_POLICY: lower-case keys, composed fields listed', () => {
  assert.equal(DERIVED_FIELD_POLICY.get('user'), 'split');
  assert.equal(DERIVED_FIELD_POLICY.get('integritylevel'), 'none');
  assert.equal(DERIVED_FIELD_POLICY.get('parentprocessid'), 'none');
  // Every field of every product's entries (several products may compose one field, e.g. CommandLine).
  assert.equal(DERIVED_FIELD_POLICY.size, new Set(DERIVED_FIELDS.map((d) => d.field.toLowerCase())).size);
  for (const k of DERIVED_FIELD_POLICY.keys()) assert.equal(k, k.toLowerCase());
});

test('every value normalization puts that is not in the raw text is a declared derived field', () => {
  const docs: unknown[] = [
    ...jsonLines(SHARPVIEW).map(({ obj }) => obj),
    ...jsonLines(WINLOGBEAT).map(({ obj }) => obj),
    ...[IMAGE_LOAD, HIDE_USER, WMI_5858, SEC_4648].map(jsonFile),
  ];
  let splitChecked = 0;
  for (const doc of docs) {
    const raw = JSON.stringify(doc);
    const ev = normalizeObject(doc);
    for (const [name, value] of ev.entries()) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v === null || typeof v === 'boolean') continue;
        const text = typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : String(v);
        if (raw.includes(text)) continue;
        const policy = DERIVED_FIELD_POLICY.get(name);
        assert.ok(policy, `${name}=${String(v)} is not in the raw event but is not declared derived`);
        if (policy === 'split') {
          for (const piece of String(v).split('\\')) assert.ok(raw.includes(JSON.stringify(piece).slice(1, -1)), `${name}: ${piece}`);
          splitChecked++;
        }
      }
    }
  }
  assert.ok(splitChecked > 0, 'the 4688 User is composed and must have been checked');
});
