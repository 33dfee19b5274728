/**
 * The batch topology: files → records → (prefilter) → parse → normalize →
 * detect → alerts. `vigil hunt` and the benchmark both run this.
 *
 *   readLogFile ──chunk/line(bytes)──▶ LinePrefilter.admit ──no──▶ counted, skipped
 *                                             │yes (rules marked)
 *                                             ▼
 *   JSON.parse ─▶ productOf: no marked rule for it? skip ─▶ normalizeObject ─▶ Detector.matchMarked ─▶ onAlert
 *
 *   EVTX record, undecoded ─▶ gateEvtx: Provider/EventID/Channel → no rule for it? skip
 *                           └▶ needle scan over its values' text → none? skip ─▶ decode ─▶ normalizeObject ─▶ …
 *   decoded EVTX record the gate could not judge ─▶ logsourceHint ─▶ JSON text ─▶ LinePrefilter.admit ─▶ (as above)
 */
import type { Alert } from '../core/alert.js';
import type { CompiledRule } from '../detect/compile-rule.js';
import type { Detector } from '../detect/engine.js';
import { eventHost, eventTime, eventUser, logsourceHint, normalizeObject, productOf, systemLogsourceHint } from '../normalize/index.js';
import type { FlatEvent } from '../normalize/flat-event.js';
import type { RecordSink } from '../sources/records.js';
import { NOT_A_LOG, readLogFile } from '../sources/read-file.js';
import { LinePrefilter } from '../detect/line-prefilter.js';
import type { CorrelationEngine } from '../correlate/engine.js';
import type { CorrelationAlert, CorrelationInput } from '../correlate/types.js';
import { readEvtxRangeRecords, type RawEvtxRecord } from '../sources/evtx/index.js';
import type { EventLogsource, FieldValue } from '../core/event.js';

export interface HuntStats {
  files: number;
  /** Files found in folders that hold no recognizable log (README, LICENSE, …), skipped quietly. */
  skippedFiles: number;
  /** Records seen (lines or objects), parsed or not. */
  events: number;
  /** Records fully parsed (the rest were ruled out by the prefilter). */
  parsed: number;
  alerts: number;
  bytes: number;
  errors: number;
  alertsByRule: Map<string, { title: string; level?: string; count: number }>;
}

/** What a hunt needs of the correlation stage: the engine itself, or a stand-in that forwards matches to it. */
export type CorrelationTarget = Pick<CorrelationEngine, 'wants' | 'fieldsFor' | 'push' | 'isSilent' | 'flush'>;

/** One share of the work done elsewhere (a worker thread): what it found, to be taken in as if found here. */
export interface RemoteResult {
  events: number;
  parsed: number;
  alerts: Alert[];
  errors: { message: string; record?: number }[];
  /** Correlation inputs with their fields looked up already. */
  matches: { refs: string[]; time: number; fields: [string, FieldValue | undefined][]; source: CorrelationInput['source'] }[];
}

export interface HuntCallbacks {
  onAlert(alert: Alert): void;
  onError(file: string, message: string, record?: number): void;
  onProgress?(bytesDone: number): void;
}

export class Hunt {
  readonly stats: HuntStats = { files: 0, skippedFiles: 0, events: 0, parsed: 0, alerts: 0, bytes: 0, errors: 0, alertsByRule: new Map() };
  private readonly prefilter: LinePrefilter;
  private readonly prefilterOn: boolean;

  constructor(
    private readonly detector: Detector,
    private readonly cb: HuntCallbacks,
    /** When false, every line is parsed and every rule evaluated (for measuring or checking the prefilter). */
    prefilter = true,
    /** Correlation rules over the matches; fed in event-time order, flushed by finish(). */
    private readonly correlations?: CorrelationTarget,
  ) {
    this.prefilter = new LinePrefilter(detector, prefilter);
    this.prefilterOn = prefilter;
  }

  /** End of input: correlations process what they still hold. */
  finish(): void {
    this.correlations?.flush();
  }

