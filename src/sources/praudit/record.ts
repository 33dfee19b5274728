/**
 * One `<record …>…</record>` of `praudit -x` output → a plain object, the
 * event the praudit normalizer reads. The printer (OpenBSM bsm_io.c) writes
 * the header token as the record's attributes and every other token as a
 * child element, one per line (or all on one line with -l):
 *
 *   <record version="11" event="execve(2)" modifier="0" time="Sun Nov 29 10:15:42 2026" msec=" + 123 msec" >
 *   <exec_args><arg>netstat</arg><arg>-an</arg></exec_args>
 *   <path>/usr/bin/netstat</path>
 *   <attribute mode="100555" uid="root" gid="wheel" fsid="…" nodeid="…" device="…" />
 *   <subject audit-uid="alice" uid="alice" gid="alice" ruid="alice" rgid="alice" pid="4242" sid="4200" tid="… 192.0.2.10" />
 *   <return errval="success" retval="0" />
 *   </record>
 *
 * The object: `praudit` = the header attributes; `exec_args` / `exec_env` =
 * lists of strings; each other element under its tag name, a list of
 * attribute maps (self-closing tokens) or of texts (path, text, …), except
 * subject, return, exit, sequence and zone, which a record holds once and
 * which stay a single map.
 *
 * The record's end is found by parsing, not by searching for `</record>`:
 * paths are printed raw, so a file name may contain `</record>`, `<record`
 * or `</path>`. A raw text ends at the first closing tag followed (after
 * blanks) by the next element — the best the format allows.
 *
 * Input is latin1 text (one character per byte, so positions are byte
 * positions); values are decoded as UTF-8 one by one.
 */
import { decodeEntities, unvis, type DecodeProblem } from './xml-text.js';

export type PrauditValue = string | string[] | Record<string, string> | Record<string, string>[];
export type PrauditRecord = Record<string, PrauditValue>;

/** The record cannot be read. `at` is the byte position; `restartAt` a record start found inside it. */
export class PrauditSyntaxError extends Error {
  constructor(message: string, readonly at: number, readonly restartAt?: number) {
    super(message);
  }
}

/** The text ends inside the record: more input may complete it. */
export class PrauditNeedMore extends Error {
  constructor() {
    super('record continues past the available input');
  }
}

const SINGLE = new Set(['subject', 'return', 'exit', 'sequence', 'zone']);
const ARG_LISTS = new Set(['exec_args', 'exec_env']);
/** Raw-text tokens whose content bsm_io.c passes through vis(3). */
const VIS_TEXT = new Set(['text']);
const RECORD_CLOSE = '</record>';
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

export interface ParsedRecord {
  readonly record: PrauditRecord;
  /** Bad references: the record is still usable, the reference kept as written. */
  readonly problems: DecodeProblem[];
  /** Position just after `</record>`. */
  readonly end: number;
}

/** Parses the record starting at text[start] (`<record`), reading no further than `limit`. */
export function parseRecord(text: string, start: number, limit = text.length): ParsedRecord {
  const c = new Cursor(text, start, limit);
  const problems: DecodeProblem[] = [];
  c.expect('<record');
  const header = c.attributes(problems);
  if (!c.eat('>')) throw new PrauditSyntaxError('record header: expected ">"', c.i);
  const record: PrauditRecord = { praudit: header };
  for (;;) {
    c.skipBlank();
    if (c.eat(RECORD_CLOSE)) break;
    if (c.peek() !== '<') throw new PrauditSyntaxError(`unexpected text ${c.excerpt()} inside the record`, c.i);
    const open = c.i;
    c.i++;
    const name = c.name();
    if (!name) throw new PrauditSyntaxError(`malformed element ${c.excerpt()}`, open);
    // A new header inside a record: the one before was cut short.
    if (name === 'record') throw new PrauditSyntaxError('truncated record: a new <record> starts before its </record>', open, open);
    if (name === 'praudit') throw new PrauditSyntaxError('element <praudit> is not a BSM token', open);
    const attrs = c.attributes(problems);
    if (c.eat('/>')) {
      store(record, name, attrs);
      continue;
    }
    if (!c.eat('>')) throw new PrauditSyntaxError(`element <${name}>: expected ">" or "/>"`, c.i);
    if (ARG_LISTS.has(name)) {
      const list = c.args(name, problems);
      const prev = record[name];
      // Appended in place: re-copying the list for each repeated element would be quadratic.
      if (Array.isArray(prev)) for (const a of list) (prev as string[]).push(a);
      else record[name] = list;
      continue;
    }
    const at = c.i;
    let value = decodeValue(c.rawUntil(`</${name}>`), at, problems);
    if (VIS_TEXT.has(name)) value = unvis(value);
    store(record, name, Object.keys(attrs).length ? { ...attrs, text: value } : value);
  }
  return { record, problems, end: c.i };
}

/** latin1 bytes → UTF-8 text → references decoded (problems at byte positions). */
function decodeValue(latin1: string, at: number, problems: DecodeProblem[]): string {
  // Nearly every value is ASCII, which latin1 and UTF-8 spell alike.
  const s = NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
  const found: DecodeProblem[] = [];
  const v = decodeEntities(s, found);
  for (const p of found) problems.push({ at: at + Buffer.byteLength(s.slice(0, p.at), 'utf8'), message: p.message });
  return v;
}

