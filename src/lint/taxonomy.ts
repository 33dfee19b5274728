/**
 * Field names by logsource, for the lint "unknown field" check.
 *
 * Two sources:
 *  - the built-in table below, written from vendor documentation (Sysmon event
 *    schemas, Windows Security auditing events 4688/4689/4703, PowerShell
 *    Operational 4103/4104, Linux process creation as built from auditd
 *    execve records, AWS CloudTrail record contents);
 *  - a file in the layout of SigmaHQ's tests/logsource.json, given with
 *    `--taxonomy FILE`: {"legit": {product: {"common": [...], "empty": [...],
 *    "category": {name: [...]}, "service": {name: [...]}}}, "addon": {...}}.
 *    In that layout an empty list means "fields not documented": the check
 *    is skipped for such a logsource, as it is for one the table lacks.
 *
 * Names compare case-insensitively (the engine looks fields up that way).
 */
import { readFileSync } from 'node:fs';
import type { Logsource } from '../sigma/model.js';

/** The fields of one logsource part (a category, a service, or "no category/service"). */
export interface FieldSet {
  /** Fields present whatever the event id. */
  fields: readonly string[];
  /**
   * Per event id fields, for a service carrying many event types. The check
   * then needs the rule to name its event ids (EventID), all of them known.
   */
  byEventId?: ReadonlyMap<number, readonly string[]>;
  /** Fields holding a nested object: `name.sub.key` is accepted under them. */
  nested?: readonly string[];
}

export interface ProductFields {
  common: readonly string[];
  empty?: FieldSet;
  category: ReadonlyMap<string, FieldSet>;
  service: ReadonlyMap<string, FieldSet>;
}

export interface FieldTable {
  /** 'built-in' or the file the table came from, for messages. */
  source: string;
  products: ReadonlyMap<string, ProductFields>;
  /**
   * Names people write for a field, mapped to the field (e.g. the label Event
   * Viewer shows in the rendered message): lower-case key → field name.
   */
  aliases: ReadonlyMap<string, string>;
}

