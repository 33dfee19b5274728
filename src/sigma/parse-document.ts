/** One YAML document → a Sigma rule, filter or correlation (spec v2.1), or a SigmaError. */
import { parseCondition, expandOfTarget, type ConditionNode } from './condition.js';
import { SigmaError } from './errors.js';
import type { CorrelationType, Detection, SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './model.js';
import { isPlainObject, parseDetections } from './parse-detection.js';
import { parseLogsource, parseMeta } from './parse-meta.js';

const RULE_KEYS = new Set([
  'title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'author', 'references',
  'date', 'modified', 'logsource', 'detection', 'fields', 'falsepositives', 'level', 'tags', 'scope',
]);

export function parseDocument(doc: unknown, file?: string): SigmaDocument {
  if (!isPlainObject(doc)) throw new SigmaError('a Sigma document must be a YAML map', { file });
  const label = typeof doc.title === 'string' ? doc.title : typeof doc.id === 'string' ? doc.id : undefined;
  try {
    if ('correlation' in doc) return parseCorrelation(doc, file);
    if ('filter' in doc) return parseFilter(doc, file);
    return parseRule(doc, file);
  } catch (e) {
    if (e instanceof SigmaError) throw new SigmaError(e.message, { file, rule: label });
    throw e;
  }
}

function parseRule(doc: Record<string, unknown>, file?: string): SigmaRule {
  const meta = parseMeta(doc);
  if (doc.logsource === undefined) throw new SigmaError("missing 'logsource'");
  const logsource = parseLogsource(doc.logsource);
  if (!isPlainObject(doc.detection)) throw new SigmaError("missing or invalid 'detection' section");
  const { detections, condition, conditionText } = parseDetectionSection(doc.detection);
  const timeframe = doc.detection.timeframe;
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!RULE_KEYS.has(k)) custom[k] = v;
  return {
    type: 'rule', meta, logsource, detections, condition, conditionText, custom, file,
    timeframe: typeof timeframe === 'string' ? timeframe : undefined,
  };
}

function parseFilter(doc: Record<string, unknown>, file?: string): SigmaFilter {
  const meta = parseMeta(doc);
  if (doc.logsource === undefined) throw new SigmaError("a filter needs a 'logsource'");
  const logsource = parseLogsource(doc.logsource);
  const f = doc.filter;
  if (!isPlainObject(f)) throw new SigmaError("'filter' must be a map with 'rules', selections and 'condition'");
  const rules = f.rules === undefined ? [] : Array.isArray(f.rules) ? f.rules.map(String) : [String(f.rules)];
  const section: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) if (k !== 'rules') section[k] = v;
  const { detections, condition, conditionText } = parseDetectionSection(section);
  return { type: 'filter', meta, logsource, rules, detections, condition, conditionText, file };
}

/** Parses definitions and condition(s), and checks every referenced identifier exists. */
export function parseDetectionSection(section: Record<string, unknown>): {
  detections: Map<string, Detection>;
  condition: ConditionNode;
  conditionText: string[];
} {
  const rawCond = section.condition;
  if (rawCond === undefined || rawCond === null) throw new SigmaError("detection has no 'condition'");
  const conditionText = Array.isArray(rawCond) ? rawCond.map(String) : [String(rawCond)];
  if (conditionText.length === 0) throw new SigmaError("detection has an empty 'condition' list");
  const detections = parseDetections(section);
  const names = [...detections.keys()];
  const parsed = conditionText.map((c) => parseCondition(c));
  for (const node of parsed) checkReferences(node, names);
  const condition: ConditionNode = parsed.length === 1 ? parsed[0] : { op: 'or', args: parsed };
  return { detections, condition, conditionText };
}

function checkReferences(node: ConditionNode, names: readonly string[]): void {
  const walk = (n: ConditionNode): void => {
    if (n.op === 'ref' && !names.includes(n.name)) {
      throw new SigmaError(`condition references '${n.name}', which the detection does not define`);
    }
    if (n.op === 'of' && expandOfTarget(n.target, names).length === 0) {
      throw new SigmaError(`'${n.quant === 'all' ? 'all' : '1'} of ${n.target}' matches no detection identifier`);
    }
    if (n.op === 'and' || n.op === 'or') n.args.forEach(walk);
    if (n.op === 'not') walk(n.arg);
  };
  walk(node);
}

const CORRELATION_TYPES: readonly CorrelationType[] = [
  'event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile',
];
const OPERATORS = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq']);

function parseCorrelation(doc: Record<string, unknown>, file?: string): SigmaCorrelation {
  const meta = parseMeta(doc);
  const c = doc.correlation;
  if (!isPlainObject(c)) throw new SigmaError("'correlation' must be a map");
  const type = c.type as CorrelationType;
  if (!CORRELATION_TYPES.includes(type)) {
    throw new SigmaError(`correlation type must be one of ${CORRELATION_TYPES.join(', ')}, got '${String(c.type)}'`);
  }
  const rules = c.rules === undefined ? [] : Array.isArray(c.rules) ? c.rules.map(String) : [String(c.rules)];
  if (rules.length === 0) throw new SigmaError("correlation needs 'rules'");
  const gb = c['group-by'];
  const groupBy = gb === undefined || gb === null ? [] : Array.isArray(gb) ? gb.map(String) : [String(gb)];
  const timespanSeconds = parseTimespan(c.timespan);
  const condition: Record<string, number | string> = {};
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (c.condition === undefined || c.condition === null) {
    if (!temporal) throw new SigmaError(`correlation of type ${type} needs a 'condition'`);
  } else if (isPlainObject(c.condition)) {
    for (const [k, v] of Object.entries(c.condition)) {
      if (k === 'field') {
        condition.field = String(v);
      } else if (OPERATORS.has(k) && typeof v === 'number') {
        condition[k] = v;
      } else if (k === 'percentile' && typeof v === 'number') {
        condition[k] = v;
      } else {
        throw new SigmaError(`correlation condition: unknown operator or non-numeric value '${k}: ${String(v)}'`);
      }
    }
    if (type.startsWith('value_') && condition.field === undefined) {
      throw new SigmaError(`correlation of type ${type} needs 'condition.field'`);
    }
  } else if (!temporal) {
    throw new SigmaError("correlation 'condition' must be a map such as {gte: 10}");
  }
  const aliases: Record<string, Record<string, string>> = {};
  if (c.aliases !== undefined) {
    if (!isPlainObject(c.aliases)) throw new SigmaError("'aliases' must be a map");
    for (const [alias, perRule] of Object.entries(c.aliases)) {
      if (!isPlainObject(perRule)) throw new SigmaError(`alias '${alias}' must map rule names to fields`);
      aliases[alias] = Object.fromEntries(Object.entries(perRule).map(([r, f]) => [r, String(f)]));
    }
  }
  return {
    type: 'correlation', meta, correlationType: type, rules, groupBy, timespanSeconds, condition, aliases,
    generate: c.generate === true, file,
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 };

export function parseTimespan(v: unknown): number {
  const m = typeof v === 'string' ? /^\s*(\d+)\s*([smhdwMy])\s*$/.exec(v) : null;
  if (!m) throw new SigmaError(`'timespan' must be a number and a unit (s, m, h, d), got '${String(v)}'`);
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}
