/**
 * A record seen before it is decoded: its template and its undecoded values.
 * Enough to tell who wrote it and what text it holds, at a fraction of the
 * cost of rendering it, so a consumer can skip records no rule can use:
 *
 *   record ─▶ viewFragment ─▶ RawEvtxRecord.identity()   Provider Name, EventID, Channel only
 *                           └▶ RawEvtxRecord.scanValues() each value's JSON text, from the chunk's bytes
 *
 * Both answer as the rendered record would: identity() renders just those
 * (with the renderer's own code; remembered per template, as long as the
 * values it used have the same bytes), and scanValues() gives the JSON text
 * of every value the rendered record can hold (plus some it does not, which
 * only widens a needle scan). Where a template joins several
 * parts into one value (a needle could span them) or a value is nested
 * BinXML, they decline and the record is decoded in full.
 */
import type { JsonTextSink } from '../../core/json-text.js';
import { ELEMENT, INSTANCE, MAX_DEPTH, PI, SUBST, TEXT, viewFragment, type AttrNode, type Budget, type ElementNode, type InstanceView, type Node } from './binxml.js';
import { attrValue, renderElement, type JsonObject } from './render.js';
import { EvtxFormatError } from './errors.js';
import type { ChunkTables, Template } from './tables.js';
import { BinXmlValue, decodeValue, textAlphabet, ValueType, type Value } from './values.js';

/** What every record of one template shares, worked out once per template. */
interface TemplatePlan {
  /** Where Event/System's Provider Name, EventID and Channel come from; null when the template is not laid out as <Event><System>…. */
  readonly identity: IdentityElements | null;
  /** The substitutions those use, in ascending order (identity() walks the values once). */
  readonly identityValues: readonly number[];
  /** Records of one template mostly repeat their identity: the last one, and its decoded values. */
  readonly memo: IdentityMemo;
  /** Literal texts of the template that render as values. */
  readonly texts: readonly string[];
  /** False when some value is joined from several parts: its text only exists once rendered. */
  readonly separable: boolean;
  /** The template's root holds elements only (no text or substitution to join outer text). */
  readonly elementsAtRoot: boolean;
}

/**
 * The identity last read from one template, and per identity value its last
 * bytes and decoded value: the same bytes give the same (identical) value,
 * so a record whose values all repeat gets the same identity object.
 */
class IdentityMemo {
  identity: JsonObject | null = null;
  private readonly bytes: (Buffer | undefined)[] = [];
  private readonly types: number[] = [];
  private readonly values: Value[] = [];

  value(k: number, b: Buffer, at: number, size: number, type: number): Value {
    const last = this.bytes[k];
    if (last !== undefined && this.types[k] === type && last.length === size && sameBytes(last, b, at)) return this.values[k];
    const v = decodeValue(b, at, size, type, noBinXml);
    this.bytes[k] = Buffer.from(b.subarray(at, at + size));
    this.types[k] = type;
    this.values[k] = v;
    return v;
  }
}