function store(record: PrauditRecord, name: string, value: string | Record<string, string>): void {
  const prev = record[name];
  if (prev === undefined) {
    record[name] = SINGLE.has(name) && typeof value !== 'string' ? value : ([value] as string[] | Record<string, string>[]);
  } else if (Array.isArray(prev)) {
    (prev as (string | Record<string, string>)[]).push(value);
  } else {
    // A token expected once came again: keep both.
    record[name] = [prev, value] as Record<string, string>[];
  }
}

class Cursor {
  constructor(
    private readonly s: string,
    public i: number,
    private readonly limit: number,
  ) {}

  peek(): string {
    if (this.i >= this.limit) throw new PrauditNeedMore();
    return this.s[this.i];
  }

  /** Whether `token` is next; needs more input if the text ends inside what could be it. */
  lookingAt(token: string): boolean {
    if (this.limit - this.i < token.length) {
      if (token.startsWith(this.s.slice(this.i, this.limit))) throw new PrauditNeedMore();
      return false;
    }
    return this.s.startsWith(token, this.i);
  }

  /** Consumes `token` if it is next. */
  eat(token: string): boolean {
    if (!this.lookingAt(token)) return false;
    this.i += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.eat(token)) throw new PrauditSyntaxError(`expected "${token}"`, this.i);
  }

  skipBlank(): void {
    while (this.i < this.limit && isBlank(this.s.charCodeAt(this.i))) this.i++;
  }

  /** An element or attribute name: a letter or `_`, then letters, digits, `_ . : -`. */
  name(): string {
    const start = this.i;
    let j = start;
    while (j < this.limit && isNameChar(this.s.charCodeAt(j), j === start)) j++;
    if (j >= this.limit) throw new PrauditNeedMore();
    this.i = j;
    return this.s.slice(start, j);
  }

  /** `name="value"` pairs up to `>` or `/>`; values keep their spaces (msec=" + 123 msec"). */
  attributes(problems: DecodeProblem[]): Record<string, string> {
    const attrs: Record<string, string> = {};
    for (;;) {
      this.skipBlank();
      if (this.peek() === '>' || this.lookingAt('/>')) return attrs;
      const at = this.i;
      const name = this.name();
      if (!name || !this.eat('="')) throw new PrauditSyntaxError(`malformed attribute ${this.excerpt()}`, at);
      const end = this.s.indexOf('"', this.i);
      if (end < 0 || end >= this.limit) throw new PrauditNeedMore();
      attrs[name] = decodeValue(this.s.slice(this.i, end), this.i, problems);
      this.i = end + 1;
    }
  }

  /** `<arg>…</arg>` children up to `</name>`: escaped by the printer, so the first `</arg>` ends each. */
  args(name: string, problems: DecodeProblem[]): string[] {
    const list: string[] = [];
    for (;;) {
      this.skipBlank();
      if (this.eat(`</${name}>`)) return list;
      if (this.eat('<arg/>')) {
        list.push('');
        continue;
      }
      if (!this.eat('<arg>')) throw new PrauditSyntaxError(`<${name}>: expected <arg> or </${name}>, found ${this.excerpt()}`, this.i);
      // The printer escapes `<` in arguments: the next one must close this argument.
      const at = this.i;
      const end = this.s.indexOf('<', at);
      if (end < 0 || end >= this.limit) throw new PrauditNeedMore();
      this.i = end;
      if (!this.eat('</arg>')) {
        if (this.lookingAt('<record')) throw new PrauditSyntaxError('truncated record: a new <record> starts before its </record>', end, end);
        throw new PrauditSyntaxError(`<arg> not closed: found ${this.excerpt()}`, end);
      }
      list.push(unvis(decodeValue(this.s.slice(at, end), at, problems)));
    }
  }

  /**
   * Raw text up to `close` (consumed). The printer does not escape paths, so
   * a `close` inside the text is passed over unless what follows it is the
   * next element or the end of the record.
   */
  rawUntil(close: string): string {
    const at = this.i;
    for (let from = this.i; ; ) {
      const end = this.s.indexOf(close, from);
      if (end < 0 || end + close.length > this.limit) throw new PrauditNeedMore();
      let next = end + close.length;
      while (next < this.limit && isBlank(this.s.charCodeAt(next))) next++;
      if (next >= this.limit) throw new PrauditNeedMore();
      if (this.s[next] === '<') {
        const raw = this.s.slice(at, end);
        // A record header at the start of a line inside the text: this record was cut short.
        const header = /\n[ \t]*<record[\s>]/.exec(raw);
        if (header) {
          const restart = at + header.index + header[0].indexOf('<');
          throw new PrauditSyntaxError('truncated record: a new <record> starts before its </record>', restart, restart);
        }
        this.i = end + close.length;
        return raw;
      }
      from = end + 1;
    }
  }

  excerpt(): string {
    return JSON.stringify(Buffer.from(this.s.slice(this.i, Math.min(this.limit, this.i + 24)), 'latin1').toString('utf8'));
  }
}

function isNameChar(c: number, first: boolean): boolean {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  return first ? letter : letter || (c >= 0x30 && c <= 0x3a) || c === 0x2e || c === 0x2d;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