/** What the check compares a rule's fields with. */
export interface KnownFields {
  /** "windows/security (EventID 4688, 4689)", for messages. */
  scope: string;
  /** lower-case name → name as documented. */
  byLower: ReadonlyMap<string, string>;
  nested: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------
// Built-in table
// ---------------------------------------------------------------------------

/** Windows event System element, as the normalizers name it. */
const WINDOWS_SYSTEM = [
  'EventID', 'Channel', 'Computer', 'Provider_Name', 'Provider_Guid', 'Provider_EventSourceName', 'EventRecordID',
  'TimeCreated', 'Execution_ProcessID', 'Execution_ThreadID', 'Security_UserID', 'Correlation_ActivityID',
  'Correlation_RelatedActivityID', 'Version', 'Level', 'Task', 'Opcode', 'Keywords', 'Message',
];

const SYSMON_PROCESS = ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image'];
const SYSMON_PE_INFO = ['FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName'];
const SYSMON_FILE_EVENT = [...SYSMON_PROCESS, 'TargetFilename', 'Hashes', 'User'];

/** Sysmon event schemas: event id → EventData fields. */
const SYSMON: ReadonlyMap<number, readonly string[]> = new Map<number, string[]>([
  // 1 Process creation
  [1, [...SYSMON_PROCESS, ...SYSMON_PE_INFO, 'CommandLine', 'CurrentDirectory', 'User', 'LogonGuid', 'LogonId',
    'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid', 'ParentProcessId', 'ParentImage',
    'ParentCommandLine', 'ParentUser']],
  // 2 A process changed a file creation time
  [2, [...SYSMON_PROCESS, 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime', 'User']],
  // 3 Network connection
  [3, [...SYSMON_PROCESS, 'User', 'Protocol', 'Initiated', 'SourceIsIpv6', 'SourceIp', 'SourceHostname', 'SourcePort',
    'SourcePortName', 'DestinationIsIpv6', 'DestinationIp', 'DestinationHostname', 'DestinationPort',
    'DestinationPortName']],
  // 4 Sysmon service state changed
  [4, ['UtcTime', 'State', 'Version', 'SchemaVersion']],
  // 5 Process terminated
  [5, [...SYSMON_PROCESS, 'User']],
  // 6 Driver loaded
  [6, ['RuleName', 'UtcTime', 'ImageLoaded', 'Hashes', 'Signed', 'Signature', 'SignatureStatus']],
  // 7 Image loaded
  [7, [...SYSMON_PROCESS, 'ImageLoaded', ...SYSMON_PE_INFO, 'Hashes', 'Signed', 'Signature', 'SignatureStatus', 'User']],
  // 8 CreateRemoteThread
  [8, ['RuleName', 'UtcTime', 'SourceProcessGuid', 'SourceProcessId', 'SourceImage', 'TargetProcessGuid',
    'TargetProcessId', 'TargetImage', 'NewThreadId', 'StartAddress', 'StartModule', 'StartFunction', 'SourceUser',
    'TargetUser']],
  // 9 RawAccessRead
  [9, [...SYSMON_PROCESS, 'Device', 'User']],
  // 10 ProcessAccess
  [10, ['RuleName', 'UtcTime', 'SourceProcessGUID', 'SourceProcessId', 'SourceThreadId', 'SourceImage',
    'TargetProcessGUID', 'TargetProcessId', 'TargetImage', 'GrantedAccess', 'CallTrace', 'SourceUser', 'TargetUser']],
  // 11 FileCreate
  [11, [...SYSMON_PROCESS, 'TargetFilename', 'CreationUtcTime', 'User']],
  // 12 Registry object added or deleted, 13 value set, 14 key/value renamed
  [12, [...SYSMON_PROCESS, 'EventType', 'TargetObject', 'User']],
  [13, [...SYSMON_PROCESS, 'EventType', 'TargetObject', 'Details', 'User']],
  [14, [...SYSMON_PROCESS, 'EventType', 'TargetObject', 'NewName', 'User']],
  // 15 FileCreateStreamHash
  [15, [...SYSMON_PROCESS, 'TargetFilename', 'CreationUtcTime', 'Hash', 'Contents', 'User']],
  // 16 Sysmon configuration change
  [16, ['UtcTime', 'Configuration', 'ConfigurationFileHash']],
  // 17 Pipe created, 18 pipe connected
  [17, [...SYSMON_PROCESS, 'EventType', 'PipeName', 'User']],
  [18, [...SYSMON_PROCESS, 'EventType', 'PipeName', 'User']],
  // 19-21 WMI filter, consumer, consumer-to-filter binding
  [19, ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'EventNamespace', 'Name', 'Query']],
  [20, ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'Name', 'Type', 'Destination']],
  [21, ['RuleName', 'EventType', 'UtcTime', 'Operation', 'User', 'Consumer', 'Filter']],
  // 22 DNS query
  [22, [...SYSMON_PROCESS, 'QueryName', 'QueryStatus', 'QueryResults', 'User']],
  // 23 File delete archived
  [23, [...SYSMON_FILE_EVENT, 'IsExecutable', 'Archived']],
  // 24 Clipboard change
  [24, [...SYSMON_PROCESS, 'Session', 'ClientInfo', 'Hashes', 'Archived', 'User']],
  // 25 Process image change (tampering)
  [25, [...SYSMON_PROCESS, 'Type', 'User']],
  // 26 File delete logged, 27 executable blocked, 28 shredding blocked, 29 executable detected
  [26, [...SYSMON_FILE_EVENT, 'IsExecutable']],
  [27, [...SYSMON_FILE_EVENT]],
  [28, [...SYSMON_FILE_EVENT, 'IsExecutable']],
  [29, [...SYSMON_FILE_EVENT]],
  // 255 Sysmon error
  [255, ['UtcTime', 'ID', 'Description']],
]);

/** Sigma's generic Windows categories and the Sysmon events that define their fields. */
const SYSMON_CATEGORIES: Record<string, number[]> = {
  process_creation: [1],
  file_change: [2],
  network_connection: [3],
  sysmon_status: [4, 16],
  process_termination: [5],
  driver_load: [6],
  image_load: [7],
  create_remote_thread: [8],
  raw_access_thread: [9],
  raw_access_read: [9],
  process_access: [10],
  file_event: [11],
  registry_add: [12],
  registry_delete: [12],
  registry_set: [13],
  registry_rename: [14],
  registry_event: [12, 13, 14],
  create_stream_hash: [15],
  pipe_created: [17, 18],
  wmi_event: [19, 20, 21],
  dns_query: [22],
  file_delete: [23, 26],
  clipboard_capture: [24],
  process_tampering: [25],
  file_block_executable: [27],
  file_block_shredding: [28],
  file_block: [27, 28],
  file_executable_detected: [29],
  sysmon_error: [255],
};

const SECURITY_SUBJECT = ['SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId'];
const SECURITY_TARGET = ['TargetUserSid', 'TargetUserName', 'TargetDomainName', 'TargetLogonId'];

/** Windows Security auditing events (EventData names). */
const SECURITY: ReadonlyMap<number, readonly string[]> = new Map<number, string[]>([
  // 4688 A new process has been created (event version 2)
  [4688, [...SECURITY_SUBJECT, 'NewProcessId', 'NewProcessName', 'TokenElevationType', 'ProcessId', 'CommandLine',
    ...SECURITY_TARGET, 'ParentProcessName', 'MandatoryLabel']],
  // 4689 A process has exited
  [4689, [...SECURITY_SUBJECT, 'Status', 'ProcessId', 'ProcessName']],
  // 4703 A user right was adjusted
  [4703, [...SECURITY_SUBJECT, ...SECURITY_TARGET, 'ProcessName', 'ProcessId', 'EnabledPrivilegeList',
    'DisabledPrivilegeList']],
]);

/**
 * Labels of the rendered Security messages (what Event Viewer's General tab
 * shows) that differ from the EventData name, and legacy spellings.
 */
const SECURITY_LABELS: Record<string, string> = {
  'New Process ID': 'NewProcessId',
  'New Process Name': 'NewProcessName',
  'Token Elevation Type': 'TokenElevationType',
  'Mandatory Label': 'MandatoryLabel',
  'Creator Process ID': 'ProcessId',
  'Creator Process Name': 'ParentProcessName',
  'Process Command Line': 'CommandLine',
  'Exit Status': 'Status',
  'Enabled Privileges': 'EnabledPrivilegeList',
  'Disabled Privileges': 'DisabledPrivilegeList',
};

/** Microsoft-Windows-PowerShell/Operational. */
const POWERSHELL: ReadonlyMap<number, readonly string[]> = new Map<number, string[]>([
  // 4103 Executing pipeline (module logging)
  [4103, ['ContextInfo', 'UserData', 'Payload']],
  // 4104 Creating scriptblock text (script block logging)
  [4104, ['MessageNumber', 'MessageTotal', 'ScriptBlockText', 'ScriptBlockId', 'Path']],
]);

/**
 * Linux process creation. Built from auditd's execve records: SYSCALL exe/pid/
 * ppid/auid/ses, EXECVE argv, CWD, PATH (Image, ProcessId, ParentProcessId,
 * User, LogonId, CommandLine, CurrentDirectory), plus the parent's image and
 * command line; Sysmon for Linux emits the same names in its event 1.
 */
const LINUX_PROCESS_CREATION = [
  'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'CommandLine', 'CurrentDirectory', 'User', 'LogonGuid', 'LogonId',
  'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid', 'ParentProcessId', 'ParentImage',
  'ParentCommandLine', 'ParentUser', 'RuleName',
];

/** AWS CloudTrail record contents (top level; the object-valued ones are in CLOUDTRAIL_NESTED). */
const CLOUDTRAIL = [
  'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
  'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID',
  'eventType', 'apiVersion', 'managementEvent', 'readOnly', 'resources', 'recipientAccountId', 'serviceEventDetails',
  'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'addendum', 'sessionCredentialFromConsole',
  'edgeDeviceDetails', 'tlsDetails', 'insightDetails',
];
const CLOUDTRAIL_NESTED = [
  'userIdentity', 'requestParameters', 'responseElements', 'additionalEventData', 'resources', 'serviceEventDetails',
  'addendum', 'edgeDeviceDetails', 'tlsDetails', 'insightDetails',
];

function union(...lists: (readonly string[] | undefined)[]): string[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

function sysmonFields(ids: readonly number[]): string[] {
  return union(...ids.map((id) => SYSMON.get(id)));
}

let builtin: FieldTable | undefined;

export function builtinTaxonomy(): FieldTable {
  if (builtin) return builtin;
  const windowsCategories = new Map<string, FieldSet>();
  for (const [name, ids] of Object.entries(SYSMON_CATEGORIES)) windowsCategories.set(name, { fields: sysmonFields(ids) });
  windowsCategories.set('ps_module', { fields: POWERSHELL.get(4103)! });
  windowsCategories.set('ps_script', { fields: POWERSHELL.get(4104)! });

  const windowsServices = new Map<string, FieldSet>([
    ['sysmon', { fields: [], byEventId: SYSMON }],
    ['security', { fields: [], byEventId: SECURITY }],
    ['powershell', { fields: [], byEventId: POWERSHELL }],
  ]);

  const aliases = new Map<string, string>();
  for (const [label, field] of Object.entries(SECURITY_LABELS)) aliases.set(squash(label), field);

  builtin = {
    source: 'built-in',
    aliases,
    products: new Map<string, ProductFields>([
      ['windows', { common: WINDOWS_SYSTEM, category: windowsCategories, service: windowsServices }],
      ['linux', {
        common: [],
        category: new Map([['process_creation', { fields: LINUX_PROCESS_CREATION }]]),
        service: new Map(),
      }],
      ['aws', {
        common: [],
        category: new Map(),
        service: new Map([['cloudtrail', { fields: CLOUDTRAIL, nested: CLOUDTRAIL_NESTED }]]),
      }],
    ]),
  };
  return builtin;
}

/** Lower-case without spaces, '_' or '-': how labels and legacy spellings are compared. */
function squash(s: string): string {
  return s.replace(/[\s_-]+/g, '').toLowerCase();
}

// ---------------------------------------------------------------------------
// Table files (SigmaHQ logsource.json layout)
// ---------------------------------------------------------------------------

export class TaxonomyError extends Error {}

export function loadTaxonomyFile(path: string): FieldTable {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TaxonomyError(`${path}: cannot read field table: ${(e as Error).message}`);
  }
  return parseTaxonomy(data, path);
}

export function parseTaxonomy(data: unknown, source: string): FieldTable {
  const fail = (where: string, what: string): never => {
    throw new TaxonomyError(`${source}: ${where}: ${what} (expected the layout of SigmaHQ tests/logsource.json)`);
  };
  if (!isObject(data) || !isObject(data.legit)) fail('top level', "no 'legit' map");
  const root = data as Record<string, unknown>;
  type Raw = { common: string[]; empty: string[]; category: Map<string, string[]>; service: Map<string, string[]> };
  const products = new Map<string, Raw>();
  const read = (section: unknown, label: string, addon: boolean): void => {
    if (section === undefined && addon) return;
    if (!isObject(section)) return fail(label, 'not a map');
    for (const [product, body] of Object.entries(section)) {
      const at = `${label}.${product}`;
      if (!isObject(body)) fail(at, 'not a map');
      const p: Raw = products.get(product) ?? { common: [], empty: [], category: new Map(), service: new Map() };
      products.set(product, p);
      const b = body as Record<string, unknown>;
      p.common.push(...stringList(b.common, `${at}.common`, fail));
      p.empty.push(...stringList(b.empty, `${at}.empty`, fail));
      for (const kind of ['category', 'service'] as const) {
        const m = b[kind];
        if (m === undefined) continue;
        if (!isObject(m)) fail(`${at}.${kind}`, 'not a map');
        for (const [name, list] of Object.entries(m as Record<string, unknown>)) {
          const fields = stringList(list, `${at}.${kind}.${name}`, fail);
          const prev = p[kind].get(name);
          // An addon on a logsource the main table leaves undocumented stays undocumented.
          if (addon && prev !== undefined && prev.length === 0) continue;
          if (addon && prev === undefined) continue;
          p[kind].set(name, [...(prev ?? []), ...fields]);
        }
      }
    }
  };
  read(root.legit, 'legit', false);
  read(root.addon, 'addon', true);
  const out = new Map<string, ProductFields>();
  for (const [name, p] of products) {
    const toSets = (m: Map<string, string[]>): Map<string, FieldSet> =>
      new Map([...m].map(([k, v]) => [k, { fields: union(v) }]));
    out.set(name, {
      common: union(p.common),
      empty: { fields: union(p.empty) },
      category: toSets(p.category),
      service: toSets(p.service),
    });
  }
  return { source, products: out, aliases: new Map() };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string, fail: (w: string, what: string) => never): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return fail(where, 'not a list of field names');
  return v as string[];
}

