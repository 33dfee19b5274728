/** Condition AST + compiled detections → one predicate over events. */
import type { ConditionNode } from '../sigma/condition.js';
import { expandOfTarget } from '../sigma/condition.js';
import type { Detection } from '../sigma/model.js';
import { compileItem, type CompileOptions, type EventPredicate } from './compile-item.js';

export function compileDetection(d: Detection, opts: CompileOptions): EventPredicate {
  switch (d.kind) {
    case 'keywords':
      return compileItem(d.item, opts);
    case 'map':
      return andAll(d.map.items.map((i) => compileItem(i, opts)));
    case 'anyOf':
      return orAny(d.maps.map((m) => andAll(m.items.map((i) => compileItem(i, opts)))));
  }
}

export function compileCondition(node: ConditionNode, detections: ReadonlyMap<string, EventPredicate>): EventPredicate {
  const names = [...detections.keys()];
  const walk = (n: ConditionNode): EventPredicate => {
    switch (n.op) {
      case 'and': return andAll(n.args.map(walk));
      case 'or': return orAny(n.args.map(walk));
      case 'not': {
        const inner = walk(n.arg);
        return (ev) => !inner(ev);
      }
      case 'ref': return detections.get(n.name)!;
      case 'of': {
        const preds = expandOfTarget(n.target, names).map((x) => detections.get(x)!);
        return n.quant === 'all' ? andAll(preds) : orAny(preds);
      }
    }
  };
  return walk(node);
}

export function andAll(preds: EventPredicate[]): EventPredicate {
  if (preds.length === 1) return preds[0];
  if (preds.length === 2) {
    const [a, b] = preds;
    return (ev) => a(ev) && b(ev);
  }
  return (ev) => {
    for (let i = 0; i < preds.length; i++) if (!preds[i](ev)) return false;
    return true;
  };
}

export function orAny(preds: EventPredicate[]): EventPredicate {
  if (preds.length === 1) return preds[0];
  return (ev) => {
    for (let i = 0; i < preds.length; i++) if (preds[i](ev)) return true;
    return false;
  };
}
