/**
 * Routing: the logsource normalization gives events, checked against the
 * logsources the corpus rules actually use and the rules each regression
 * sample was recorded for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { corpus } from './corpus.js';
import { CHANNEL_SERVICE, SERVICE_SYNONYMS, normalizeObject } from '../src/normalize/index.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const RULE_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-dfir', 'rules-placeholder'];

function walk(dir: string, ext: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, ext, out);
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

interface RuleLogsource {
  product?: string;
  service?: string;
  category?: string;
}

/** id → logsource, for every rule file of the corpus rule folders. */
function ruleLogsources(): Map<string, RuleLogsource & { file: string }> {
  const out = new Map<string, RuleLogsource & { file: string }>();
  for (const d of RULE_DIRS) {
    for (const file of walk(corpus(`sigma-rules/${d}`), '.yml')) {
      const text = readFileSync(file, 'utf8');
      const id = /^id:\s*['"]?([0-9a-f-]{36})/m.exec(text)?.[1];
      if (!id) continue;
      const ls = /^logsource:\n((?:[ \t]+.*\n?)+)/m.exec(text)?.[1] ?? '';
      const get = (k: string) => new RegExp(`^\\s+${k}:\\s*([\\w.-]+)`, 'm').exec(ls)?.[1]?.toLowerCase();
      out.set(id, { product: get('product'), service: get('service'), category: get('category'), file });
    }
  }
  return out;
}

/** evtx_dump writes one pretty-printed object per event, concatenated when there are several. */
function concatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if ((c === '}' || c === ']') && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

function windowsRuleValues(key: 'service' | 'category'): Set<string> {
  const out = new Set<string>();
  for (const d of RULE_DIRS) {
    for (const file of walk(corpus(`sigma-rules/${d}`), '.yml')) {
      if (!file.includes('/windows/')) continue;
      const m = new RegExp(`^\\s+${key}:\\s*([\\w.-]+)`, 'm').exec(readFileSync(file, 'utf8'));
      if (m?.[1]) out.add(m[1].toLowerCase());
    }
  }
  return out;
}

test('every regression_data .json routes to the logsource of the rule it was recorded for', () => {
  const rules = ruleLogsources();
  const files = walk(corpus('sigma-rules/regression_data'), '.json');
  assert.ok(files.length >= 200, `found ${files.length} regression .json files`);
  let withCategory = 0;
  for (const file of files) {
    const info = parse(readFileSync(join(dirname(file), 'info.yml'), 'utf8')) as { rule_metadata: { id: string }[] };
    const id = info.rule_metadata[0]?.id;
    assert.ok(id, file);
    const rule = rules.get(id);
    assert.ok(rule, `rule ${id} for ${file}`);
    assert.ok(rule.category || rule.service, `${rule.file} names neither category nor service`);
    const events = concatenatedJson(readFileSync(file, 'utf8')).map(normalizeObject);
    assert.ok(events.length > 0, file);
    const fits = events.some(
      (ev) =>
        ev.logsource.product === rule.product &&
        (!rule.category || ev.logsource.categories.includes(rule.category)) &&
        (!rule.service || ev.logsource.service === (SERVICE_SYNONYMS.get(rule.service) ?? rule.service)),
    );
    assert.ok(fits, `${file}: no event has ${JSON.stringify(rule)}; got ${JSON.stringify(events.map((e) => e.logsource))}`);
    if (rule.category) {
      withCategory++;
      assert.ok(events.some((ev) => ev.logsource.categories.length > 0), file);
    }
  }
  assert.ok(withCategory > 150);
});

test('every service a Windows rule in the corpus uses has a channel that routes to it', () => {
  const routed = new Set(CHANNEL_SERVICE.values());
  const used = windowsRuleValues('service');
  assert.ok(used.has('security') && used.has('appxdeployment-server'));
  for (const s of used) assert.ok(routed.has(SERVICE_SYNONYMS.get(s) ?? s), `service ${s} has no channel`);
});

test('every category the Windows rules use is produced, except the ETW-only file_access/file_rename', () => {
  const produced = new Set<string>();
  const add = (obj: Record<string, unknown>) => normalizeObject(obj).logsource.categories.forEach((c) => produced.add(c));
  for (let id = 1; id <= 255; id++) add({ EventID: id, Channel: SYSMON });
  for (const [channel, ids] of [
    ['Security', [4688, 4689]],
    ['Microsoft-Windows-PowerShell/Operational', [4103, 4104]],
    ['Windows PowerShell', [400, 600, 800]],
  ] as const) {
    for (const id of ids) add({ EventID: id, Channel: channel });
  }
  const notFromSysmonOrSecurity = new Set(['file_access', 'file_rename']);
  for (const c of windowsRuleValues('category')) {
    if (!notFromSysmonOrSecurity.has(c)) assert.ok(produced.has(c), `category ${c} is never produced`);
  }
});

test('Sysmon event ids → categories (Sysmon documentation)', () => {
  const expected: [number, string[]][] = [
    [1, ['process_creation']], [2, ['file_change']], [3, ['network_connection']], [4, ['sysmon_status']],
    [5, ['process_termination']], [6, ['driver_load']], [7, ['image_load']], [8, ['create_remote_thread']],
    [9, ['raw_access_thread']], [10, ['process_access']], [11, ['file_event']],
    [13, ['registry_event', 'registry_set']], [14, ['registry_event', 'registry_rename']], [15, ['create_stream_hash']],
    [16, ['sysmon_status']], [17, ['pipe_created']], [18, ['pipe_created']], [19, ['wmi_event']], [20, ['wmi_event']],
    [21, ['wmi_event']], [22, ['dns_query']], [23, ['file_delete']], [24, ['clipboard_capture']],
    [25, ['process_tampering']], [27, ['file_block_executable']], [28, ['file_block_shredding']],
    [29, ['file_executable_detected']], [255, ['sysmon_error']],
  ];
  for (const [id, cats] of expected) {
    const ev = normalizeObject({ EventID: id, Channel: SYSMON });
    assert.deepEqual(ev.logsource, { product: 'windows', service: 'sysmon', categories: cats }, `EventID ${id}`);
  }
  assert.ok(normalizeObject({ EventID: 26, Channel: SYSMON }).logsource.categories.includes('file_delete_detected'));
});

test('Sysmon 12 splits into registry_add / registry_delete by EventType', () => {
  const cats = (eventType?: string) =>
    normalizeObject({ EventID: 12, Channel: SYSMON, ...(eventType ? { EventType: eventType } : {}) }).logsource.categories;
  assert.deepEqual(cats('CreateKey'), ['registry_event', 'registry_add']);
  assert.deepEqual(cats('DeleteKey'), ['registry_event', 'registry_delete']);
  assert.deepEqual(cats('DeleteValue'), ['registry_event', 'registry_delete']);
  // NXLog replaces Sysmon's EventType with its own ("INFO"): either is possible.
  assert.deepEqual(cats('INFO'), ['registry_event', 'registry_add', 'registry_delete']);
  // A real DeleteKey sample (regression_data registry_delete_runmru).
  const file = 'sigma-rules/regression_data/rules/windows/registry/registry_delete/registry_delete_runmru/3a9b8c1e-5b2e-4f7a-9d1c-2a7f3b6e1c55.json';
  const ev = normalizeObject(JSON.parse(readFileSync(corpus(file), 'utf8')));
  assert.deepEqual(ev.logsource.categories, ['registry_event', 'registry_delete']);
});

test('channel → service, case-insensitive, with provider fallback', () => {
  const svc = (obj: Record<string, unknown>) => normalizeObject({ EventID: 1, ...obj }).logsource.service;
  assert.equal(svc({ Channel: 'security' }), 'security');
  assert.equal(svc({ Channel: 'MICROSOFT-WINDOWS-SYSMON/OPERATIONAL' }), 'sysmon');
  assert.equal(svc({ Channel: 'PowerShellCore/Operational' }), 'powershell');
  assert.equal(svc({ Channel: 'Microsoft-Windows-AppLocker/Packaged app-Execution' }), 'applocker');
  assert.equal(svc({ Channel: 'Microsoft-Windows-Windows Defender/Operational' }), 'windefend');
  assert.equal(svc({ Channel: 'Microsoft-Windows-LDAP-Client/Debug' }), 'ldap');
  assert.equal(svc({ SourceName: 'Microsoft-Windows-Sysmon' }), 'sysmon');
  assert.equal(svc({ Channel: 'Some-Unknown/Log' }), undefined);
  assert.equal(normalizeObject({ EventID: 1, Channel: 'Some-Unknown/Log' }).logsource.product, 'windows');
});

test('PowerShell categories on both PowerShell channels and the classic one', () => {
  const cats = (channel: string, id: number) => normalizeObject({ EventID: id, Channel: channel }).logsource.categories;
  for (const ch of ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational']) {
    assert.deepEqual(cats(ch, 4104), ['ps_script']);
    assert.deepEqual(cats(ch, 4103), ['ps_module']);
  }
  assert.deepEqual(cats('Windows PowerShell', 400), ['ps_classic_start']);
  assert.deepEqual(cats('Windows PowerShell', 600), ['ps_classic_provider_start']);
  assert.deepEqual(cats('Windows PowerShell', 800), ['ps_classic_script']);
  assert.deepEqual(cats('Microsoft-Windows-DNS-Client/Operational', 3008), [], 'not a pySigma mapping');
});

test('Security 4689 and 4657 read as Sysmon process/registry events', () => {
  const exit = normalizeObject({ EventID: 4689, Channel: 'Security', ProcessName: 'C:\\a.exe', ProcessId: '0x10' });
  assert.deepEqual(exit.logsource.categories, ['process_termination']);
  assert.equal(exit.get('image'), 'C:\\a.exe');
  assert.equal(exit.get('processid'), '0x10');

  const reg = normalizeObject({
    EventID: 4657, Channel: 'Security', OperationType: '%%1905',
    ObjectName: '\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', ObjectValueName: 'evil',
    NewValue: 'C:\\evil.exe', ProcessName: 'C:\\Windows\\regedit.exe',
  });
  assert.deepEqual(reg.logsource.categories, ['registry_event', 'registry_set']);
  assert.equal(reg.get('targetobject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil');
  assert.equal(reg.get('details'), 'C:\\evil.exe');
  assert.equal(reg.get('image'), 'C:\\Windows\\regedit.exe');
  const added = normalizeObject({ EventID: 4657, Channel: 'Security', OperationType: 'New registry value created' });
  assert.deepEqual(added.logsource.categories, ['registry_event', 'registry_add']);
});

test('OTRF datasets: every Sysmon event gets a category, every Security event the security service', () => {
  const dir = corpus('json/OTRF-Security-Datasets/datasets/atomic/windows');
  let sysmon = 0;
  let security = 0;
  for (const file of walk(dir, '.json')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const obj = JSON.parse(line) as Record<string, unknown>;
      const ev = normalizeObject(obj);
      assert.equal(ev.logsource.product, 'windows');
      const channel = String(obj['Channel']).toLowerCase();
      if (channel === SYSMON.toLowerCase()) {
        sysmon++;
        assert.ok(ev.logsource.categories.length > 0, `${file}: Sysmon EventID ${String(obj['EventID'])}`);
      } else if (channel === 'security') {
        security++;
        assert.equal(ev.logsource.service, 'security');
      }
    }
  }
  assert.ok(sysmon > 1000 && security > 1000, `${sysmon} Sysmon, ${security} Security events`);
});
