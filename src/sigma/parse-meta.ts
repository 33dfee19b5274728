/** Rule metadata shared by rules, filters and correlations, validated as the spec says. */
import { SigmaError } from './errors.js';
import { LEVELS, STATUSES, type Level, type Logsource, type RuleMeta } from './model.js';
import { isPlainObject } from './parse-detection.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}[-/]\d{2}[-/]\d{2}$/;

export function parseMeta(doc: Record<string, unknown>): RuleMeta {
  const title = doc.title;
  if (title !== undefined && typeof title !== 'string') throw new SigmaError("'title' must be a string");
  const id = optString(doc, 'id');
  if (id !== undefined && !UUID.test(id)) throw new SigmaError(`'id' must be a UUID, got '${id}'`);
  const status = optString(doc, 'status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw new SigmaError(`'status' must be one of ${STATUSES.join(', ')}, got '${status}'`);
  }
  const level = optString(doc, 'level');
  if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) {
    throw new SigmaError(`'level' must be one of ${LEVELS.join(', ')}, got '${level}'`);
  }
  for (const key of ['date', 'modified']) {
    const d = doc[key];
    if (d !== undefined && d !== null && !(typeof d === 'string' && DATE.test(d)) && !(d instanceof Date)) {
      throw new SigmaError(`'${key}' must be a date YYYY-MM-DD, got '${String(d)}'`);
    }
  }
  return {
    id,
    name: optString(doc, 'name'),
    title: typeof title === 'string' ? title : (id ?? '(untitled)'),
    status,
    level: level as Level | undefined,
    description: optString(doc, 'description'),
    author: optString(doc, 'author'),
    date: dateText(doc.date),
    modified: dateText(doc.modified),
    tags: stringList(doc, 'tags'),
    references: stringList(doc, 'references'),
    falsepositives: stringList(doc, 'falsepositives'),
    fields: stringList(doc, 'fields'),
    related: relatedList(doc.related),
  };
}

export function parseLogsource(raw: unknown): Logsource {
  if (!isPlainObject(raw)) throw new SigmaError("'logsource' must be a map (product/service/category)");
  const ls: Logsource = {};
  for (const key of ['product', 'service', 'category', 'definition'] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new SigmaError(`'logsource.${key}' must be a string`);
    ls[key] = v;
  }
  return ls;
}

function optString(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new SigmaError(`'${key}' must be a string`);
}

function dateText(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return typeof v === 'string' ? v : undefined;
}

function stringList(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    if (x === null) return '';
    throw new SigmaError(`'${key}' must be a list of strings`);
  });
}

function relatedList(v: unknown): { id: string; type: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SigmaError("'related' must be a list");
  return v.map((r) => {
    if (!isPlainObject(r) || typeof r.id !== 'string') throw new SigmaError("'related' entries need an 'id'");
    return { id: r.id, type: typeof r.type === 'string' ? r.type : '' };
  });
}
