/**
 * Correlation conditions: `{gte: 10}`, or a range such as `{gt: 2, lte: 10}`
 * (the spec allows two operators; every one given must hold).
 */
import type { SigmaCorrelation } from '../sigma/model.js';

const OPS: Record<string, (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
  neq: (a, b) => a !== b,
};

export type Threshold = (value: number) => boolean;

export function compileThreshold(c: SigmaCorrelation): Threshold {
  const tests: ((v: number) => boolean)[] = [];
  for (const [op, target] of Object.entries(c.condition)) {
    const f = OPS[op];
    if (f && typeof target === 'number') tests.push((v) => f(v, target));
  }
  if (tests.length === 0) {
    // Temporal types without a condition: every referenced rule must have matched.
    const need = c.rules.length;
    return (v) => v >= need;
  }
  return (v) => tests.every((t) => t(v));
}
