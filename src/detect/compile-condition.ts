/** Condition AST + compiled detections → one predicate over events. */
import type { ConditionNode } from '../sigma/condition.js';
import { foldCondition } from '../sigma/condition.js';
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
  return foldCondition<EventPredicate>(node, [...detections.keys()], (n) => detections.get(n)!, {
    and: andAll,
    or: orAny,
    not: (inner) => (ev) => !inner(ev),
  });
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
