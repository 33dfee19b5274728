/**
 * The detector: every rule compiled once, indexed so an event meets only
 * rules that could match it.
 *
 *   raw line ──NeedleScanner──▶ rules with a trigger needle hit ──formula──▶ marked rules
 *        │ none marked → skipped, never parsed
 *        ▼
 *   parse + normalize ──logsource index──▶ marked ∩ logsource ──▶ match()
 *
 * With needle-less rules (every line is parsed anyway) marking waits for the
 * parse and uses the logsource group's own, smaller automaton instead.
 */
import type { EventLogsource, SigmaEvent } from '../core/event.js';
import { SigmaError } from '../sigma/errors.js';
import type { SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from '../sigma/model.js';
import type { CompileOptions } from './compile-item.js';
import { applyFilter, compileRule, type CompiledRule } from './compile-rule.js';
import { logsourceAdmits } from './logsource-match.js';
import { ruleNeedles, type DerivedPolicy, type DerivedPolicyByProduct } from './needles.js';
import { NeedleScanner } from './prefilter.js';
import { formulaHolds, formulaNeedleIds, ruleFormula, type Formula } from './needle-formula.js';
import { GroupScanner, groupNeedleIds } from './group-scanner.js';
import { CHUNK_FILTER_MAX_NEEDLES, ChunkFilter } from './chunk-filter.js';
import { JsonTextScan } from './json-text-scan.js';
import { ruleEventIds, type EventIds } from './event-ids.js';
import type { JsonTextSink } from '../core/json-text.js';

export interface DetectorOptions extends CompileOptions {
  /**
   * Normalization's derived fields, so needles are not taken from composed
   * values: one policy for every rule, or one per rule's logsource product.
   */
  derived?: DerivedPolicy | DerivedPolicyByProduct;
  /**
   * Raw texts every event of a logsource holds (its routing values, as
   * needles are written): needles found in them select nothing, so a rule
   * takes them only when it has no others (needles.ts).
   */
  implied?: (logsource: SigmaRule['logsource']) => readonly string[];
}

/** An event's EventID as the integer a rule's EventID values are compared with; undefined when it is not one. */
function integerEventId(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v)) return Number(v);
  return undefined;
}

export class Detector {
  readonly rules: CompiledRule[] = [];
  readonly errors: SigmaError[] = [];
  readonly correlations: SigmaCorrelation[] = [];
  /** Rules with no required literal: they see every event. */
  private needleless: number[] = [];
  private scanner: NeedleScanner | null = null;
  /** Whole-chunk line filter, for rule sets with few enough needles. */
  chunkFilter: ChunkFilter | null = null;
  private needleRules: number[][] = [];
  /** Needle texts by id, and each rule's trigger needle ids (for group scanners). */
  private needleTexts: string[] = [];
  private triggers: number[][] = [];
  /** Per logsource group (forLogsource's cached array): its scanner, or null for the full one. */
  private readonly groupScanners = new Map<readonly number[], GroupScanner | null>();
  /** The line whose marking waits until its logsource is known (deferMarking). */
  private deferred: Uint8Array | undefined;
  private deferredStart = 0;
  private deferredEnd = 0;
  /** Per rule: the EventIDs it can match, or null for any (event-ids.ts). */
  private eventIds: EventIds[] = [];
  /** Per rule: its whole raw-text precondition (needle-formula.ts), and the needle ids it reads. */
  private formulas: Formula[] = [];
  private formulaIds: number[][] = [];
  /** Whether the full scanner looks for the formulas' needles too (then its marks are pruned by them). */
  private fullPrunes = true;
  /** seen[needleId] === generation when the needle occurs in the current line. */
  private seen = new Int32Array(0);
  private readonly stamp: Int32Array;
  private generation = 1;
  /** Rules marked by the last markCandidates, and whether markAll was used instead. */
  private readonly marked: number[] = [];
  private allMarked = false;
  private readonly byLogsource = new Map<string, number[]>();
  /** Each rule's product, lower-cased (built on first use). */
  private products?: (string | undefined)[];

