/**
 * Recognizes the three Windows JSON shapes and turns each into the same
 * Sigma field names, then routes the event. Shape-specific reading lives in
 * windows-evtx-json.ts, windows-ecs.ts and windows-flat.ts.
 */
import { FlatEvent } from './flat-event.js';
import { applyEcsAliases } from './ecs-aliases.js';
import { applySecurityProcessAliases } from './security-4688.js';
import { applySecurityRegistryAliases } from './security-4657.js';
import { extractEcs, isEcsWindows } from './windows-ecs.js';
import { extractEvtxJson, evtxEventNode } from './windows-evtx-json.js';
import { extractFlat, isFlatWindows } from './windows-flat.js';
import { windowsLogsource } from './windows-logsources.js';
import type { JsonRecord } from './xml-json.js';

export type WindowsShape = 'evtx' | 'ecs' | 'flat';

/** Which Windows shape `obj` has, by the same tests normalizeWindows applies. */
export function windowsShapeOf(obj: JsonRecord): WindowsShape | undefined {
  if (evtxEventNode(obj)) return 'evtx';
  if (isEcsWindows(obj)) return 'ecs';
  if (isFlatWindows(obj)) return 'flat';
  return undefined;
}

/** Fills `ev` if `obj` is a Windows event; returns which shape it was, or undefined. */
export function normalizeWindows(ev: FlatEvent, obj: JsonRecord): WindowsShape | undefined {
  let shape: WindowsShape;
  const evtx = evtxEventNode(obj);
  if (evtx) {
    extractEvtxJson(ev, evtx);
    shape = 'evtx';
  } else if (isEcsWindows(obj)) {
    extractEcs(ev, obj);
    shape = 'ecs';
  } else if (isFlatWindows(obj)) {
    extractFlat(ev, obj);
    shape = 'flat';
  } else {
    return undefined;
  }
  numericEventId(ev);
  ev.logsource = windowsLogsource(ev);
  const { service, categories } = ev.logsource;
  const id = ev.get('eventid');
  if (service === 'security' && typeof id === 'number') {
    applySecurityProcessAliases(ev, id);
    if (id === 4657) applySecurityRegistryAliases(ev);
  }
  if (shape === 'ecs') {
    applyEcsAliases(ev, categories, service === 'sysmon');
    if (!service && !categories.length) ev.logsource = { product: 'windows', categories: ecsCategories(ev) };
  }
  return shape;
}

/** Rules write EventID as a number; Winlogbeat and some exporters give a string. */
function numericEventId(ev: FlatEvent): void {
  const id = ev.get('eventid');
  if (typeof id === 'string' && /^\d+$/.test(id)) ev.put('EventID', Number(id));
}

/** Elastic Endpoint documents have no channel: ECS event.category/type tell a process start or end. */
function ecsCategories(ev: FlatEvent): string[] {
  const category = ev.get('event.category');
  const type = ev.get('event.type');
  const has = (v: unknown, want: string) => (Array.isArray(v) ? v.includes(want) : v === want);
  if (!has(category, 'process')) return [];
  if (has(type, 'start')) return ['process_creation'];
  if (has(type, 'end')) return ['process_termination'];
  return [];
}