  /** Turns a correlation result into an alert (the engine calls this through the hunt command). */
  emitCorrelation(a: CorrelationAlert): void {
    const m = a.correlation.meta;
    this.count(m.id ?? m.title, m.title, m.level);
    const iso = (t: number): string => new Date(t).toISOString();
    const last = a.events[a.events.length - 1];
    this.cb.onAlert({
      rule: { id: m.id, title: m.title, level: m.level, tags: m.tags },
      time: iso(a.window.end),
      // Unix correlations group by host.name, Windows ones by Computer, Zeek ones by the originating address.
      host: groupText(a.group, 'Computer', 'host.name', 'Hostname', 'id.orig_h'),
      user: groupText(a.group, 'User', 'user.name'),
      source: { file: last?.file ?? '', record: last?.record ?? 0 },
      event: null,
      correlation: {
        type: a.correlation.correlationType,
        group: a.group,
        window: { start: iso(a.window.start), end: iso(a.window.end) },
        value: a.value,
        events: a.events.map((e) => ({ file: e.file, record: e.record, rule: e.rule, time: e.time === undefined ? undefined : iso(e.time) })),
      },
    });
  }

  /** Reads one file. A file found in a folder that is not a log at all is skipped without an error. */
  async runFile(path: string, size: number, explicit = true): Promise<void> {
    const base = this.stats.bytes;
    const sink = this.sinkFor(path);
    sink.progress = (b) => this.cb.onProgress?.(base + Math.min(b, size));
    if (!explicit) {
      const original = sink.error;
      sink.error = (message, record, offset) => {
        if (!message.startsWith(NOT_A_LOG)) original(message, record, offset);
      };
    }
    const format = await readLogFile(path, sink);
    if (format === 'unknown' && !explicit) this.stats.skippedFiles++;
    else this.stats.files++;
    this.stats.bytes = base + size;
    this.cb.onProgress?.(this.stats.bytes);
  }

  /**
   * Chunk slots [first, end) of one EVTX file (a worker's share); counts
   * events but not the file. False when the range cannot be decoded alone
   * (see readEvtxRange): whatever it reported and counted must then be
   * discarded by the caller (the worker posts it as incomplete).
   */
  runEvtxRange(path: string, first: number, end: number): boolean {
    return !readEvtxRangeRecords(path, first, end, this.sinkFor(path)).incomplete;
  }

  /** Takes in a share of a file decoded and evaluated elsewhere, in the order the shares come. */
  absorb(file: string, r: RemoteResult): void {
    this.stats.events += r.events;
    this.stats.parsed += r.parsed;
    for (const e of r.errors) this.error(file, e.message, e.record);
    for (const m of r.matches) {
      const fields = new Map(m.fields);
      this.correlations?.push({ refs: m.refs, time: m.time, get: (f) => fields.get(f.toLowerCase()), source: m.source });
    }
    for (const a of r.alerts) {
      this.count(a.rule.id ?? a.rule.title, a.rule.title, a.rule.level);
      this.cb.onAlert(a);
    }
  }

  /** A file whose shares were all absorbed. */
  fileDone(size: number): void {
    this.stats.files++;
    this.stats.bytes += size;
    this.cb.onProgress?.(this.stats.bytes);
  }

  sinkFor(file: string): RecordSink {
    return {
      chunk: (buf, start, end) => this.prefilter.chunk(buf, start, end),
      line: (buf, start, end, record) => {
        this.stats.events++;
        if (!this.prefilter.admit(buf, start, end)) return;
        let obj: unknown;
        try {
          obj = JSON.parse(buf.toString('utf8', start, end));
        } catch (e) {
          this.error(file, `invalid JSON: ${(e as Error).message}`, record);
          return;
        }
        this.evaluateSafely(obj, file, record);
      },
      object: (obj, record, judged) => {
        this.stats.events++;
        if (judged === true && this.premarked) {
          this.evaluateSafely(obj, file, record);
          return;
        }
        try {
          if (!this.admitObject(obj)) return;
        } catch (e) {
          this.error(file, `record could not be evaluated: ${(e as Error).message}`, record);
          return;
        }
        this.evaluateSafely(obj, file, record);
      },
      error: (message, record) => this.error(file, message, record),
      evtxGate: (raw) => this.gateEvtx(raw),
    };
  }

  /** Logsources by identity object (the EVTX reader hands the same object to records whose identity repeats). */
  private readonly hints = new WeakMap<object, EventLogsource>();
  /** Whether the EVTX gate marked the rules of the record about to be decoded (see object()). */
  private premarked = false;

