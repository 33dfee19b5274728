/**
 * The batch topology: files → records → (prefilter) → parse → normalize →
 * detect → alerts. `vigil hunt` and the benchmark both run this.
 *
 *   readLogFile ──line(bytes)──▶ Detector.markCandidates ──no──▶ skip
 *                                      │yes
 *                                      ▼
 *               JSON.parse ─▶ normalizeObject ─▶ Detector.matchMarked ─▶ onAlert
 */
import type { Alert } from '../core/alert.js';
import type { CompiledRule } from '../detect/compile-rule.js';
import type { Detector } from '../detect/engine.js';
import { eventHost, eventTime, eventUser, normalizeObject, productOf } from '../normalize/index.js';
import type { FlatEvent } from '../normalize/flat-event.js';
import type { RecordSink } from '../sources/records.js';
import { NOT_A_LOG, readLogFile } from '../sources/read-file.js';
import { findEscapes, PositionCursor } from './json-escapes.js';

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

export interface HuntCallbacks {
  onAlert(alert: Alert): void;
  onError(file: string, message: string, record?: number): void;
  onProgress?(bytesDone: number): void;
}

export class Hunt {
  readonly stats: HuntStats = { files: 0, skippedFiles: 0, events: 0, parsed: 0, alerts: 0, bytes: 0, errors: 0, alertsByRule: new Map() };
  /** Per chunk of JSON lines: where escapes and needle hits are. */
  private chunkBuf?: Buffer;
  private everyLine = false;
  private readonly lineEscapes: number[] = [];
  private readonly escapes = new PositionCursor();
  private readonly hits = new PositionCursor();

  constructor(
    private readonly detector: Detector,
    private readonly cb: HuntCallbacks,
    /** When false, every line is parsed and every rule evaluated (for measuring the prefilter). */
    private readonly prefilter = true,
  ) {}

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

  sinkFor(file: string): RecordSink {
    return {
      chunk: (buf, start, end) => this.prepareChunk(buf, start, end),
      line: (buf, start, end, record) => {
        this.stats.events++;
        if (!this.isCandidate(buf, start, end)) return;
        let obj: unknown;
        try {
          obj = JSON.parse(buf.toString('utf8', start, end));
        } catch (e) {
          this.error(file, `invalid JSON: ${(e as Error).message}`, record);
          return;
        }
        this.evaluate(obj, file, record);
      },
      object: (obj, record) => {
        this.stats.events++;
        this.detector.markAll();
        this.evaluate(obj, file, record);
      },
      error: (message, record) => this.error(file, message, record),
    };
  }

  /**
   * With a small rule set, one native pass over the whole chunk finds the
   * lines holding a needle or an escape; the others are skipped unread.
   */
  private prepareChunk(buf: Buffer, start: number, end: number): void {
    this.chunkBuf = buf;
    const filter = this.detector.chunkFilter;
    this.everyLine = !this.prefilter || this.detector.needlelessCount > 0 || filter === null;
    const hits: number[] = [];
    if (!this.everyLine) filter!.findLines(buf, start, end, hits);
    this.hits.reset(hits);
    // Escapes by native search: folding them into the RE2 pattern halves its speed.
    const escapes: number[] = [];
    if (this.prefilter) findEscapes(buf, start, end, escapes);
    this.escapes.reset(escapes);
  }

  /** Whether a raw line may concern any rule; marks the rules it may concern. */
  private isCandidate(buf: Buffer, start: number, end: number): boolean {
    if (!this.prefilter) {
      this.detector.markAll();
      return true;
    }
    let escaped: boolean;
    if (buf === this.chunkBuf) {
      escaped = this.escapes.any(start, end);
      if (!escaped && !this.everyLine && !this.hits.any(start, end)) return false;
    } else {
      this.lineEscapes.length = 0;
      findEscapes(buf, start, end, this.lineEscapes);
      escaped = this.lineEscapes.length > 0;
    }
    if (escaped) {
      // Escaped text is invisible to byte needles: let every rule look.
      this.detector.markAll();
      return true;
    }
    return this.detector.markCandidates(buf, start, end);
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
    const matched = this.detector.matchMarked(ev);
    for (const r of matched) this.emit(r, ev, obj, file, record);
  }

  private emit(r: CompiledRule, ev: FlatEvent, obj: unknown, file: string, record: number): void {
    const m = r.rule.meta;
    this.stats.alerts++;
    const key = m.id ?? m.title;
    const entry = this.stats.alertsByRule.get(key);
    if (entry) entry.count++;
    else this.stats.alertsByRule.set(key, { title: m.title, level: m.level, count: 1 });
    this.cb.onAlert({
      rule: { id: m.id, title: m.title, level: m.level, tags: m.tags },
      time: eventTime(ev),
      host: eventHost(ev),
      user: eventUser(ev),
      source: { file, record },
      event: obj,
    });
  }

  private error(file: string, message: string, record?: number): void {
    this.stats.errors++;
    this.cb.onError(file, message, record);
  }
}
