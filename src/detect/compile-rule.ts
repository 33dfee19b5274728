/** A parsed Sigma rule → a compiled, runnable rule. */
import type { SigmaEvent } from '../core/event.js';
import { SigmaError } from '../sigma/errors.js';
import type { SigmaFilter, SigmaRule } from '../sigma/model.js';
import { compileCondition, compileDetection } from './compile-condition.js';
import type { CompileOptions, EventPredicate } from './compile-item.js';
import { logsourceAdmits } from './logsource-match.js';

export interface CompiledRule {
  readonly rule: SigmaRule;
  readonly match: EventPredicate;
  /** The names correlations may use for this rule: its id and name. */
  readonly refs: readonly string[];
}

function refsOf(rule: SigmaRule): string[] {
  return [rule.meta.id, rule.meta.name].filter((x): x is string => typeof x === 'string');
}

export function compileRule(rule: SigmaRule, opts: CompileOptions = {}): CompiledRule {
  try {
    return { rule, match: compileBody(rule, opts), refs: refsOf(rule) };
  } catch (e) {
    if (e instanceof SigmaError) throw new SigmaError(e.message, { file: rule.file, rule: rule.meta.title });
    throw e;
  }
}

/** Detections and condition of a rule or filter → one predicate; errors name the detection. */
export function compileBody(doc: SigmaRule | SigmaFilter, opts: CompileOptions): EventPredicate {
  const preds = new Map<string, EventPredicate>();
  for (const [name, d] of doc.detections) {
    try {
      preds.set(name, compileDetection(d, opts));
    } catch (e) {
      if (e instanceof SigmaError) throw new SigmaError(`detection '${name}': ${e.message}`);
      throw e;
    }
  }
  return compileCondition(doc.condition, preds);
}

/**
 * Sigma filters (meta-filters) AND their condition onto each rule they name.
 * The filter's own logsource must admit the event too; otherwise it does not apply.
 */
export function applyFilter(target: CompiledRule, filter: SigmaFilter, opts: CompileOptions = {}): CompiledRule {
  let pred: EventPredicate;
  try {
    pred = compileBody(filter, opts);
  } catch (e) {
    if (e instanceof SigmaError) throw new SigmaError(e.message, { file: filter.file, rule: filter.meta.title });
    throw e;
  }
  const base = target.match;
  const ls = filter.logsource;
  const match = (ev: SigmaEvent): boolean => base(ev) && (!logsourceAdmits(ls, ev.logsource) || pred(ev));
  return { rule: target.rule, match, refs: target.refs };
}