  /**
   * An EVTX record before it is decoded: its logsource from Provider, EventID
   * and Channel alone (no rule for it: skipped), then the needle scan over its
   * values' JSON text straight from the chunk (no needle: skipped). Same
   * answers as admitObject on the decoded record, without decoding the
   * records no rule can use. True, without marks, when the record cannot be
   * judged this way (admitObject then judges it decoded).
   */
  private gateEvtx(raw: RawEvtxRecord): boolean {
    this.premarked = false;
    if (!this.prefilterOn) return true;
    const sys = raw.identity();
    if (sys === undefined) return true;
    let hint = this.hints.get(sys);
    if (hint === undefined) {
      hint = systemLogsourceHint(sys);
      this.hints.set(sys, hint);
    }
    if (!this.detector.admitsAny(hint)) {
      this.stats.events++;
      return false;
    }
    const verdict = this.detector.markValuesForLogsource(hint, (sink) => raw.scanValues(sink));
    if (verdict === undefined) return true;
    if (!verdict) {
      this.stats.events++;
      return false;
    }
    this.premarked = true;
    return true;
  }

  /**
   * An already-decoded event (EVTX) gets the prefilter JSON lines get: first
   * its logsource (no rule for it: done), then the needle scan over its JSON
   * text — the text a JSON line of the same event would hold, so the
   * prefilter's soundness carries over. Other objects: every rule marked.
   */
  private admitObject(obj: unknown): boolean {
    const hint = logsourceHint(obj);
    if (hint === undefined || !this.prefilterOn) {
      this.detector.markAll();
      return true;
    }
    if (!this.detector.admitsAny(hint)) return false;
    const text = Buffer.from(JSON.stringify(obj));
    return this.prefilter.admitWithLogsource(hint, text, 0, text.length);
  }

  /**
   * One record that breaks something downstream (a value no code path
   * expected) is reported with its number; the file's other records still
   * go through. Without this, the exception would end the file's reader.
   */
  private evaluateSafely(obj: unknown, file: string, record: number): void {
    try {
      this.evaluate(obj, file, record);
    } catch (e) {
      this.error(file, `record could not be evaluated: ${(e as Error).message}`, record);
    }
  }

  private evaluate(obj: unknown, file: string, record: number): void {
    this.stats.parsed++;
    const product = productOf(obj);
    if (product !== undefined && !this.detector.markedMayApplyTo(product)) return;
    let ev: FlatEvent;
    try {
      ev = normalizeObject(obj);
    } catch (e) {
      this.error(file, `cannot normalize: ${(e as Error).message}`, record);
      return;
    }
    if (ev.problems) for (const p of ev.problems) this.error(file, p, record);
    const matched = this.detector.matchMarked(ev);
    for (const r of matched) this.emit(r, ev, obj, file, record);
  }

  private emit(r: CompiledRule, ev: FlatEvent, obj: unknown, file: string, record: number): void {
    const m = r.rule.meta;
    const time = eventTime(ev);
    const refs = r.refs;
    const corr = this.correlations;
    if (corr && corr.wants(refs)) {
      // Keep only the fields the correlations read, not the event.
      const fields = new Map<string, FieldValue | undefined>();
      for (const f of corr.fieldsFor(refs)) fields.set(f.toLowerCase(), ev.get(f.toLowerCase()));
      corr.push({
        refs,
        time: time === undefined ? NaN : Date.parse(time),
        get: (f) => fields.get(f.toLowerCase()),
        source: { file, record, rule: m.title },
      });
      if (corr.isSilent(refs)) return;
    }
    this.count(m.id ?? m.title, m.title, m.level);
    this.cb.onAlert({
      rule: { id: m.id, title: m.title, level: m.level, tags: m.tags },
      time,
      host: eventHost(ev),
      user: eventUser(ev),
      source: { file, record },
      event: obj,
    });
  }

  private count(key: string, title: string, level?: string): void {
    this.stats.alerts++;
    const entry = this.stats.alertsByRule.get(key);
    if (entry) entry.count++;
    else this.stats.alertsByRule.set(key, { title, level, count: 1 });
  }

  private error(file: string, message: string, record?: number): void {
    this.stats.errors++;
    this.cb.onError(file, message, record);
  }
}

/** A group-by value by field name (case-insensitive, as Sigma field names are), when it is text. */
function groupText(group: Record<string, FieldValue | null>, ...names: string[]): string | undefined {
  for (const name of names) {
    for (const [k, v] of Object.entries(group)) if (k.toLowerCase() === name.toLowerCase() && typeof v === 'string') return v;
  }
  return undefined;
}