  constructor(documents: readonly SigmaDocument[], opts: DetectorOptions = {}) {
    const filters: SigmaFilter[] = [];
    for (const doc of documents) {
      if (doc.type === 'filter') filters.push(doc);
      else if (doc.type === 'correlation') this.correlations.push(doc);
      else this.add(doc, opts);
    }
    for (const f of filters) this.attachFilter(f, opts);
    this.stamp = new Int32Array(this.rules.length);
    this.eventIds = this.rules.map((r) => ruleEventIds(r.rule));
    this.buildPrefilter(opts.derived ?? new Map(), opts.implied ?? (() => []));
  }

  private add(rule: SigmaRule, opts: CompileOptions): void {
    try {
      this.rules.push(compileRule(rule, opts));
    } catch (e) {
      if (e instanceof SigmaError) this.errors.push(e);
      else this.errors.push(new SigmaError(String(e), { file: rule.file, rule: rule.meta.title }));
    }
  }

  private attachFilter(f: SigmaFilter, opts: CompileOptions): void {
    const wanted = new Set(f.rules);
    let applied = 0;
    for (let i = 0; i < this.rules.length; i++) {
      const m = this.rules[i].rule.meta;
      if ((m.id && wanted.has(m.id)) || (m.name && wanted.has(m.name))) {
        try {
          this.rules[i] = applyFilter(this.rules[i], f, opts);
          applied++;
        } catch (e) {
          if (e instanceof SigmaError) this.errors.push(e);
          return;
        }
      }
    }
    if (applied === 0 && wanted.size > 0) {
      this.errors.push(new SigmaError(`filter names no loaded rule (${[...wanted].join(', ')})`, { file: f.file, rule: f.meta.title }));
    }
  }

  private buildPrefilter(derivedOpt: DerivedPolicy | DerivedPolicyByProduct, implied: (ls: SigmaRule['logsource']) => readonly string[]): void {
    const policyOf = (r: CompiledRule): DerivedPolicy =>
      typeof derivedOpt === 'function' ? derivedOpt(r.rule.logsource.product) : derivedOpt;
    const ids = new Map<string, number>();
    const idOf = (n: string): number => {
      let id = ids.get(n);
      if (id === undefined) {
        id = ids.size;
        ids.set(n, id);
        this.needleRules.push([]);
      }
      return id;
    };
    // Trigger needles first: the chunk filter looks only for these.
    this.rules.forEach((r, idx) => {
      const needles = ruleNeedles(r.rule, policyOf(r), implied(r.rule.logsource));
      if (needles === null) {
        this.needleless.push(idx);
        return;
      }
      for (const n of needles) this.needleRules[idOf(n)].push(idx);
    });
    const triggers = [...ids.keys()];
    this.triggers = this.rules.map(() => []);
    this.needleRules.forEach((rules, id) => rules.forEach((r) => this.triggers[r].push(id)));
    // Then each triggered rule's whole precondition, which may name more needles.
    this.formulas = this.rules.map((r) => ruleFormula(r.rule, policyOf(r), idOf));
    this.formulaIds = this.formulas.map((f) => [...formulaNeedleIds(f)]);
    this.seen = new Int32Array(ids.size);
    this.needleTexts = [...ids.keys()];
    // With needle-less rules the full scanner cannot save a parse, and the
    // formulas' extra needles only slow it (measured: 2,535 Windows rules,
    // 15,828 → 20,255 needles): it looks for trigger needles (ids first) only.
    // A logsource group without needle-less rules still prunes, in its own scanner.
    this.fullPrunes = this.needleless.length === 0;
    this.scanner = new NeedleScanner(this.fullPrunes ? this.needleTexts : triggers);
    if (triggers.length > 0 && triggers.length <= CHUNK_FILTER_MAX_NEEDLES) this.chunkFilter = new ChunkFilter(triggers);
  }

