/**
 * The BinXML token reader. Turns a token stream (a template definition, a
 * record's fragment, or a nested BinXML value) into a small node tree:
 *
 *   Element   <name attr…>children</name>  (OpenStartElement 0x01/0x41, Attribute 0x06/0x46,
 *                                          CloseStart 0x02, CloseEmpty 0x03, EndElement 0x04)
 *   Text      Value 0x05/0x45, CDATA 0x07/0x47, CharRef 0x08/0x48, EntityRef 0x09/0x49 (resolved)
 *   Subst     NormalSubstitution 0x0d / OptionalSubstitution 0x0e (index into the instance's values)
 *   Instance  TemplateInstance 0x0c: a (cached) template plus this record's values
 *   PI        PITarget 0x0a + PIData 0x0b
 *
 * FragmentHeader 0x0f is skipped; EOF 0x00 ends a fragment.
 *
 * Every read is bounds-checked against the region being parsed; every loop
 * advances; element nesting, template and BinXML nesting share one depth limit,
 * and a per-record node budget bounds the work a hostile record can cause.
 */
import { EvtxFormatError, EvtxLimitError, EvtxMissingTemplate, hex } from './errors.js';
import type { ChunkTables, Template } from './tables.js';
import { BinXmlValue, decodeValue, type Value } from './values.js';

export const ELEMENT = 0;
export const TEXT = 1;
export const SUBST = 2;
export const INSTANCE = 3;
export const PI = 4;

export interface TextNode { readonly k: typeof TEXT; text: string }
export interface SubstNode { readonly k: typeof SUBST; readonly index: number; readonly type: number; readonly optional: boolean }
export type Part = TextNode | SubstNode;
export interface AttrNode { readonly name: string; readonly parts: Part[] }
export interface ElementNode {
  readonly k: typeof ELEMENT;
  readonly name: string;
  readonly attrs: AttrNode[];
  readonly children: Node[];
  /** `<Data Name="…">`: the Name attribute, whose value becomes the JSON key. */
  readonly dataName: AttrNode | null;
  /** That key when it is literal text (the usual case), else null. */
  readonly dataKey: string | null;
  /**
   * Index of the substitution that is this element's whole content, when it
   * has no other attributes than Data's Name (`<EventID>%3</EventID>`): the
   * renderer then takes the value as it is. -1 otherwise.
   */
  readonly leaf: number;
}
export interface InstanceNode { readonly k: typeof INSTANCE; readonly template: Template; readonly values: Value[] }
export interface PINode { readonly k: typeof PI; readonly target: string; readonly data: string }
export type Node = ElementNode | TextNode | SubstNode | InstanceNode | PINode;

/** Nesting allowed for elements, template instances and BinXML values together. */
export const MAX_DEPTH = 64;
/** Nodes one record may produce while parsing and rendering (real records use a few hundred). */
export const NODE_BUDGET = 200_000;

/** Characters of text one record may produce (templates can repeat a value many times). */
export const TEXT_BUDGET = 8 * 1024 * 1024;

/** Work and output allowed for one record; exceeding either fails the record, not the file. */
export class Budget {
  left = NODE_BUDGET;
  chars = TEXT_BUDGET;
  reset(): void {
    this.left = NODE_BUDGET;
    this.chars = TEXT_BUDGET;
  }
  spend(at: number): void {
    if (--this.left < 0) throw new EvtxLimitError('record expands to too many nodes', at);
  }
  text(n: number): void {
    if ((this.chars -= n) < 0) throw new EvtxLimitError('record expands to too much text', 0);
  }
}

/** Placeholder while a template is being parsed. */
const IN_PROGRESS: Template = { offset: -1, nodes: [] };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * A template instance seen without decoding its values: the template, and
 * where the value descriptors (size 16, type 8, pad 8 each) and the values lie
 * in the chunk. Every value lies inside the record (checked).
 */
export interface InstanceView {
  readonly template: Template;
  readonly count: number;
  readonly descriptors: number;
  readonly values: number;
  readonly end: number;
}

/**
 * For a record fragment that is exactly [FragmentHeader,] TemplateInstance,
 * [EOF] (what Windows writes): its instance, values left undecoded. Null for
 * any other shape (the caller decodes the record in full). Damage throws as
 * parseFragment throws.
 */
export function viewFragment(t: ChunkTables, start: number, end: number, budget: Budget): InstanceView | null {
  const b = t.buf;
  // Records start with a fragment header; nested BinXML values mostly do not.
  const at = start < end && b[start] === 0x0f ? start + 4 : start;
  if (at >= end || (b[at] & 0xbf) !== 0x0c) return null;
  const p = new Parser(t, at, end, budget, 0, true);
  const view = p.instanceView();
  return p.atFragmentEnd() ? view : null;
}

