/**
 * Helpers shared by the Sigma specification conformance tests
 * (sigma-spec-values, sigma-spec-modifiers, sigma-spec-conditions).
 *
 * Not a test file itself (no `.test.` in the name), so the runner does not
 * execute it.
 */
import assert from 'node:assert/strict';
import type { FieldValue } from '../src/core/event.js';
import { Detector, type DetectorOptions } from '../src/detect/engine.js';
import { FlatEvent } from '../src/normalize/flat-event.js';
import { normalizeObject } from '../src/normalize/index.js';
import { loadSigmaText } from '../src/sigma/load.js';

/** Drop a leading and a trailing blank line and the indent common to all non-blank lines. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Template tag: a whole rule around a detection block; the template is taken raw. */
export type RuleTag = (strings: TemplateStringsArray, ...values: unknown[]) => string;

/** The `rule` tag for rules titled `title` with id `id`. */
export function ruleFactory(title: string, id: string): RuleTag {
  return (strings, ...values) => {
    const detection = dedent(String.raw(strings, ...values)).replace(/^/gm, '  ');
    return `title: ${title}\nid: ${id}\nlogsource:\n  category: test\ndetection:\n${detection}\n`;
  };
}

/** `item(key, valueYaml)`: a rule titled `title` with one selection `key: value`; value is YAML (quote it yourself). */
export function itemFactory(title: string): (key: string, valueYaml: string) => string {
  return (key, valueYaml) =>
    `title: ${title}\nlogsource:\n  category: test\ndetection:\n  sel:\n    ${key}: ${valueYaml}\n  condition: sel\n`;
}

/** Load problems and compile problems, as `describe()` prints them. */
export function problems(yaml: string, opts: DetectorOptions = {}): string[] {
  const { documents, errors } = loadSigmaText(yaml);
  const det = new Detector(documents, opts);
  return [...errors, ...det.errors].map((e) => e.describe());
}

/** A detector over the rule text; asserts that everything compiles and at least one rule loads. */
export function detector(yaml: string, opts: DetectorOptions = {}): Detector {
  const { documents, errors } = loadSigmaText(yaml);
  const det = new Detector(documents, opts);
  assert.deepEqual([...errors, ...det.errors].map((e) => e.describe()), [], 'rules should compile');
  assert.ok(det.rules.length > 0, 'a rule should load');
  return det;
}

export function event(fields: Record<string, FieldValue>): FlatEvent {
  const ev = new FlatEvent();
  for (const [k, v] of Object.entries(fields)) ev.put(k, v);
  return ev;
}

/** Whether the rule text matches an event with these fields. */
export function matches(ruleYaml: string, fields: Record<string, FieldValue>, opts: DetectorOptions = {}): boolean {
  return detector(ruleYaml, opts).match(event(fields)).length > 0;
}

/** Same, through the JSON normalizer (JSON null, numbers, nesting as real input has them). */
export function matchesJson(ruleYaml: string, obj: unknown): boolean {
  return detector(ruleYaml).match(normalizeObject(obj)).length > 0;
}

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const b64le = (text: string): string => Buffer.from(text, 'utf16le').toString('base64');
export const b64be = (text: string): string => Buffer.from(text, 'utf16le').swap16().toString('base64');
export const b64bom = (text: string): string =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]).toString('base64');