  /** Number of rules without a usable literal (they defeat the prefilter). */
  get needlelessCount(): number {
    return this.needleless.length;
  }

  /** Every needle's raw text (for inspection: which literals the rules were given). */
  get needles(): readonly string[] {
    return this.needleTexts;
  }

  get needleCount(): number {
    return this.scanner?.needleCount ?? 0;
  }

  /**
   * Marks the rules whose needles occur in raw[start, end). Returns false when
   * no rule can match, so the caller may skip parsing the line.
   */
  markCandidates(raw: Uint8Array, start: number, end: number): boolean {
    this.nextGeneration();
    this.scanner!.scan(raw, start, end, this.onNeedle);
    if (this.fullPrunes) this.pruneByFormulas();
    return this.marked.length > 0 || this.needleless.length > 0;
  }

  /** A trigger hit is necessary, not sufficient: drops marked rules whose whole precondition fails on this text. */
  private pruneByFormulas(): void {
    this.keepMarks(null, true);
  }

  /**
   * Unmarks the marked rules outside `member` (when given) and, with
   * `prunes`, those whose formula fails on the text just scanned.
   */
  private keepMarks(member: Uint8Array | null, prunes: boolean): void {
    const marked = this.marked;
    const seen = this.seen;
    const gen = this.generation;
    let kept = 0;
    for (let i = 0; i < marked.length; i++) {
      const idx = marked[i];
      if ((member === null || member[idx] === 1) && (!prunes || formulaHolds(this.formulas[idx], seen, gen))) marked[kept++] = idx;
      else this.stamp[idx] = 0;
    }
    marked.length = kept;
  }

  /** One needle occurrence: note it, and mark its trigger rules the first time. Made once, not per line. */
  private readonly onNeedle = (id: number): void => {
    const gen = this.generation;
    if (this.seen[id] === gen) return;
    this.seen[id] = gen;
    const rules = this.needleRules[id];
    for (let i = 0; i < rules.length; i++) {
      if (this.stamp[rules[i]] !== gen) {
        this.stamp[rules[i]] = gen;
        this.marked.push(rules[i]);
      }
    }
  };

