/**
 * Where a Windows event routes: channel → Sigma `service`, and
 * (service, EventID) → taxonomy `category`. Channel names follow pySigma's
 * Windows pipeline (sigma/pipelines/common.py) and, for services it lacks,
 * the channel the SigmaHQ rules themselves name; the Sysmon and PowerShell
 * event ids follow pySigma's sysmon and windows pipelines.
 */
import type { EventLogsource } from '../core/event.js';
import type { FlatEvent } from './flat-event.js';

const SERVICE_CHANNELS: Readonly<Record<string, readonly string[]>> = {
  security: ['Security'],
  system: ['System'],
  application: ['Application'],
  sysmon: ['Microsoft-Windows-Sysmon/Operational'],
  powershell: ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'],
  'powershell-classic': ['Windows PowerShell'],
  taskscheduler: ['Microsoft-Windows-TaskScheduler/Operational'],
  wmi: ['Microsoft-Windows-WMI-Activity/Operational'],
  'dns-server': ['DNS Server'],
  'dns-server-audit': ['Microsoft-Windows-DNS-Server/Audit', 'Microsoft-Windows-DNSServer/Audit'],
  'dns-server-analytic': ['Microsoft-Windows-DNS-Server/Analytical', 'Microsoft-Windows-DNSServer/Analytical'],
  // Rules name it by its Event Viewer title; the EVTX channel is the first.
  'dns-client': ['Microsoft-Windows-DNS-Client/Operational', 'Microsoft-Windows-DNS Client Events/Operational'],
  'driver-framework': ['Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  ntlm: ['Microsoft-Windows-NTLM/Operational'],
  dhcp: ['Microsoft-Windows-DHCP-Server/Operational'],
  'msexchange-management': ['MSExchange Management'],
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'printservice-admin': ['Microsoft-Windows-PrintService/Admin'],
  'printservice-operational': ['Microsoft-Windows-PrintService/Operational'],
  'codeintegrity-operational': ['Microsoft-Windows-CodeIntegrity/Operational'],
  'smbclient-security': ['Microsoft-Windows-SmbClient/Security'],
  'smbclient-connectivity': ['Microsoft-Windows-SmbClient/Connectivity'],
  'smbserver-connectivity': ['Microsoft-Windows-SMBServer/Connectivity'],
  'firewall-as': ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  'bits-client': ['Microsoft-Windows-Bits-Client/Operational'],
  windefend: ['Microsoft-Windows-Windows Defender/Operational'],
  'terminalservices-localsessionmanager': ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  'microsoft-servicebus-client': ['Microsoft-ServiceBus-Client'],
  // pySigma calls this service ldap_debug; the SigmaHQ rule says ldap. An event
  // carries one service, so it takes the rules' name; see SERVICE_SYNONYMS.
  ldap: ['Microsoft-Windows-LDAP-Client/Debug'],
  'security-mitigations': [
    'Microsoft-Windows-Security-Mitigations/Kernel Mode',
    'Microsoft-Windows-Security-Mitigations/User Mode',
  ],
  'diagnosis-scripted': ['Microsoft-Windows-Diagnosis-Scripted/Operational'],
  'shell-core': ['Microsoft-Windows-Shell-Core/Operational'],
  openssh: ['OpenSSH/Operational'],
  bitlocker: ['Microsoft-Windows-BitLocker/BitLocker Management'],
  'lsa-server': ['Microsoft-Windows-LSA/Operational'],
  'appxpackaging-om': ['Microsoft-Windows-AppxPackaging/Operational'],
  'appxdeployment-server': ['Microsoft-Windows-AppXDeploymentServer/Operational'],
  'appmodel-runtime': ['Microsoft-Windows-AppModel-Runtime/Admin'],
  capi2: ['Microsoft-Windows-CAPI2/Operational'],
  'certificateservicesclient-lifecycle-system': ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational'],
  vhdmp: ['Microsoft-Windows-VHDMP-Operational'],
  'hyper-v-worker': ['Microsoft-Windows-Hyper-V-Worker-Admin'],
  ntfs: ['Microsoft-Windows-Ntfs/Operational'],
};

/** Rule-side service names that mean the same log as the name events carry. */
export const SERVICE_SYNONYMS: ReadonlyMap<string, string> = new Map([['ldap_debug', 'ldap']]);

/** Lower-case channel → service. */
export const CHANNEL_SERVICE: ReadonlyMap<string, string> = new Map(
  Object.entries(SERVICE_CHANNELS).flatMap(([service, channels]) => channels.map((c) => [c.toLowerCase(), service] as const)),
);

/** Used only when an event has no channel (some exporters drop it). */
const PROVIDER_SERVICE: ReadonlyMap<string, string> = new Map([
  ['microsoft-windows-sysmon', 'sysmon'],
  ['microsoft-windows-security-auditing', 'security'],
  ['microsoft-windows-powershell', 'powershell'],
  ['powershell', 'powershell-classic'],
]);

const SYSMON: ReadonlyMap<number, readonly string[]> = new Map<number, readonly string[]>([
  [1, ['process_creation']],
  [2, ['file_change']],
  [3, ['network_connection']],
  [4, ['sysmon_status']],
  [5, ['process_termination']],
  [6, ['driver_load']],
  [7, ['image_load']],
  [8, ['create_remote_thread']],
  [9, ['raw_access_thread']],
  [10, ['process_access']],
  [11, ['file_event']],
  [13, ['registry_event', 'registry_set']],
  [14, ['registry_event', 'registry_rename']],
  [15, ['create_stream_hash']],
  [16, ['sysmon_status']],
  [17, ['pipe_created']],
  [18, ['pipe_created']],
  [19, ['wmi_event']],
  [20, ['wmi_event']],
  [21, ['wmi_event']],
  [22, ['dns_query']],
  [23, ['file_delete']],
  [24, ['clipboard_capture']],
  [25, ['process_tampering']],
  // pySigma sends file_delete rules to 26 as well as 23.
  [26, ['file_delete_detected', 'file_delete']],
  [27, ['file_block_executable']],
  [28, ['file_block_shredding']],
  [29, ['file_executable_detected']],
  [255, ['sysmon_error']],
]);

const BY_SERVICE: ReadonlyMap<string, ReadonlyMap<number, readonly string[]>> = new Map([
  ['sysmon', SYSMON],
  ['security', new Map([[4688, ['process_creation']], [4689, ['process_termination']]])],
  ['powershell', new Map([[4103, ['ps_module']], [4104, ['ps_script']]])],
  ['powershell-classic', new Map([[400, ['ps_classic_start']], [600, ['ps_classic_provider_start']], [800, ['ps_classic_script']]])],
]);

/**
 * What every Windows event of a rule's logsource holds in its raw JSON text:
 * its service's channel names, lower-case and quoted as needles are written.
 * Nothing for other products, or without a service (a category spans channels).
 */
export function impliedTexts(logsource: { product?: string; service?: string }): readonly string[] {
  if (logsource.product?.toLowerCase() !== 'windows' || logsource.service === undefined) return [];
  const channels = SERVICE_CHANNELS[logsource.service.toLowerCase()] ?? [];
  return channels.map((c) => JSON.stringify(c.toLowerCase()));
}

export function serviceOf(channel: string | undefined, provider: string | undefined): string | undefined {
  if (channel) return CHANNEL_SERVICE.get(channel.toLowerCase());
  return provider ? PROVIDER_SERVICE.get(provider.toLowerCase()) : undefined;
}

export function windowsLogsource(ev: FlatEvent): EventLogsource {
  const service = serviceOf(ev.text('Channel'), ev.text('Provider_Name'));
  const id = ev.get('eventid');
  const categories = typeof id === 'number' && service ? categoriesOf(service, id, ev) : [];
  return { product: 'windows', service, categories };
}

function categoriesOf(service: string, id: number, ev: FlatEvent): readonly string[] {
  if (service === 'sysmon' && id === 12) return sysmonRegistryObject(ev.text('EventType'));
  if (service === 'security' && id === 4657) return securityRegistryValue(ev.text('OperationType'));
  return BY_SERVICE.get(service)?.get(id) ?? [];
}

/**
 * Sysmon 12 logs key and value creation and deletion alike; EventType tells
 * which. Without a usable EventType (NXLog overwrites it with its own), the
 * event may be either, as pySigma routes both categories to 12 unconditionally.
 */
function sysmonRegistryObject(eventType: string | undefined): readonly string[] {
  const t = eventType?.toLowerCase() ?? '';
  if (t.startsWith('create')) return ['registry_event', 'registry_add'];
  if (t.startsWith('delete')) return ['registry_event', 'registry_delete'];
  return ['registry_event', 'registry_add', 'registry_delete'];
}

/**
 * pySigma's windows-audit pipeline maps registry categories to 4657 by
 * OperationType; raw EVTX keeps the %%-message ids instead of the text.
 */
function securityRegistryValue(op: string | undefined): readonly string[] {
  const t = op?.toLowerCase() ?? '';
  if (t === '%%1904' || t === 'new registry value created') return ['registry_event', 'registry_add'];
  if (t === '%%1905' || t === 'existing registry value modified') return ['registry_event', 'registry_set'];
  return [];
}

/**
 * Every category an event of this service and id may get, whatever its
 * EventData says (Sysmon 12 and Security 4657 depend on it): a superset, for
 * deciding before normalization that no rule could apply.
 */
export function possibleCategories(service: string, id: number): readonly string[] {
  if (service === 'sysmon' && id === 12) return ['registry_event', 'registry_add', 'registry_delete'];
  if (service === 'security' && id === 4657) return ['registry_event', 'registry_add', 'registry_set'];
  return BY_SERVICE.get(service)?.get(id) ?? [];
}