/** Parses the BinXML in chunk[start, end) (a record's event data or a nested value). */
export function parseFragment(t: ChunkTables, start: number, end: number, budget: Budget, depth = 0): Node[] {
  return new Parser(t, start, end, budget, depth, true).content(false);
}

class Parser {
  pos: number;
  private readonly b: Buffer;

  constructor(
    private readonly t: ChunkTables,
    start: number,
    private readonly end: number,
    private readonly budget: Budget,
    private depth: number,
    /**
     * Outside a template definition: element starts written directly in a record
     * (forwarded events, rendered without templates) or in a nested BinXML value
     * may lack the 2-byte dependency identifier.
     */
    private readonly raw: boolean,
  ) {
    if (depth > MAX_DEPTH) throw new EvtxLimitError('BinXML nested too deeply', start);
    this.pos = start;
    this.b = t.buf;
    if (end > t.length) this.end = t.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new EvtxFormatError(`BinXML token at ${hex(this.pos)} runs past the data`, this.pos);
  }

  /** Content until EOF (top level) or EndElement (inside an element). */
  content(inElement: boolean): Node[] {
    const out: Node[] = [];
    const b = this.b;
    while (this.pos < this.end) {
      const at = this.pos;
      const tok = b[at];
      this.budget.spend(at);
      switch (tok & 0xbf) {
        case 0x00:
          if (inElement) throw new EvtxFormatError(`end of fragment inside an element at ${hex(at)}`, at);
          this.pos++;
          return out;
        case 0x01:
          out.push(this.element());
          break;
        case 0x04:
          if (!inElement) throw new EvtxFormatError(`end-element token outside an element at ${hex(at)}`, at);
          this.pos++;
          return out;
        case 0x05:
          pushText(out, this.valueText());
          break;
        case 0x07:
          this.need(3);
          pushText(out, this.string(at + 1));
          break;
        case 0x08:
          this.need(3);
          pushText(out, String.fromCharCode(b.readUInt16LE(at + 1)));
          this.pos = at + 3;
          break;
        case 0x09:
          pushText(out, this.entity());
          break;
        case 0x0a:
          out.push(this.pi());
          break;
        case 0x0b: // PI data without a target
          this.need(3);
          this.string(at + 1);
          break;
        case 0x0c:
          out.push(this.instance());
          break;
        case 0x0d:
        case 0x0e:
          out.push(this.substitution());
          break;
        case 0x0f:
          this.need(4);
          this.pos = at + 4;
          break;
        default:
          throw new EvtxFormatError(`unexpected BinXML token ${hex(tok)} at ${hex(at)}`, at);
      }
    }
    if (inElement) throw new EvtxFormatError(`element not closed before ${hex(this.end)}`, this.end);
    return out;
  }

  private element(): ElementNode {
    const b = this.b;
    const at = this.pos;
    const tok = b[at];
    let p = at + 1;
    if (!this.raw || this.hasDependencyId(at)) p += 2;
    this.pos = p;
    this.need(8);
    const nameOffset = b.readUInt32LE(p + 4);
    p += 8;
    const name = this.t.name(nameOffset);
    if (nameOffset === p) p += this.t.nameSize(p);
    this.pos = p;
    const attrs: AttrNode[] = [];
    let dataName: AttrNode | null = null;
    if (tok & 0x40) {
      this.need(4);
      this.pos += 4; // attribute list size: the attributes are read token by token instead
      while (this.pos < this.end && (b[this.pos] & 0xbf) === 0x06) {
        const a = this.attribute();
        attrs.push(a);
        if (a.name === 'Name' && name === 'Data') dataName = a;
      }
    }
    this.need(1);
    const close = b[this.pos++];
    let children: Node[];
    if (close === 0x03) children = [];
    else if (close === 0x02) {
      if (++this.depth > MAX_DEPTH) throw new EvtxLimitError('elements nested too deeply', at);
      children = this.content(true);
      this.depth--;
    } else throw new EvtxFormatError(`element <${name}> at ${hex(at)}: expected close token, found ${hex(close)}`, this.pos - 1);
    const dataKey = dataName && dataName.parts.length === 1 && dataName.parts[0].k === TEXT ? dataName.parts[0].text : null;
    const only = children.length === 1 ? children[0] : undefined;
    const leaf = only !== undefined && only.k === SUBST && attrs.length === (dataName ? 1 : 0) ? only.index : -1;
    return { k: ELEMENT, name, attrs, children, dataName, dataKey, leaf };
  }

