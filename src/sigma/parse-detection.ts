/**
 * `detection:` section → named Detection definitions.
 *
 *   selection:                 map     → AND of items
 *     Image|endswith: '\x.exe'
 *   sel_any:                   list of maps → OR of maps
 *     - Image: a
 *     - Image: b
 *   keywords:                  list of plain values → keyword search (OR)
 *     - 'mimikatz'
 *   kw_all: {'|all': [a, b]}   keyword search (AND)
 */
import { SigmaError } from './errors.js';
import type { Detection, DetectionItem, DetectionMap, RuleValue } from './model.js';
import { parseSigmaString, plainString } from './sigma-string.js';
import { KNOWN_MODIFIERS } from './modifier-names.js';

export function parseDetections(section: Record<string, unknown>): Map<string, Detection> {
  const out = new Map<string, Detection>();
  for (const [name, def] of Object.entries(section)) {
    if (name === 'condition' || name === 'timeframe') continue;
    out.set(name, parseDefinition(name, def));
  }
  return out;
}

function parseDefinition(name: string, def: unknown): Detection {
  if (def === null || def === undefined) {
    throw new SigmaError(`detection '${name}' is empty`);
  }
  if (Array.isArray(def)) {
    if (def.length === 0) throw new SigmaError(`detection '${name}' is an empty list`);
    const maps = def.filter(isPlainObject);
    if (maps.length === def.length) {
      return { kind: 'anyOf', maps: maps.map((m, i) => parseMap(`${name}[${i}]`, m)) };
    }
    if (maps.length > 0) {
      throw new SigmaError(`detection '${name}' mixes maps and plain values in one list`);
    }
    return { kind: 'keywords', item: { modifiers: [], values: def.map((v) => parseValue(name, v, [])) } };
  }
  if (isPlainObject(def)) {
    const keys = Object.keys(def);
    // A map whose only keys are `|modifier` with no field name is a keyword search.
    if (keys.length > 0 && keys.every((k) => k.startsWith('|'))) {
      if (keys.length !== 1) throw new SigmaError(`detection '${name}': several keyword entries in one map`);
      return { kind: 'keywords', item: parseItem(name, keys[0], def[keys[0]]) };
    }
    return { kind: 'map', map: parseMap(name, def) };
  }
  // A single scalar is a one-keyword search.
  return { kind: 'keywords', item: { modifiers: [], values: [parseValue(name, def, [])] } };
}

function parseMap(name: string, m: Record<string, unknown>): DetectionMap {
  const entries = Object.entries(m);
  if (entries.length === 0) throw new SigmaError(`detection '${name}' is an empty map`);
  return { items: entries.map(([k, v]) => parseItem(name, k, v)) };
}

function parseItem(name: string, key: string, raw: unknown): DetectionItem {
  const [fieldPart, ...mods] = key.split('|');
  const modifiers = mods.map((m) => m.trim());
  for (const m of modifiers) {
    if (!KNOWN_MODIFIERS.has(m)) throw new SigmaError(`detection '${name}': unknown modifier '${m}' in '${key}'`);
  }
  const field = fieldPart === '' ? undefined : fieldPart;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new SigmaError(`detection '${name}': '${key}' has an empty value list`);
  const values = list.map((v) => parseValue(`${name}.${key}`, v, modifiers));
  return { field, modifiers, values };
}

function parseValue(where: string, v: unknown, modifiers: readonly string[]): RuleValue {
  if (v === null || v === undefined) return { kind: 'null' };
  if (typeof v === 'string') {
    // Regular expressions and field references are taken verbatim: wildcard
    // characters mean nothing there.
    const verbatim = modifiers.includes('re') || modifiers.includes('fieldref') || modifiers.includes('cidr');
    return { kind: 'string', value: verbatim ? plainString(v) : parseSigmaString(v) };
  }
  if (typeof v === 'number') return { kind: 'number', value: v, text: String(v) };
  if (typeof v === 'boolean') return { kind: 'boolean', value: v };
  if (v instanceof Date) return { kind: 'string', value: parseSigmaString(v.toISOString().slice(0, 10)) };
  throw new SigmaError(`detection '${where}': values must be strings, numbers, booleans or null, not ${describe(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a nested list';
  if (typeof v === 'object') return 'a nested map';
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