  private nextGeneration(): void {
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.seen.fill(0);
      this.generation = 1;
    }
    this.allMarked = false;
    this.deferred = undefined;
    this.marked.length = 0;
  }

  /**
   * With needle-less rules every line is parsed anyway, so scanning before the
   * parse cannot skip a line; marking then waits until the event's logsource
   * is known, and scans with that group's small automaton (group-scanner.ts).
   */
  get marksAfterParse(): boolean {
    return this.needleless.length > 0;
  }

  /** Defers marking for the line raw[start, end) to matchMarked (see marksAfterParse). */
  deferMarking(raw: Uint8Array, start: number, end: number): void {
    this.nextGeneration();
    // Three fields, not an object: no allocation per line.
    this.deferred = raw;
    this.deferredStart = start;
    this.deferredEnd = end;
  }

  /**
   * A group's own automaton. A group without needle-less rules can save a
   * parse (or a decode) by its formulas, so its automaton holds their needles
   * too and its marks are pruned; one with them is parsed anyway and looks for
   * trigger needles only.
   */
  private groupScanner(group: readonly number[]): GroupScanner | null {
    let gs = this.groupScanners.get(group);
    if (gs === undefined) {
      const prunes = !group.some((idx) => this.isNeedleless(idx));
      const ids = groupNeedleIds(group, prunes ? (r) => [...this.triggers[r], ...this.formulaIds[r]] : (r) => this.triggers[r]);
      gs = ids === null ? null : new GroupScanner(ids, this.needleTexts, prunes);
      this.groupScanners.set(group, gs);
    }
    return gs;
  }

  /** Marks the group's rules whose needles occur in raw[start, end); see keepGroupMarks for the answer. */
  private markForGroup(group: readonly number[], raw: Uint8Array, start: number, end: number): boolean {
    const gs = this.groupScanner(group);
    if (gs === null) this.markCandidates(raw, start, end);
    else {
      this.nextGeneration();
      gs.scan(raw, start, end, this.onNeedle);
    }
    return this.keepGroupMarks(group, gs !== null && gs.prunes);
  }

  /** Marks every rule (for text the prefilter cannot judge, e.g. with \u escapes). */
  markAll(): void {
    this.generation++;
    this.stamp.fill(this.generation);
    this.allMarked = true;
    this.deferred = undefined;
  }

  /**
   * Whether any rule marked for the current line (or any needle-less rule)
   * could apply to an event of this product. False lets the caller skip
   * normalizing a line whose only needle hits belong to other platforms' rules.
   */
  markedMayApplyTo(product: string): boolean {
    if (this.allMarked || this.deferred !== undefined || this.needleless.length > 0) return true;
    this.products ??= this.rules.map((r) => r.rule.logsource.product?.toLowerCase());
    for (const idx of this.marked) {
      const p = this.products[idx];
      if (p === undefined || p === product) return true;
    }
    return false;
  }

  /** Rules that match the event, among those marked by the last markCandidates/markAll. */
  matchMarked(ev: SigmaEvent): CompiledRule[] {
    const group = this.forLogsource(ev);
    const d = this.deferred;
    if (d !== undefined) this.markForGroup(group, d, this.deferredStart, this.deferredEnd);
    const out: CompiledRule[] = [];
    const gen = this.generation;
    for (const idx of group) {
      if (this.stamp[idx] !== gen && !this.isNeedleless(idx)) continue;
      if (this.rules[idx].match(ev)) out.push(this.rules[idx]);
    }
    return out;
  }

  private matchAll(ev: SigmaEvent, group: readonly number[]): CompiledRule[] {
    const out: CompiledRule[] = [];
    for (const idx of group) if (this.rules[idx].match(ev)) out.push(this.rules[idx]);
    return out;
  }

  /** Rules that match the event (no prefilter). */
  match(ev: SigmaEvent): CompiledRule[] {
    return this.matchAll(ev, this.forLogsource(ev));
  }

  private needlelessSet?: Uint8Array;
  private isNeedleless(idx: number): boolean {
    if (!this.needlelessSet) {
      this.needlelessSet = new Uint8Array(this.rules.length);
      for (const i of this.needleless) this.needlelessSet[i] = 1;
    }
    return this.needlelessSet[idx] === 1;
  }

  /**
   * Marks, for an event whose logsource is known before its parse (at least
   * as broad as the normalized one), the rules of that logsource whose
   * needles occur in raw[start, end) — with the group's own small automaton.
   * False when none of them (and no needle-less rule) can match.
   */
  markForLogsource(ls: EventLogsource, raw: Uint8Array, start: number, end: number): boolean {
    const group = this.rulesForHint(ls);
    if (group.length === 0) return false;
    return this.markForGroup(group, raw, start, end);
  }

  /**
   * After marking for a group: whether any marked rule of the group itself,
   * or any needle-less rule of it, can match. A needle marks every rule it
   * triggers, other groups' rules too; those are unmarked here, and with
   * `prunes` (the scan looked for every needle of the group's formulas) so
   * are the group's rules whose formula fails.
   */
  private keepGroupMarks(group: readonly number[], prunes: boolean): boolean {
    if (this.allMarked) return true;
    this.keepMarks(this.membersOf(group), prunes);
    if (this.marked.length > 0) return true;
    for (const idx of group) if (this.isNeedleless(idx)) return true;
    return false;
  }

  private readonly textScan = new JsonTextScan();
  /** Per logsource group: which rules are in it (one byte per rule). */
  private readonly members = new Map<readonly number[], Uint8Array>();

  private membersOf(group: readonly number[]): Uint8Array {
    let m = this.members.get(group);
    if (m === undefined) {
      m = new Uint8Array(this.rules.length);
      for (const idx of group) m[idx] = 1;
      this.members.set(group, m);
    }
    return m;
  }

  /**
   * markForLogsource for an event whose JSON text comes value by value (an
   * EVTX record read from its buffers): `feed` hands each value to the sink,
   * or returns false when it cannot — then nothing stays marked and the
   * answer is undefined (the caller builds the text instead).
   */
  markValuesForLogsource(ls: EventLogsource, feed: (sink: JsonTextSink) => boolean): boolean | undefined {
    const group = this.rulesForHint(ls);
    if (group.length === 0) return false;
    const gs = this.groupScanner(group);
    this.nextGeneration();
    const scan = this.textScan;
    if (gs === null) scan.reset(this.scanner!, this.onNeedle);
    else scan.reset(gs.needles, gs.begin(this.onNeedle));
    if (!feed(scan)) {
      this.nextGeneration();
      return undefined;
    }
    if (scan.escaped) {
      this.markAll();
      return true;
    }
    if (gs === null && this.fullPrunes) this.pruneByFormulas();
    return this.keepGroupMarks(group, gs !== null && gs.prunes);
  }

  /** Whether any rule's logsource admits events of this logsource. */
  admitsAny(ls: EventLogsource): boolean {
    return this.rulesForHint(ls).length > 0;
  }

  /**
   * The rules that can match the event: its logsource's group, without the
   * rules whose condition names other EventIDs than the event's own
   * (event-ids.ts) — a smaller group to scan for and to evaluate.
   */
  private forLogsource(ev: SigmaEvent): number[] {
    const group = this.rulesFor(ev.logsource);
    const id = integerEventId(ev.get('eventid'));
    return id === undefined ? group : this.withEventId(group, id);
  }

  /**
   * Subgroups by EventID, per group; a group none of whose rules names an
   * EventID is its own subgroup. Every EventID no rule of the group names
   * shares one subgroup (the rules open to any EventID): a log of ever-new
   * EventIDs builds no new automata.
   */
  private readonly byEventId = new Map<readonly number[], { named: Set<number>; subgroups: Map<number, number[]>; unnamed: number[] } | null>();

  private withEventId(group: number[], id: number): number[] {
    let cut = this.byEventId.get(group);
    if (cut === undefined) {
      const named = new Set<number>();
      for (const idx of group) this.eventIds[idx]?.forEach((n) => named.add(n));
      cut = named.size === 0 ? null : { named, subgroups: new Map(), unnamed: group.filter((idx) => this.eventIds[idx] === null) };
      this.byEventId.set(group, cut);
    }
    if (cut === null) return group;
    if (!cut.named.has(id)) return cut.unnamed;
    let sub = cut.subgroups.get(id);
    if (sub === undefined) {
      sub = group.filter((idx) => this.eventIds[idx] === null || this.eventIds[idx]!.has(id));
      cut.subgroups.set(id, sub);
    }
    return sub;
  }

  /** Rule groups by logsource object, for hints (logsourceHint gives one shared object per logsource). */
  private readonly byHintObject = new WeakMap<EventLogsource, number[]>();

  /** The group of a hint: as forLogsource's, by the EventID the hint carries when it has one. */
  private rulesForHint(ls: EventLogsource): number[] {
    let list = this.byHintObject.get(ls);
    if (list === undefined) {
      list = this.rulesFor(ls);
      if (ls.eventId !== undefined) list = this.withEventId(list, ls.eventId);
      this.byHintObject.set(ls, list);
    }
    return list;
  }

  /** Rule indexes whose logsource admits the event's, cached per distinct logsource. */
  private rulesFor(ls: EventLogsource): number[] {
    const key = `${ls.product ?? ''}|${ls.service ?? ''}|${ls.categories.join(',')}`;
    let list = this.byLogsource.get(key);
    if (!list) {
      list = [];
      for (let i = 0; i < this.rules.length; i++) if (logsourceAdmits(this.rules[i].rule.logsource, ls)) list.push(i);
      this.byLogsource.set(key, list);
    }
    return list;
  }
}
