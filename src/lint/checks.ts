/**
 * Lint checks beyond what the reference toolchain rejects. They never make a
 * file fail: each finding is a warning (probably a mistake) or a note (worth
 * knowing, behaves as intended).
 */
import { referencedIdentifiers } from '../sigma/condition.js';
import type { Detection, DetectionItem, DetectionMap, RuleValue, SigmaFilter, SigmaRule } from '../sigma/model.js';
import { MANY, ONE, type SigmaString } from '../sigma/sigma-string.js';
import { classifyField, knownFields, type FieldTable } from './taxonomy.js';
import { convertLegacyTimeframe } from '../correlate/legacy-timeframe.js';
import { LEGACY_SECURITY_FIELDS } from '../sigma/legacy-fields.js';

function legacySecurityField(doc: SigmaRule | SigmaFilter, field: string): string | undefined {
  const ls = doc.logsource;
  if ((ls.product ?? '').toLowerCase() !== 'windows' || (ls.service ?? '').toLowerCase() !== 'security') return undefined;
  return LEGACY_SECURITY_FIELDS.get(field.toLowerCase());
}

export interface Findings {
  warnings: string[];
  notes: string[];
}

/** Findings for one rule or filter; messages are relative to it (the caller adds file and rule). */
export function checkDocument(doc: SigmaRule | SigmaFilter, table: FieldTable, documentLinks: readonly string[] = []): Findings {
  const out: Findings = { warnings: [], notes: [] };
  const items = detectionItems(doc.detections);
  for (const { detection, item } of items) {
    checkItem(detection, item, out);
  }
  checkFields(doc, items, table, out);
  checkUnusedDetections(doc, out);
  if (doc.type === 'rule') {
    checkAttackReferences(doc, out, documentLinks);
    if (doc.timeframe !== undefined) {
      const conv = convertLegacyTimeframe(doc);
      if (conv) out.notes.push(conv.note);
      else {
        out.warnings.push(
          `legacy timeframe '${doc.timeframe}' is ignored: the condition '${doc.conditionText.join(' / ')}' can hold on ` +
            `one event, so the rule runs per event; write a correlation rule to count or sequence events`,
        );
      }
    }
  }
  return out;
}

interface LocatedItem {
  detection: string;
  item: DetectionItem;
}

