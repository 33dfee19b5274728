/**
 * The parsed (not yet compiled) form of Sigma documents, spec v2.1.
 *
 *   YAML text ─parse─▶ SigmaRule / SigmaFilter / SigmaCorrelation ─compile─▶ matchers
 */
import type { ConditionNode } from './condition.js';
import type { SigmaString } from './sigma-string.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;

export interface Logsource {
  product?: string;
  service?: string;
  category?: string;
  definition?: string;
}

/** A value on the rule side: a string with wildcards, a number, boolean or null. */
export type RuleValue =
  | { kind: 'string'; value: SigmaString }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

/** One `field|mod1|mod2: values` entry, or a keyword list (field undefined). */
export interface DetectionItem {
  field?: string;
  modifiers: string[];
  values: RuleValue[];
}

/** AND of items (a map); a list of maps is represented as an OR of these. */
export interface DetectionMap {
  items: DetectionItem[];
}

export type Detection =
  | { kind: 'map'; map: DetectionMap }
  | { kind: 'anyOf'; maps: DetectionMap[] }
  /** Keyword search: OR of values, or AND with `|all`. */
  | { kind: 'keywords'; item: DetectionItem };

export interface RuleMeta {
  id?: string;
  name?: string;
  title: string;
  status?: string;
  level?: Level;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  fields: string[];
  related: { id: string; type: string }[];
}

export interface SigmaRule {
  type: 'rule';
  meta: RuleMeta;
  logsource: Logsource;
  detections: Map<string, Detection>;
  condition: ConditionNode;
  /** Condition text(s) as written, for messages. */
  conditionText: string[];
  /** Legacy `detection.timeframe` (e.g. "last 5s"), kept for correlation handling. */
  timeframe?: string;
  /** Unknown top-level keys, kept so custom attributes survive. */
  custom: Record<string, unknown>;
  file?: string;
}

export interface SigmaFilter {
  type: 'filter';
  meta: RuleMeta;
  logsource: Logsource;
  /** ids or names of the rules the filter applies to. */
  rules: string[];
  detections: Map<string, Detection>;
  condition: ConditionNode;
  conditionText: string[];
  file?: string;
}

export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';

export interface SigmaCorrelation {
  type: 'correlation';
  meta: RuleMeta;
  correlationType: CorrelationType;
  rules: string[];
  groupBy: string[];
  timespanSeconds: number;
  condition: Record<string, number | string>;
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
  file?: string;
}

export type SigmaDocument = SigmaRule | SigmaFilter | SigmaCorrelation;
