/**
 * Sigma names recovered from ECS fields. Winlogbeat's Sysmon module moves
 * some EventData values into ECS (Image → process.executable, TargetFilename
 * → file.path, …) and Elastic Endpoint has no EventData at all, so rules
 * would miss them. Only `set` is used: a real EventData value always wins.
 * Reads the dotted names that flattening already produced.
 */
import type { FlatEvent } from './flat-event.js';

/** Sigma name ← ECS dotted name. */
export type EcsPairs = readonly (readonly [sigma: string, ecs: string])[];
type Pairs = EcsPairs;

/** The process fields every ECS producer (Winlogbeat, Elastic Endpoint on any OS) names alike. */
export const ECS_PROCESS: EcsPairs = [
  ['Image', 'process.executable'],
  ['CommandLine', 'process.command_line'],
  ['ProcessId', 'process.pid'],
  ['ProcessGuid', 'process.entity_id'],
  ['CurrentDirectory', 'process.working_directory'],
  ['ParentImage', 'process.parent.executable'],
  ['ParentCommandLine', 'process.parent.command_line'],
  ['ParentProcessId', 'process.parent.pid'],
  ['ParentProcessGuid', 'process.parent.entity_id'],
];

/** The connection fields of ECS network events. */
export const ECS_NETWORK: EcsPairs = [
  ['SourceIp', 'source.ip'],
  ['SourcePort', 'source.port'],
  ['SourceHostname', 'source.domain'],
  ['DestinationIp', 'destination.ip'],
  ['DestinationPort', 'destination.port'],
  ['DestinationHostname', 'destination.domain'],
  ['Protocol', 'network.transport'],
];

/** Windows adds the PE metadata Sysmon reports. */
const PROCESS: Pairs = [
  ...ECS_PROCESS,
  ['OriginalFileName', 'process.pe.original_file_name'],
  ['Description', 'process.pe.description'],
  ['Product', 'process.pe.product'],
  ['Company', 'process.pe.company'],
  ['FileVersion', 'process.pe.file_version'],
];

const NETWORK: Pairs = ECS_NETWORK;

const FILE_CATEGORIES = new Set([
  'file_event', 'file_change', 'file_delete', 'file_delete_detected', 'create_stream_hash',
  'file_block_executable', 'file_block_shredding', 'file_executable_detected',
]);

export function applyEcsAliases(ev: FlatEvent, categories: readonly string[], isSysmon: boolean): void {
  const isProcessDoc = isSysmon || hasText(ev.get('event.category'), 'process') || !ev.has('winlog.channel');
  if (isProcessDoc) {
    copy(ev, PROCESS);
    ev.set('User', ecsUser(ev));
  }
  const cats = new Set(categories);
  if ([...cats].some((c) => FILE_CATEGORIES.has(c))) ev.set('TargetFilename', ev.get('file.path'));
  if (cats.has('image_load') || cats.has('driver_load')) ev.set('ImageLoaded', ev.get('file.path'));
  if (cats.has('network_connection')) copy(ev, NETWORK);
  if (isSysmon) ev.set('RuleName', ev.get('rule.name'));
  if (cats.has('dns_query')) ev.set('QueryName', ev.get('dns.question.name'));
  if (cats.has('registry_event') || cats.has('registry_set')) ev.set('TargetObject', ev.get('registry.path'));
  ev.set('Computer', ev.get('host.name'));
}

/** DOMAIN\name, as Sysmon writes User. */
function ecsUser(ev: FlatEvent): string | undefined {
  const name = ev.text('user.name');
  if (!name) return undefined;
  const domain = ev.text('user.domain');
  return domain ? `${domain}\\${name}` : name;
}

function copy(ev: FlatEvent, pairs: Pairs): void {
  for (const [sigma, ecs] of pairs) ev.set(sigma, ev.get(ecs));
}

function hasText(v: unknown, want: string): boolean {
  return Array.isArray(v) ? v.includes(want) : v === want;
}
