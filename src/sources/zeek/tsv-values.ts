/**
 * Zeek ASCII (TSV) values → the JSON values Zeek's own JSON writer gives for
 * the same field, so one rule reads both forms alike:
 *
 *   unset marker ("-")       → field left out (as the JSON writer omits it)
 *   empty marker ("(empty)") → "" for a string, [] for a set/vector
 *   bool T / F               → true / false
 *   count, int, port         → integer; double, time, interval → number
 *   set[T], vector[T]        → array, split on the set separator, each element as T
 *   anything else            → string
 *
 * Escapes: the writer turns a backslash into `\\` and a byte it cannot print
 * as-is (tab, newline, a separator inside a value, non-UTF-8) into `\xHH`;
 * both are undone here, on bytes, then decoded as UTF-8.
 */
import type { Scalar } from '../../core/event.js';

export interface TsvMarkers {
  setSeparator: string;
  empty: string;
  unset: string;
}

/** A problem in one value; the value is still kept, as written where it could not be read. */
export type ValueProblem = (message: string) => void;

type ValueKind = 'string' | 'bool' | 'integer' | 'number';

const KIND: Record<string, ValueKind> = {
  bool: 'bool', count: 'integer', int: 'integer', port: 'integer', double: 'number', time: 'number', interval: 'number',
};

/** The writer's number forms: digits with an optional fraction and exponent. */
const NUMBER = /^[+-]?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** Reads one column's raw text; undefined means "unset": the field is left out. */
export type ColumnReader = (raw: string, m: TsvMarkers, problem: ValueProblem) => Scalar | Scalar[] | undefined;

/** The reader for a column of the given Zeek type, decided once per header rather than per value. */
export function columnReader(type: string): ColumnReader {
  const container = /^(?:set|vector|table)\[(.*)\]$/.exec(type);
  if (container) {
    const inner = container[1];
    return (raw, m, problem) => {
      if (raw === m.unset) return undefined;
      if (raw === m.empty) return [];
      return raw.split(m.setSeparator).map((el) => (el === m.unset ? null : scalar(el, inner, problem)));
    };
  }
  return (raw, m, problem) => {
    if (raw === m.unset) return undefined;
    if (raw === m.empty) return '';
    return scalar(raw, type, problem);
  };
}

/** One value of the given type (see columnReader). */
export function zeekValue(raw: string, type: string, m: TsvMarkers, problem: ValueProblem): Scalar | Scalar[] | undefined {
  return columnReader(type)(raw, m, problem);
}

function scalar(raw: string, type: string, problem: ValueProblem): Scalar {
  const kind = KIND[type] ?? 'string';
  if (kind === 'string') return unescapeZeek(raw, problem);
  if (kind === 'bool') {
    if (raw === 'T') return true;
    if (raw === 'F') return false;
    problem(`'${printable(raw)}' is not a bool (T or F); kept as text`);
    return unescapeZeek(raw, problem);
  }
  if (!NUMBER.test(raw) || (kind === 'integer' && raw.includes('.'))) {
    problem(`'${printable(raw)}' is not ${kind === 'integer' ? 'an integer' : 'a number'} (${type}); kept as text`);
    return unescapeZeek(raw, problem);
  }
  const n = Number(raw);
  // A count beyond 2^53 would lose digits as a number: keep its exact text.
  return kind === 'integer' && !Number.isSafeInteger(n) ? raw : n;
}

/** Undoes `\\` and `\xHH`; any other backslash sequence is reported and kept as written. */
export function unescapeZeek(raw: string, problem: ValueProblem): string {
  if (!raw.includes('\\')) return raw;
  const parts: Buffer[] = [];
  let from = 0;
  let i = raw.indexOf('\\');
  while (i >= 0) {
    if (i > from) parts.push(Buffer.from(raw.slice(from, i), 'utf8'));
    const next = raw[i + 1];
    if (next === '\\') {
      parts.push(Buffer.of(0x5c));
      from = i + 2;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 2, i + 4))) {
      parts.push(Buffer.of(parseInt(raw.slice(i + 2, i + 4), 16)));
      from = i + 4;
    } else {
      problem(`invalid escape '${printable(raw.slice(i, i + 4))}' at character ${i + 1}; kept as written`);
      parts.push(Buffer.of(0x5c));
      from = i + 1;
    }
    i = raw.indexOf('\\', from);
  }
  if (from < raw.length) parts.push(Buffer.from(raw.slice(from), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

/** Attacker-controlled text quoted in an error message: control characters shown escaped, length bounded. */
function printable(s: string): string {
  const cut = s.length > 40 ? s.slice(0, 40) + '…' : s;
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
