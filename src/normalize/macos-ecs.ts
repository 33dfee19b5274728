/**
 * Elastic Endpoint (and other ECS shippers') documents from macOS hosts —
 * the shape of the macOS-ATTACK-DATASET exports. The Windows shapes run
 * first and claim an ECS document only when host.os says Windows, so these
 * never reach them. Routing follows ECS event.category/type/action:
 *
 *   process + start, action exec (or any but fork) → process_creation
 *   process + start, action fork                   → no category: the child runs its parent's
 *                                                     image and command line, so a rule on them
 *                                                     would fire again on every fork; the program
 *                                                     it becomes arrives as its own exec event
 *   process + end                                  → process_termination
 *   file (deletion)                                → file_delete;  other file changes → file_event
 *   network                                        → network_connection
 *
 * Fields take SigmaHQ's macOS names (tests/logsource.json); the whole
 * document also stays under its dotted ECS names.
 */
import { ECS_NETWORK, ECS_PROCESS, type EcsPairs } from './ecs-aliases.js';
import type { FlatEvent } from './flat-event.js';
import { flattenInto } from './flat-event.js';
import { joinArgv } from './argv.js';
import type { LogShape } from './shapes.js';
import { isRecord, type JsonRecord } from './xml-json.js';

const MACOS_NAMES = new Set(['macos', 'darwin', 'mac os x', 'osx']);

/** ECS with host.os naming macOS: exact, and cheap (three members deep). */
export function isEcsMacos(doc: JsonRecord): boolean {
  if (!isRecord(doc['event']) || !isRecord(doc['host'])) return false;
  const os = doc['host']['os'];
  if (!isRecord(os)) return false;
  return [os['type'], os['family'], os['platform']].some((v) => typeof v === 'string' && MACOS_NAMES.has(v.toLowerCase()));
}

/** Elastic Endpoint on macOS names the user plainly (no domain). */
const PROCESS: EcsPairs = [...ECS_PROCESS, ['User', 'user.name']];
const NETWORK = ECS_NETWORK;

export const MACOS_ECS: LogShape = {
  name: 'macos-ecs',
  product: 'macos',
  matches: isEcsMacos,
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    flattenInto(ev, doc, '');
    const categories = macosEcsCategories(doc);
    ev.logsource = { product: 'macos', categories };
    for (const [sigma, ecs] of PROCESS) {
      const v = ev.get(ecs);
      // Elastic Endpoint writes an unknown parent as "" (entity_id: ""): absent, not empty.
      if (v !== '') ev.set(sigma, v);
    }
    // Shippers without process.command_line give only the argument vector.
    const proc = isRecord(doc['process']) ? doc['process'] : {};
    if (!ev.has('CommandLine')) ev.set('CommandLine', joinArgv(ev, proc['args'], 'process.args'));
    const parent = isRecord(proc['parent']) ? proc['parent'] : {};
    if (!ev.has('ParentCommandLine')) ev.set('ParentCommandLine', joinArgv(ev, parent['args'], 'process.parent.args'));
    if (categories.includes('file_event') || categories.includes('file_delete')) {
      ev.set('TargetFilename', ev.get('file.path'));
    }
    if (categories.includes('network_connection')) for (const [sigma, ecs] of NETWORK) ev.set(sigma, ev.get(ecs));
    // Team convention: the host of a non-Windows event is host.name.
    ev.set('host.name', ev.get('host.hostname'));
  },
};

function macosEcsCategories(doc: JsonRecord): string[] {
  const event = isRecord(doc['event']) ? doc['event'] : {};
  const category = event['category'];
  const type = event['type'];
  const action = typeof event['action'] === 'string' ? event['action'].toLowerCase() : '';
  const has = (v: unknown, want: string): boolean => (Array.isArray(v) ? v.includes(want) : v === want);
  if (has(category, 'process')) {
    if (has(type, 'start')) return action === 'fork' ? [] : ['process_creation'];
    if (has(type, 'end')) return ['process_termination'];
    return [];
  }
  if (has(category, 'file')) return action === 'deletion' || has(type, 'deletion') ? ['file_delete'] : ['file_event'];
  if (has(category, 'network')) return ['network_connection'];
  return [];
}