  /**
   * Whether the element start at `at` carries a dependency identifier, decided
   * by where the name offset points: an inline name starts right after the
   * offset field; otherwise it must point back to a name stored earlier.
   */
  private hasDependencyId(at: number): boolean {
    const b = this.b;
    if (at + 11 > this.end) return at + 9 > this.end;
    const withId = b.readUInt32LE(at + 7);
    const without = b.readUInt32LE(at + 5);
    if (withId === at + 11) return true;
    if (without === at + 9) return false;
    const okWith = withId < at && withId + 8 <= this.t.length;
    const okWithout = without < at && without + 8 <= this.t.length;
    return okWith || !okWithout;
  }

  private attribute(): AttrNode {
    const at = this.pos;
    this.need(5);
    const nameOffset = this.b.readUInt32LE(at + 1);
    let p = at + 5;
    const name = this.t.name(nameOffset);
    if (nameOffset === p) p += this.t.nameSize(p);
    this.pos = p;
    return { name, parts: this.valueParts() };
  }

  /** An attribute's value: text, substitutions and references, until the next non-value token. */
  private valueParts(): Part[] {
    const parts: Part[] = [];
    const b = this.b;
    while (this.pos < this.end) {
      const at = this.pos;
      switch (b[at] & 0xbf) {
        case 0x05:
          pushText(parts, this.valueText());
          break;
        case 0x08:
          this.need(3);
          pushText(parts, String.fromCharCode(b.readUInt16LE(at + 1)));
          this.pos = at + 3;
          break;
        case 0x09:
          pushText(parts, this.entity());
          break;
        case 0x0d:
        case 0x0e:
          parts.push(this.substitution());
          break;
        default:
          return parts;
      }
      this.budget.spend(at);
    }
    return parts;
  }

  /** Value token: a type byte (only strings occur in practice) then the text. */
  private valueText(): string {
    const at = this.pos;
    this.need(2);
    const type = this.b[at + 1];
    if (type !== 0x01) throw new EvtxFormatError(`value token of type ${hex(type)} at ${hex(at)}`, at);
    return this.string(at + 2);
  }

  /** A length-prefixed UTF-16 string at `at` (16-bit character count); moves past it. */
  private string(at: number): string {
    if (at + 2 > this.end) throw new EvtxFormatError(`string at ${hex(at)} runs past the data`, at);
    const chars = this.b.readUInt16LE(at);
    const end = at + 2 + chars * 2;
    if (end > this.end) throw new EvtxFormatError(`string of ${chars} characters at ${hex(at)} runs past the data`, at);
    this.pos = end;
    return this.b.toString('utf16le', at + 2, end);
  }

  private entity(): string {
    const at = this.pos;
    this.need(5);
    const nameOffset = this.b.readUInt32LE(at + 1);
    let p = at + 5;
    const name = this.t.name(nameOffset);
    if (nameOffset === p) p += this.t.nameSize(p);
    this.pos = p;
    return ENTITIES[name] ?? `&${name};`;
  }

  private pi(): PINode {
    const at = this.pos;
    this.need(5);
    const nameOffset = this.b.readUInt32LE(at + 1);
    let p = at + 5;
    const target = this.t.name(nameOffset);
    if (nameOffset === p) p += this.t.nameSize(p);
    this.pos = p;
    let data = '';
    if (p < this.end && this.b[p] === 0x0b) data = this.string(p + 1);
    return { k: PI, target, data };
  }

  private substitution(): SubstNode {
    const at = this.pos;
    this.need(4);
    this.pos = at + 4;
    return { k: SUBST, index: this.b.readUInt16LE(at + 1), type: this.b[at + 3], optional: this.b[at] === 0x0e };
  }

  /**
   * TemplateInstance: 0x0c, 1 unknown byte, template id (4), definition offset (4);
   * the definition follows inline when that offset points right here (first use
   * in the chunk), else it was stored by an earlier record. Then the instance
   * data: value count, (size 16, type 8, pad 8) descriptors, the values.
   */
  private instance(): InstanceNode {
    const v = this.instanceView();
    const b = this.b;
    const values: Value[] = new Array(v.count);
    const nested = (s: number, e: number): BinXmlValue =>
      new BinXmlValue(new Parser(this.t, s, e, this.budget, this.depth + 1, true).content(false));
    let vp = v.values;
    for (let i = 0; i < v.count; i++) {
      const size = b.readUInt16LE(v.descriptors + 4 * i);
      values[i] = decodeValue(b, vp, size, b[v.descriptors + 4 * i + 2], nested);
      vp += size;
    }
    return { k: INSTANCE, template: v.template, values };
  }

