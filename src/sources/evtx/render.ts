/**
 * Record → object, in the JSON shape of the Rust evtx crate's `evtx_dump -o json`
 * (the shape of SigmaHQ's regression_data/*.json), so normalization and rules
 * treat EVTX records like those files:
 *
 *   element with only text      → its value, typed as the substitution was ("EventID": 4688)
 *   element with nothing        → null ("Correlation": null)
 *   attributes                  → "#attributes": {name: value}; text then goes under "#text"
 *   child elements              → keys by name; a repeated name gets _1, _2, … ("Header_1")
 *   <Data Name="X">v</Data>     → "X": v
 *   unnamed <Data>v</Data>      → "Data": {"#text": v}, or {"#text": [v1, v2, …]} for several
 *                                 (an empty Name counts as none)
 *   attribute whose value is a null substitution → left out (as Windows renders it)
 *   several text parts          → concatenated text
 *
 * Values are not trimmed (see values.ts).
 */
import { Budget, ELEMENT, INSTANCE, MAX_DEPTH, SUBST, TEXT, type ElementNode, type Node, type Part } from './binxml.js';
import { EvtxLimitError } from './errors.js';
import { BinXmlValue, valueText, type Value } from './values.js';

export type JsonObject = Record<string, unknown>;

const NO_VALUES: Value[] = [];

/** What an element's content collects: child keys, then its text. */
interface Acc {
  obj: JsonObject | null;
  hasText: boolean;
  text: Value;
  /** The {"#text": …} holder of unnamed <Data> children. */
  data: JsonObject | null;
  dataItems: unknown[] | null;
  /** Next suffix to try per repeated element name. */
  suffix?: Map<string, number>;
}

export function renderRecord(nodes: readonly Node[], budget: Budget): JsonObject {
  const acc: Acc = { obj: null, hasText: false, text: null, data: null, dataItems: null };
  addContent(acc, nodes, NO_VALUES, 0, budget);
  return acc.obj ?? {};
}

/**
 * The JSON value one element of a template renders to with these values, as
 * renderRecord would give it under the element's name. Only the substitutions
 * the element refers to need to be decoded in `values`.
 */
export function renderElement(el: ElementNode, values: readonly Value[], budget: Budget): unknown {
  return leafValue(el, values, budget) ?? elementValue(el, values, 1, budget, null);
}

function addContent(acc: Acc, nodes: readonly Node[], values: readonly Value[], depth: number, budget: Budget): void {
  if (depth > MAX_DEPTH) throw new EvtxLimitError('BinXML nested too deeply', 0);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    budget.spend(0);
    switch (n.k) {
      case ELEMENT:
        addElement(acc, n, values, depth, budget);
        break;
      case TEXT:
        budget.text(n.text.length);
        addText(acc, n.text);
        break;
      case SUBST: {
        const v = values[n.index];
        if (v === undefined || v === null) break;
        if (v instanceof BinXmlValue) addContent(acc, v.nodes as Node[], NO_VALUES, depth + 1, budget);
        else {
          if (typeof v === 'string') budget.text(v.length);
          addText(acc, v);
        }
        break;
      }
      case INSTANCE:
        addContent(acc, n.template.nodes as Node[], n.values, depth + 1, budget);
        break;
      default: // processing instructions have no place in the JSON shape
        break;
    }
  }
}

function addText(acc: Acc, v: Value): void {
  if (!acc.hasText) {
    acc.hasText = true;
    acc.text = v;
  } else {
    acc.text = valueText(acc.text) + valueText(v);
  }
}

function addElement(acc: Acc, el: ElementNode, values: readonly Value[], depth: number, budget: Budget): void {
  if (el.dataName) {
    const key = el.dataKey ?? attrValue(el.dataName.parts, values);
    if (key !== undefined && key !== '') {
      setUnique(acc, valueText(key), leafValue(el, values, budget) ?? elementValue(el, values, depth, budget, el.dataName));
      return;
    }
  }
  if (el.name === 'Data') {
    const v = elementValue(el, values, depth, budget, null);
    const item = v === null ? '' : v;
    if (acc.data === null) {
      acc.data = { '#text': item };
      acc.dataItems = [item];
      setUnique(acc, 'Data', acc.data);
    } else {
      acc.dataItems!.push(item);
      acc.data['#text'] = acc.dataItems;
    }
    return;
  }
  setUnique(acc, el.name, leafValue(el, values, budget) ?? elementValue(el, values, depth, budget, null));
}

/** Fast path for an element that is one substitution (most of them); undefined when it is not, or holds BinXML. */
function leafValue(el: ElementNode, values: readonly Value[], budget: Budget): Value | undefined {
  if (el.leaf < 0) return undefined;
  const v = values[el.leaf];
  if (v === undefined || v === null) return null;
  if (v instanceof BinXmlValue) return undefined;
  if (typeof v === 'string') budget.text(v.length);
  return v;
}

/** The JSON value of one element; `skip` is an attribute consumed elsewhere (Data's Name). */
function elementValue(el: ElementNode, values: readonly Value[], depth: number, budget: Budget, skip: object | null): unknown {
  let attrs: JsonObject | null = null;
  for (let i = 0; i < el.attrs.length; i++) {
    const a = el.attrs[i];
    if (a === skip) continue;
    budget.spend(0);
    const v = attrValue(a.parts, values);
    if (v === undefined) continue;
    if (typeof v === 'string') budget.text(v.length);
    if (attrs === null) attrs = {};
    setKey(attrs, a.name, v);
  }
  const acc: Acc = { obj: attrs === null ? null : { '#attributes': attrs }, hasText: false, text: null, data: null, dataItems: null };
  if (el.children.length) addContent(acc, el.children, values, depth + 1, budget);
  if (acc.obj === null) return acc.hasText ? acc.text : null;
  if (acc.hasText) setKey(acc.obj, '#text', acc.text);
  return acc.obj;
}

/** An attribute's value; undefined when it consists only of null substitutions. */
export function attrValue(parts: readonly Part[], values: readonly Value[]): Value | undefined {
  if (parts.length === 1) {
    const p = parts[0];
    if (p.k === TEXT) return p.text;
    const v = values[p.index];
    if (v === undefined || v === null || v instanceof BinXmlValue) return undefined;
    return v;
  }
  let out: string | undefined;
  for (const p of parts) {
    if (p.k === TEXT) out = (out ?? '') + p.text;
    else {
      const v = values[p.index];
      if (v !== undefined && v !== null && !(v instanceof BinXmlValue)) out = (out ?? '') + valueText(v);
    }
  }
  return out;
}

function setUnique(acc: Acc, key: string, value: unknown): void {
  const obj = (acc.obj ??= {});
  if (!Object.hasOwn(obj, key)) {
    setKey(obj, key, value);
    return;
  }
  // Repeated names: key_1, key_2, … (remembering where the count stopped keeps this linear).
  const next = (acc.suffix ??= new Map<string, number>());
  for (let i = next.get(key) ?? 1; ; i++) {
    const k = `${key}_${i}`;
    if (!Object.hasOwn(obj, k)) {
      setKey(obj, k, value);
      next.set(key, i + 1);
      return;
    }
  }
}

/** Plain assignment, except for the one key that would change the object's prototype. */
function setKey(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