function detectionItems(detections: ReadonlyMap<string, Detection>): LocatedItem[] {
  const out: LocatedItem[] = [];
  for (const [name, d] of detections) {
    const maps: DetectionMap[] = d.kind === 'map' ? [d.map] : d.kind === 'anyOf' ? d.maps : [];
    if (d.kind === 'keywords') out.push({ detection: name, item: d.item });
    for (const m of maps) for (const item of m.items) out.push({ detection: name, item });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Per item: exact match on command lines and image paths, |all on one value
// ---------------------------------------------------------------------------

const COMMAND_LINE_FIELDS = new Set(['commandline', 'parentcommandline', 'processcommandline', 'scriptblocktext', 'payload', 'contextinfo']);

/** Fields holding a full executable path. */
const IMAGE_PATH_FIELDS = new Set(['image', 'parentimage', 'newprocessname', 'parentprocessname', 'sourceimage', 'targetimage', 'imageloaded']);

/** Modifiers that leave a value an exact (whole-field) comparison. */
const EXACT_SAFE_MODIFIERS = new Set(['cased', 'windash', 'expand', 'all', 'neq']);

export function isCommandLineField(field: string): boolean {
  const f = field.toLowerCase();
  return COMMAND_LINE_FIELDS.has(f) || f.endsWith('commandline');
}

function checkItem(detection: string, item: DetectionItem, out: Findings): void {
  const at = `detection '${detection}'`;
  const label = item.field === undefined ? 'keywords' : [item.field, ...item.modifiers].join('|');
  if (item.modifiers.includes('all') && item.values.length === 1) {
    out.warnings.push(
      `${at}: '${label}' has a single value: the Sigma specification forbids 'all' on one value ` +
        `(it changes nothing here); drop '|all' or list the values that must all occur`,
    );
  }
  const field = item.field;
  if (field === undefined || item.modifiers.some((m) => !EXACT_SAFE_MODIFIERS.has(m))) return;
  const isCmd = isCommandLineField(field);
  const isImage = IMAGE_PATH_FIELDS.has(field.toLowerCase());
  if (!isCmd && !isImage) return;
  for (const v of item.values) {
    const s = exactString(v);
    if (s === undefined) continue;
    const text = display(s);
    if (isCmd) out.warnings.push(`${at}: ${commandLineMessage(field, text)}`);
    else if (isImage && /^[^\\/*?]+\.(exe|dll|com|scr|cpl|sys|ocx|msi|bat|cmd|ps1)$/i.test(text)) {
      out.warnings.push(
        `${at}: ${field}: '${text}' is an exact match on a full path: ${field} holds the whole path ` +
          `(e.g. 'C:\\Windows\\System32\\${text}'), so a bare file name never matches; ` +
          `did you mean ${field}|endswith: '\\${text}'?`,
      );
    }
  }
}

/** A string value compared as a whole: no leading or trailing wildcard, not empty. */
function exactString(v: RuleValue): SigmaString | undefined {
  if (v.kind !== 'string') return undefined;
  const parts = v.value.parts;
  if (parts.length === 0) return undefined;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (typeof first !== 'string' || typeof last !== 'string') return undefined;
  return v.value;
}

function display(s: SigmaString): string {
  return s.parts.map((p) => (p === MANY ? '*' : p === ONE ? '?' : p)).join('');
}

function commandLineMessage(field: string, text: string): string {
  const trimmed = text.trim();
  let why = `it matches only a command line that is exactly '${text}' (case-insensitive)`;
  if (trimmed !== text) {
    why += ', and with its leading or trailing space the value can never be a whole command line';
  } else if (/^[-/]/.test(trimmed)) {
    why += ', and the value looks like an argument, which is never a whole command line';
  } else if (/\s/.test(trimmed)) {
    why += ', not the same command with more arguments, other spacing or a full program path';
  } else {
    why += `, not '${trimmed} -ano' nor one naming the program by its path`;
  }
  return `${field}: '${text}' is an exact match on a command-line field: ${why}; did you mean ${field}|contains?`;
}

// ---------------------------------------------------------------------------
// Fields unknown for the logsource
// ---------------------------------------------------------------------------

function checkFields(doc: SigmaRule | SigmaFilter, items: LocatedItem[], table: FieldTable, out: Findings): void {
  const known = knownFields(table, doc.logsource, ruleEventIds(items));
  if (!known) return;
  const seen = new Set<string>();
  for (const { detection, item } of items) {
    const field = item.field;
    if (field === undefined || seen.has(field)) continue;
    seen.add(field);
    const legacy = legacySecurityField(doc, field);
    if (legacy) {
      out.notes.push(`legacy field '${field}' is read as '${legacy}' (the Event Viewer label of a Security-log field)`);
      continue;
    }
    const verdict = classifyField(table, known, field);
    if (verdict.kind === 'case') {
      out.notes.push(`${field} resolves to ${verdict.canonical} (field names compare case-insensitively)`);
    } else if (verdict.kind === 'unknown') {
      const where = table.source === 'built-in' ? '' : ` in ${table.source}`;
      out.warnings.push(
        `detection '${detection}': field '${field}' is not a known field of ${known.scope}${where}: ` +
          `the events documented for it do not carry it, so this test cannot match them` +
          (verdict.suggestion ? `; did you mean '${verdict.suggestion}'?` : ''),
      );
    }
  }
}

/** The EventID values a rule selects (anywhere), or undefined if it names none or some are not numbers. */
function ruleEventIds(items: LocatedItem[]): number[] | undefined {
  const ids: number[] = [];
  for (const { item } of items) {
    if (item.field?.toLowerCase() !== 'eventid') continue;
    if (item.modifiers.length > 0) return undefined;
    for (const v of item.values) {
      const n = v.kind === 'number' ? v.value : v.kind === 'string' ? Number(display(v.value)) : NaN;
      if (!Number.isInteger(n)) return undefined;
      ids.push(n);
    }
  }
  return ids.length > 0 ? ids : undefined;
}

// ---------------------------------------------------------------------------
// Detections the condition never uses
// ---------------------------------------------------------------------------

function checkUnusedDetections(doc: SigmaRule | SigmaFilter, out: Findings): void {
  const names = [...doc.detections.keys()];
  const used = referencedIdentifiers(doc.condition, names);
  for (const n of names) {
    if (!used.has(n)) out.warnings.push(`detection '${n}' is defined but the condition never uses it`);
  }
}

// ---------------------------------------------------------------------------
// ATT&CK references vs technique tags
// ---------------------------------------------------------------------------

const TECHNIQUE_URL = /attack\.mitre\.org\/techniques\/(T\d{4})(?:[/.](\d{3}))?/gi;
const TECHNIQUE_TAG = /^(?:attack\.)?(t\d{4}(?:\.\d{3})?)$/i;

function checkAttackReferences(rule: SigmaRule, out: Findings, documentLinks: readonly string[]): void {
  const tags = rule.meta.tags
    .map((t) => TECHNIQUE_TAG.exec(t.trim())?.[1].toUpperCase())
    .filter((t): t is string => t !== undefined);
  const refs = [...rule.meta.references, ...documentLinks.map((l) => `${l} (in the document around the rule)`)];
  for (const ref of refs) {
    for (const m of ref.matchAll(TECHNIQUE_URL)) {
      const id = m[1].toUpperCase() + (m[2] ? `.${m[2]}` : '');
      if (tags.some((t) => sameTechnique(t, id))) continue;
      const tagged = tags.length ? `the rule's technique tags are ${[...new Set(tags)].join(', ')}` : 'the rule has no ATT&CK technique tag';
      out.warnings.push(
        `reference ${ref} names technique ${id}, but ${tagged}: ` +
          `tag attack.${id.toLowerCase()} if the rule detects it, or fix the reference`,
      );
    }
  }
}

/** Equal, or one is the parent technique of the other (T1222 vs T1222.002). */
function sameTechnique(a: string, b: string): boolean {
  if (a === b) return true;
  const [pa, sa] = a.split('.');
  const [pb, sb] = b.split('.');
  return pa === pb && (sa === undefined || sb === undefined);
}