// ---------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------

/**
 * The fields a rule on `ls` may use, or undefined when the table has nothing
 * to say (unknown product/category/service, an undocumented entry, or a
 * per-event-id service where the rule's event ids are not all known).
 * `eventIds`: the EventID values the rule selects, undefined if it has none.
 */
export function knownFields(table: FieldTable, ls: Logsource, eventIds: readonly number[] | undefined): KnownFields | undefined {
  const productName = ls.product ?? 'empty';
  const product = table.products.get(productName);
  if (!product) return undefined;
  const parts: { label: string; set: FieldSet }[] = [];
  if (ls.category !== undefined) {
    const set = product.category.get(ls.category);
    if (!set) return undefined;
    parts.push({ label: ls.category, set });
  }
  if (ls.service !== undefined) {
    const set = product.service.get(ls.service);
    if (!set) return undefined;
    parts.push({ label: ls.service, set });
  }
  if (parts.length === 0) {
    if (!product.empty) return undefined;
    parts.push({ label: '', set: product.empty });
  }
  const names: string[] = [...product.common];
  const nested: string[] = [];
  const scopeBits: string[] = [];
  for (const { label, set } of parts) {
    let fields = [...set.fields];
    let ids = '';
    if (set.byEventId) {
      if (!eventIds || eventIds.length === 0 || !eventIds.every((id) => set.byEventId!.has(id))) {
        if (fields.length === 0) return undefined;
      } else {
        for (const id of eventIds) fields.push(...set.byEventId.get(id)!);
        ids = ` (EventID ${[...new Set(eventIds)].sort((a, b) => a - b).join(', ')})`;
      }
    }
    if (fields.length === 0) return undefined;
    names.push(...fields);
    nested.push(...(set.nested ?? []));
    scopeBits.push(label + ids);
  }
  const byLower = new Map<string, string>();
  for (const n of names) if (!byLower.has(n.toLowerCase())) byLower.set(n.toLowerCase(), n);
  const scope = [productName, ...scopeBits.filter((s) => s !== '')].join('/');
  return { scope, byLower, nested: new Set(nested.map((n) => n.toLowerCase())) };
}

