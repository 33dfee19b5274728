/**
 * Legacy rules with `timeframe` whose condition needs several events:
 *
 *   selection1: {EventID: 4688, …}
 *   selection2: {EventID: 4689, …}
 *   timeframe: last 5s
 *   condition: all of them           ← no single event has two EventIDs
 *
 * Such a rule describes a sequence on one host. Vigil reads it as a temporal
 * correlation: each selection becomes a silent rule of its own, and the
 * correlation fires when all of them match within the timeframe, grouped by
 * host (Computer) — and by process id when every selection describes the
 * same program, since then they describe one process.
 */
import { expandOfTarget, type ConditionNode } from '../sigma/condition.js';
import { parseTimespan } from '../sigma/parse-document.js';
import type { Detection, DetectionItem, SigmaCorrelation, SigmaRule } from '../sigma/model.js';
import { literalText } from '../sigma/sigma-string.js';

/** The field holding the subject process's id, per Windows EventID. */
const PROCESS_ID_FIELD: Record<number, string> = {
  4688: 'NewProcessId', 4689: 'ProcessId', 4703: 'ProcessId',
  1: 'ProcessId', 3: 'ProcessId', 5: 'ProcessId', 10: 'SourceProcessId',
};
const IMAGE_FIELDS = new Set(['newprocessname', 'processname', 'image']);

export interface LegacyConversion {
  rules: SigmaRule[];
  correlation: SigmaCorrelation;
  note: string;
}

/**
 * `key` must be unique among the rules converted together: seed-style rules
 * often have no id and share a title, and the generated rules are referenced by name.
 */
export function convertLegacyTimeframe(rule: SigmaRule, key = rule.meta.id ?? rule.meta.title): LegacyConversion | undefined {
  if (!rule.timeframe) return undefined;
  const names = conjunctionOf(rule.condition, [...rule.detections.keys()]);
  if (!names || names.length < 2) return undefined;
  const ids = names.map((n) => eventIds(rule.detections.get(n)!));
  if (ids.some((s) => s.size === 0) || !someDisjoint(ids)) return undefined;
  let timespanSeconds: number;
  try {
    timespanSeconds = parseTimespan(rule.timeframe.replace(/^\s*last\s+/i, ''));
  } catch {
    return undefined;
  }
  const base = key;
  const subNames = names.map((n) => `${base}:${n}`);
  const rules: SigmaRule[] = names.map((n, i) => ({
    ...rule,
    meta: { ...rule.meta, id: undefined, name: subNames[i], title: `${rule.meta.title} [${n}]` },
    detections: new Map([[n, rule.detections.get(n)!]]),
    condition: { op: 'ref', name: n },
    conditionText: [n],
    timeframe: undefined,
  }));
  const groupBy = ['Computer'];
  const aliases: Record<string, Record<string, string>> = {};
  const pidFields = ids.map((s) => (s.size === 1 ? PROCESS_ID_FIELD[[...s][0]] : undefined));
  const oneProgram = sameProgram(names.map((n) => rule.detections.get(n)!));
  if (oneProgram && pidFields.every((f) => f !== undefined)) {
    groupBy.push('process');
    aliases.process = Object.fromEntries(subNames.map((s, i) => [s, pidFields[i]!]));
  }
  const correlation: SigmaCorrelation = {
    type: 'correlation',
    meta: rule.meta,
    correlationType: 'temporal',
    rules: subNames,
    groupBy,
    timespanSeconds,
    condition: {},
    aliases,
    generate: false,
    file: rule.file,
  };
  const note =
    `legacy timeframe '${rule.timeframe}' with '${rule.conditionText.join(' / ')}': no single event can satisfy it, ` +
    `so it runs as a temporal correlation of ${names.join(', ')} within ${timespanSeconds}s, grouped by ${groupBy.join(' and ')}`;
  return { rules, correlation, note };
}

/** Identifiers the condition requires together (an AND of refs / all-of), or undefined. */
function conjunctionOf(node: ConditionNode, names: readonly string[]): string[] | undefined {
  switch (node.op) {
    case 'ref': return [node.name];
    case 'of': return node.quant === 'all' ? expandOfTarget(node.target, names) : undefined;
    case 'and': {
      const parts = node.args.map((a) => conjunctionOf(a, names));
      return parts.every((p) => p !== undefined) ? [...new Set(parts.flat() as string[])] : undefined;
    }
    default: return undefined;
  }
}

function items(d: Detection): DetectionItem[] {
  return d.kind === 'map' ? d.map.items : d.kind === 'anyOf' ? d.maps.flatMap((m) => m.items) : [];
}

/** EventIDs a selection pins with plain equality (empty when it does not). */
function eventIds(d: Detection): Set<number> {
  const out = new Set<number>();
  if (d.kind !== 'map') return out;
  for (const it of d.map.items) {
    if (it.field?.toLowerCase() !== 'eventid' || it.modifiers.length) continue;
    for (const v of it.values) {
      const n = v.kind === 'number' ? v.value : v.kind === 'string' ? Number(literalText(v.value)) : NaN;
      if (Number.isInteger(n)) out.add(n);
    }
  }
  return out;
}

function someDisjoint(sets: Set<number>[]): boolean {
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) if (![...sets[i]].some((x) => sets[j].has(x))) return true;
  }
  return false;
}

/** Every selection names exactly one program path, and it is the same one. */
function sameProgram(dets: Detection[]): boolean {
  const programs = new Set<string>();
  for (const d of dets) {
    const paths = items(d).filter((i) => i.field && IMAGE_FIELDS.has(i.field.toLowerCase()) && i.values.length === 1);
    if (paths.length !== 1) return false;
    const v = paths[0].values[0];
    const text = v.kind === 'string' ? literalText(v.value) : undefined;
    if (text === undefined) return false;
    programs.add(text.toLowerCase());
  }
  return programs.size === 1;
}