  /** The instance at pos: its template and where its values lie (bounds checked), values not decoded; moves past it. */
  instanceView(): InstanceView {
    const b = this.b;
    const at = this.pos;
    this.need(10);
    const templateId = b.readUInt32LE(at + 2);
    const defOffset = b.readUInt32LE(at + 6);
    this.pos = at + 10;
    if (defOffset === this.pos) {
      this.need(24);
      const size = b.readUInt32LE(this.pos + 20);
      this.pos += 24;
      this.need(size);
      this.pos += size;
    }
    const template = this.template(defOffset, templateId);
    this.need(4);
    const count = b.readUInt32LE(this.pos);
    this.pos += 4;
    if (count * 4 > this.end - this.pos) throw new EvtxFormatError(`template instance at ${hex(at)} claims ${count} values`, at);
    const desc = this.pos;
    let vp = desc + count * 4;
    const values = vp;
    for (let i = 0; i < count; i++) {
      const size = b.readUInt16LE(desc + 4 * i);
      if (vp + size > this.end) throw new EvtxFormatError(`value ${i} of template instance at ${hex(at)} runs past the data`, vp);
      vp += size;
    }
    this.pos = vp;
    return { template, count, descriptors: desc, values, end: vp };
  }

  /** Whether the fragment ends here (end-of-fragment token or no data left; content() ignores what follows the token). */
  atFragmentEnd(): boolean {
    return this.pos >= this.end || this.b[this.pos] === 0x00;
  }

  /**
   * The template defined at chunk offset `defOffset`, parsed once per chunk.
   * When that definition is damaged or missing, a definition with the same
   * template id from elsewhere in the file stands in (see ChunkTables.shared).
   */
  private template(defOffset: number, templateId: number): Template {
    const cache = this.t.templates;
    const known = cache.get(defOffset);
    if (known === IN_PROGRESS) throw new EvtxFormatError(`template at ${hex(defOffset)} refers to itself`, defOffset);
    if (known instanceof EvtxFormatError) return this.standIn(templateId, known);
    if (known) return known;
    if (defOffset + 24 > this.t.length) {
      return this.standIn(templateId, new EvtxFormatError(`template offset ${hex(defOffset)} outside the chunk`, this.pos));
    }
    const size = this.b.readUInt32LE(defOffset + 20);
    const start = defOffset + 24;
    let failure: EvtxFormatError | undefined;
    if (start + size > this.t.length) failure = new EvtxFormatError(`template at ${hex(defOffset)} (${size} bytes) runs past the chunk`, defOffset);
    // A definition is a fragment: header 0x0f 0x01 0x01, an element, EOF. Anything else is not a template.
    else if (size < 4 || this.b[start] !== 0x0f || this.b[start + 1] !== 0x01 || this.b[start + 2] !== 0x01) {
      failure = new EvtxFormatError(`template at ${hex(defOffset)} is damaged or missing (no fragment header)`, defOffset);
    }
    if (failure) {
      cache.set(defOffset, failure);
      return this.standIn(templateId, failure);
    }
    // Mark it in progress so a definition that refers to itself fails instead of recursing.
    cache.set(defOffset, IN_PROGRESS);
    let tpl: Template;
    try {
      const nodes = new Parser(this.t, start, start + size, this.budget, this.depth + 1, false).content(false);
      tpl = { offset: defOffset, nodes };
    } catch (e) {
      if (e instanceof EvtxLimitError) {
        cache.delete(defOffset);
        throw e;
      }
      const err = e instanceof EvtxFormatError ? e : new EvtxFormatError(String((e as Error).message), defOffset);
      const cached = new EvtxFormatError(`template at ${hex(defOffset)}: ${err.message}`, err.offset);
      cache.set(defOffset, cached);
      return this.standIn(templateId, cached);
    }
    cache.set(defOffset, tpl);
    const id = this.b.readUInt32LE(defOffset + 4); // first 32 bits of the definition's GUID
    if (this.t.shared && !this.t.shared.has(id)) this.t.shared.set(id, tpl);
    return tpl;
  }

  private standIn(templateId: number, failure: EvtxFormatError): Template {
    const copy = this.t.shared?.get(templateId);
    if (copy) return copy;
    throw new EvtxMissingTemplate(failure.message, failure.offset, templateId);
  }
}

function pushText(out: (Node | Part)[], text: string): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.k === TEXT) last.text += text;
  else out.push({ k: TEXT, text });
}