/** Whether b[at, at + a.length) holds a's bytes (a few bytes each: a loop beats Buffer.compare's argument checks). */
function sameBytes(a: Buffer, b: Buffer, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

interface IdentityElements {
  /** Provider's attributes called Name (the last one with a value renders). */
  readonly providerName: readonly AttrNode[];
  readonly eventId: ElementNode | null;
  readonly channel: ElementNode | null;
}

const plans = new WeakMap<Template, TemplatePlan>();

function planOf(template: Template): TemplatePlan {
  let plan = plans.get(template);
  if (plan === undefined) {
    plan = makePlan(template.nodes as readonly Node[]);
    plans.set(template, plan);
  }
  return plan;
}

function makePlan(nodes: readonly Node[]): TemplatePlan {
  const texts: string[] = [];
  let separable = true;
  const walk = (list: readonly Node[]): void => {
    let parts = 0;
    for (const n of list) {
      if (n.k === TEXT) {
        texts.push(n.text);
        parts++;
      } else if (n.k === SUBST) parts++;
      else if (n.k === INSTANCE) separable = false;
      else if (n.k === ELEMENT) {
        for (const a of n.attrs) {
          if (a.parts.length > 1) separable = false;
          for (const p of a.parts) if (p.k === TEXT) texts.push(p.text);
        }
        walk(n.children);
      }
    }
    // The renderer concatenates an element's text parts into one value.
    if (parts > 1) separable = false;
  };
  walk(nodes);
  const identity = identityElements(nodes);
  const identityValues = new Set<number>();
  const collect = (list: readonly Node[]): void => {
    for (const n of list) {
      if (n.k === SUBST) identityValues.add(n.index);
      else if (n.k === ELEMENT) {
        for (const a of n.attrs) collectAttr(a);
        collect(n.children);
      }
    }
  };
  const collectAttr = (a: AttrNode): void => {
    for (const p of a.parts) if (p.k === SUBST) identityValues.add(p.index);
  };
  if (identity) {
    identity.providerName.forEach(collectAttr);
    if (identity.eventId) collect([identity.eventId]);
    if (identity.channel) collect([identity.channel]);
  }
  const elementsAtRoot = nodes.every((n) => n.k === ELEMENT || n.k === PI);
  return { identity, identityValues: [...identityValues].sort((a, b) => a - b), memo: new IdentityMemo(), texts, separable, elementsAtRoot };
}

/**
 * The elements the rendered record's Event.System.{Provider, EventID, Channel}
 * come from: under the template's one root <Event>, its first <System>; in
 * it, the first element of each name (later ones render as Name_1, …). Null
 * when rendering could key things otherwise: another root, no element in
 * System (it would render as text or null), or a <Data> element before
 * System or inside it (its Name attribute becomes the key).
 */
function identityElements(nodes: readonly Node[]): IdentityElements | null {
  // Text and processing instructions at the root do not render.
  const roots = nodes.filter((n) => n.k === ELEMENT || n.k === SUBST || n.k === INSTANCE);
  const event = roots.length === 1 && roots[0].k === ELEMENT && roots[0].name === 'Event' ? roots[0] : null;
  if (event === null) return null;
  let system: ElementNode | null = null;
  for (const n of event.children) {
    if (n.k !== ELEMENT) continue;
    if (n.name === 'Data') return null;
    if (n.name === 'System') {
      system = n;
      break;
    }
  }
  if (system === null) return null;
  let provider: ElementNode | null = null;
  let eventId: ElementNode | null = null;
  let channel: ElementNode | null = null;
  let elements = 0;
  for (const n of system.children) {
    if (n.k !== ELEMENT) continue;
    elements++;
    if (n.name === 'Data') return null;
    if (n.name === 'Provider') provider ??= n;
    else if (n.name === 'EventID') eventId ??= n;
    else if (n.name === 'Channel') channel ??= n;
  }
  if (elements === 0) return null;
  return { providerName: provider ? provider.attrs.filter((a) => a.name === 'Name') : [], eventId, channel };
}

/** One record at a time (set() points it at the next): no allocation per record beyond what identity() returns. */
export class RawEvtxRecord {
  private tables!: ChunkTables;
  private view!: InstanceView;
  private budget!: Budget;
  private plan!: TemplatePlan;
  /** Decoded values by index; only the indexes identity() uses are current. */
  private readonly scratch: (Value | undefined)[] = [];

  set(tables: ChunkTables, view: InstanceView, budget: Budget): void {
    this.tables = tables;
    this.view = view;
    this.budget = budget;
    this.plan = planOf(view.template);
  }

  /**
   * The record's Event.System reduced to what tells its logsource:
   * Provider's Name attribute, EventID and Channel, each as the rendered
   * record holds it (absent when it has none). Undefined when this record's
   * layout does not allow reading them alone. The object may be shared with
   * other records of the same template: not to be changed.
   */
  identity(): JsonObject | undefined {
    const plan = this.plan;
    const id = plan.identity;
    if (id === null) return undefined;
    const b = this.tables.buf;
    const v = this.view;
    const scratch = this.scratch;
    const indexes = plan.identityValues;
    const memo = plan.memo;
    let same = memo.identity !== null;
    let at = v.values;
    let next = 0;
    for (let k = 0; k < indexes.length; k++) {
      const index = indexes[k];
      let value: Value | undefined;
      if (index >= v.count) value = undefined; // a value the instance lacks renders as null
      else {
        for (; next < index; next++) at += b.readUInt16LE(v.descriptors + 4 * next);
        const type = b[v.descriptors + 4 * index + 2];
        if (type === ValueType.BinXml) return undefined;
        value = memo.value(k, b, at, b.readUInt16LE(v.descriptors + 4 * index), type);
      }
      if (value !== scratch[index]) same = false;
      scratch[index] = value;
    }
    if (same) return memo.identity!;
    const values = scratch as readonly Value[];
    const out: JsonObject = {};
    // Attributes render in order, a later one of the same name replacing an earlier (one with no value is left out).
    let name: Value | undefined;
    for (const a of id.providerName) name = attrValue(a.parts, values) ?? name;
    if (name !== undefined) out['Provider'] = { '#attributes': { Name: name } };
    if (id.eventId) out['EventID'] = renderElement(id.eventId, values, this.budget);
    if (id.channel) out['Channel'] = renderElement(id.channel, values, this.budget);
    memo.identity = out;
    return out;
  }

  /**
   * Hands the JSON text of each value the rendered record can hold to `sink`:
   * the template's literal texts, then every substitution value, nested
   * BinXML (EventData of most records) taken apart the same way. False (and
   * the sink is to be disregarded) when some value's text only exists once
   * rendered: parts joined into one value, nested BinXML of another shape.
   */
  scanValues(sink: JsonTextSink): boolean {
    return this.scanInstance(this.view, this.plan, sink, 0);
  }

  private scanInstance(v: InstanceView, plan: TemplatePlan, sink: JsonTextSink, depth: number): boolean {
    if (!plan.separable) return false;
    sink.constants(plan.texts);
    const b = this.tables.buf;
    let at = v.values;
    for (let i = 0; i < v.count; i++) {
      const size = b.readUInt16LE(v.descriptors + 4 * i);
      const type = b[v.descriptors + 4 * i + 2];
      if (type === ValueType.String || type === ValueType.EvtXml) {
        // As values.ts reads them: whole characters, trailing NULs dropped.
        let e = at + (size & ~1);
        while (e > at && b[e - 1] === 0 && b[e - 2] === 0) e -= 2;
        sink.utf16String(b, at, e);
      } else if (type === ValueType.Null) {
        sink.literal('null');
      } else if (type === ValueType.BinXml) {
        if (depth >= MAX_DEPTH) return false;
        const nested = viewFragment(this.tables, at, at + size, this.budget);
        if (nested === null) return false;
        const nestedPlan = planOf(nested.template);
        // Text at the nested fragment's root would join the text around the substitution.
        if (!nestedPlan.elementsAtRoot || !this.scanInstance(nested, nestedPlan, sink, depth + 1)) return false;
      } else {
        const alphabet = textAlphabet(type);
        if ((alphabet === undefined || sink.wants(alphabet)) && !feedValue(sink, decodeValue(b, at, size, type, noBinXml))) return false;
      }
      at += size;
    }
    return true;
  }
}

function feedValue(sink: JsonTextSink, v: Value): boolean {
  if (typeof v === 'string') sink.string(v);
  else if (typeof v === 'number' || typeof v === 'boolean') sink.literal(String(v));
  else if (v === null) sink.literal('null');
  else if (Array.isArray(v)) {
    sink.literal('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) sink.literal(',');
      if (!feedValue(sink, v[i])) return false;
    }
    sink.literal(']');
  } else if (v instanceof BinXmlValue) return false;
  return true;
}

/** Nested BinXML is declined before decoding; an array of it is not a valid type. */
function noBinXml(start: number): BinXmlValue {
  throw new EvtxFormatError('nested BinXML in a value that cannot hold it', start);
}