export type FieldVerdict =
  | { kind: 'known' }
  /** Differs only in case (or `_`/`-`/spaces) from a documented name. */
  | { kind: 'case'; canonical: string }
  | { kind: 'unknown'; suggestion?: string };

export function classifyField(table: FieldTable, known: KnownFields, field: string): FieldVerdict {
  const lower = field.toLowerCase();
  const exact = known.byLower.get(lower);
  if (exact !== undefined) return exact === field ? { kind: 'known' } : { kind: 'case', canonical: exact };
  const dot = lower.indexOf('.');
  if (dot > 0 && known.nested.has(lower.slice(0, dot))) {
    const head = known.byLower.get(lower.slice(0, dot))!;
    return head === field.slice(0, dot) ? { kind: 'known' } : { kind: 'case', canonical: head + field.slice(dot) };
  }
  return { kind: 'unknown', suggestion: suggest(table, known, field) };
}

function suggest(table: FieldTable, known: KnownFields, field: string): string | undefined {
  const alias = table.aliases.get(squash(field));
  if (alias && known.byLower.has(alias.toLowerCase())) return alias;
  const target = squash(field);
  let best: string | undefined;
  let bestDist = Infinity;
  for (const name of known.byLower.values()) {
    const d = editDistance(target, squash(name));
    if (d < bestDist) {
      best = name;
      bestDist = d;
    }
  }
  // Close enough to be a typo, not just another short name.
  return best !== undefined && bestDist <= (target.length >= 10 ? 2 : 1) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
