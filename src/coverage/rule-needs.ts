/**
 * Which data sources each loaded rule reads, derived from the rule itself
 * (its logsource, the EventIDs and texts its detection names, the fields it
 * reads), so a rule added to the pack is covered without touching this code.
 *
 *   rule logsource admits the source's logsource?
 *     └ and, if the source lists EventIDs, the rule pins none or one of them?
 *        └ and, if the source is a slice (ruleMentions), the detection mentions it
 *          or the rule's category is the slice's (process_creation for execve)?
 *           └ and the rule's Image paths are written the way the source's are
 *             (a rule without product whose images all end in '/netstat' is for
 *             Unix hosts: a Windows image never contains a '/')?
 *              → the rule reads the source
 *
 * A correlation reads what its member rules read.
 */
import { logsourceAdmits } from '../detect/logsource-match.js';
import type { DetectionItem, DetectionMap, SigmaCorrelation, SigmaRule } from '../sigma/model.js';
import type { DataSource } from './data-source.js';

export interface RuleNeed {
  readonly title: string;
  readonly id?: string;
  readonly kind: 'rule' | 'correlation';
  /** Ids of the data sources it can read. */
  readonly sources: ReadonlySet<string>;
  /** Lower-cased field names its detection reads (a correlation: its members'). */
  readonly fields: ReadonlySet<string>;
  /** A correlation's member rules, each of which must be able to fire. */
  readonly members: readonly RuleNeed[];
}

interface DetectionFacts {
  fields: Set<string>;
  eventIds: Set<number>;
  /** Every string value's literal text, lower-cased (wildcards dropped; a regex with its escapes undone). */
  texts: string[];
  /** How every selection's Image values write paths, when they all agree; undefined: unknown or mixed. */
  imagePaths?: 'unix' | 'windows';
}

/** `\.compute\.` in a regex is the text `.compute.`: undo escapes of punctuation, so mentions can be found. */
function regexText(pattern: string): string {
  return pattern.replace(/\\([^A-Za-z0-9])/g, '$1');
}

/** 'unix' when the item's values are all Unix paths ('/netstat'), 'windows' when all are Windows paths. */
function pathStyle(values: readonly string[]): 'unix' | 'windows' | undefined {
  if (values.length === 0) return undefined;
  if (values.every((v) => v.includes('/') && !v.includes('\\'))) return 'unix';
  if (values.every((v) => v.includes('\\') && !v.includes('/'))) return 'windows';
  return undefined;
}

function factsOf(rule: SigmaRule): DetectionFacts {
  const facts: DetectionFacts = { fields: new Set(), eventIds: new Set(), texts: [] };
  /** Path style of each map's Image item; a map without one is undefined. */
  const mapStyles: ('unix' | 'windows' | undefined)[] = [];
  const item = (it: DetectionItem): 'unix' | 'windows' | undefined => {
    const field = it.field?.toLowerCase();
    if (field) facts.fields.add(field);
    const strings: string[] = [];
    for (const v of it.values) {
      if (v.kind === 'string') {
        const raw = v.value.parts.filter((p): p is string => typeof p === 'string').join('');
        const text = it.modifiers.includes('re') ? regexText(raw) : raw;
        strings.push(text);
        facts.texts.push(text.toLowerCase());
        if (field === 'eventid' && /^\d+$/.test(text)) facts.eventIds.add(Number(text));
      } else if (v.kind === 'number' && field === 'eventid') {
        facts.eventIds.add(v.value);
      }
    }
    return field === 'image' && strings.length === it.values.length ? pathStyle(strings) : undefined;
  };
  const map = (m: DetectionMap): void => {
    let style: 'unix' | 'windows' | undefined;
    for (const it of m.items) style = item(it) ?? style;
    mapStyles.push(style);
  };
  for (const d of rule.detections.values()) {
    if (d.kind === 'map') map(d.map);
    else if (d.kind === 'anyOf') d.maps.forEach(map);
    else {
      item(d.item);
      mapStyles.push(undefined); // keywords search every field: no path style
    }
  }
  // Only when every selection (filters included) names Image paths of one style: anything else might match either.
  const first = mapStyles[0];
  if (first && mapStyles.every((s) => s === first)) facts.imagePaths = first;
  return facts;
}

function ruleReads(rule: SigmaRule, source: DataSource, facts: DetectionFacts): boolean {
  const ls = source.logsource;
  if (!logsourceAdmits(rule.logsource, { product: ls.product, service: ls.service, categories: ls.categories ?? [] })) return false;
  if (ls.eventIds && facts.eventIds.size > 0 && !ls.eventIds.some((id) => facts.eventIds.has(id))) return false;
  if (source.ruleMentions && !namesCategory(rule, source)) {
    const wanted = source.ruleMentions.map((m) => m.toLowerCase());
    if (!facts.texts.some((t) => wanted.some((w) => t.includes(w)))) return false;
  }
  if (facts.imagePaths && ls.imagePaths && facts.imagePaths !== ls.imagePaths) return false;
  return true;
}

function namesCategory(rule: SigmaRule, source: DataSource): boolean {
  const category = rule.logsource.category?.toLowerCase();
  return category !== undefined && (source.logsource.categories ?? []).includes(category);
}

export function ruleNeeds(
  rules: readonly SigmaRule[],
  correlations: readonly SigmaCorrelation[],
  sources: readonly DataSource[],
): RuleNeed[] {
  const out: RuleNeed[] = [];
  const byRef = new Map<string, RuleNeed>();
  const remember = (need: RuleNeed, refs: (string | undefined)[]): void => {
    for (const r of refs) if (r) byRef.set(r, need);
    out.push(need);
  };
  for (const rule of rules) {
    const facts = factsOf(rule);
    const read = sources.filter((s) => ruleReads(rule, s, facts)).map((s) => s.id);
    remember({ title: rule.meta.title, id: rule.meta.id, kind: 'rule', sources: new Set(read), fields: facts.fields, members: [] },
      [rule.meta.id, rule.meta.name]);
  }
  // Correlations may reference correlations listed after them: resolve until nothing changes.
  let pending = [...correlations];
  while (pending.length) {
    const next = pending.filter((c) => {
      const members = c.rules.map((r) => byRef.get(r));
      if (members.some((m) => m === undefined)) return true;
      const resolved = members.flatMap((m) => (m!.kind === 'correlation' ? m!.members : [m!]));
      remember({
        title: c.meta.title,
        id: c.meta.id,
        kind: 'correlation',
        sources: new Set(resolved.flatMap((m) => [...m.sources])),
        fields: new Set(resolved.flatMap((m) => [...m.fields])),
        members: resolved,
      }, [c.meta.id, c.meta.name]);
      return false;
    });
    // A correlation whose members never load is left out (hunt reports it as unresolved).
    if (next.length === pending.length) break;
    pending = next;
  }
  return out;
}
