/**
 * Decides, from raw bytes, whether a JSON line can concern any rule — and
 * which rules — before anything is decoded.
 *
 *   chunk(buf) ─▶ RE2 pass: lines holding a needle or an escape (small rule sets)
 *              └▶ otherwise native search: lines holding \u or \/ (escaped text hides from byte needles)
 *   admit(line) ─▶ no hit, no escape ─▶ false (skip the line)
 *               ├▶ escape            ─▶ every rule marked
 *               ├▶ needle-less rules, logsource readable from the bytes (raw-logsource.ts)
 *               │                    ─▶ that logsource's rules scanned for; none can match ─▶ false
 *               └▶ hit               ─▶ NeedleScanner marks the rules whose needles occur
 *                                        (and whose needle formula holds); if none of them can
 *                                        apply to Windows and the line certainly is a Windows
 *                                        event (raw-product.ts) ─▶ false
 */
import type { Detector } from './engine.js';
import type { EventLogsource } from '../core/event.js';
import { findEscapes, PositionCursor } from './json-escapes.js';
import { rawIsWindows } from '../normalize/raw-product.js';
import { rawWindowsHint } from '../normalize/raw-logsource.js';

/** The product productOf gives Windows events. */
const WINDOWS = 'windows';

export class LinePrefilter {
  private chunkBuf?: Buffer;
  /** The chunk filter is off (large rule set, needle-less rules): every line goes to the scanner. */
  private everyLine = false;
  private readonly hits = new PositionCursor();
  private readonly escapes = new PositionCursor();
  private readonly lineEscapes: number[] = [];

  constructor(
    private readonly detector: Detector,
    /** When false, every line is admitted with every rule marked (to measure or check the prefilter). */
    private readonly enabled = true,
  ) {}

  /** The lines that follow lie in buf[start, end): scan the region once. */
  chunk(buf: Buffer, start: number, end: number): void {
    this.chunkBuf = buf;
    const filter = this.detector.chunkFilter;
    this.everyLine = !this.enabled || this.detector.needlelessCount > 0 || filter === null;
    const hits: number[] = [];
    const escapes: number[] = [];
    // The chunk filter also stops at escapes (chunk-filter.ts), so with it
    // only hit lines need the exact escape search; without it, search the chunk.
    if (!this.everyLine) filter!.findLines(buf, start, end, hits);
    else if (this.enabled) findEscapes(buf, start, end, escapes);
    this.hits.reset(hits);
    this.escapes.reset(escapes);
  }

  /**
   * As admit, for the JSON text of an event whose logsource is known before
   * normalization (a decoded EVTX record): only that logsource's rules are
   * scanned for.
   */
  admitWithLogsource(ls: EventLogsource, buf: Buffer, start: number, end: number): boolean {
    if (!this.enabled) {
      this.detector.markAll();
      return true;
    }
    this.lineEscapes.length = 0;
    findEscapes(buf, start, end, this.lineEscapes);
    if (this.lineEscapes.length > 0) {
      this.detector.markAll();
      return true;
    }
    return this.detector.markForLogsource(ls, buf, start, end);
  }

  /** Whether the line buf[start, end) may match a rule; if so, the rules it may match are marked. */
  admit(buf: Buffer, start: number, end: number): boolean {
    if (!this.enabled) {
      this.detector.markAll();
      return true;
    }
    let escaped: boolean;
    if (buf === this.chunkBuf && this.everyLine) {
      escaped = this.escapes.any(start, end);
    } else {
      if (buf === this.chunkBuf && !this.hits.any(start, end)) return false;
      // A hit line, or a reader that did not announce the chunk: judge the line alone.
      this.lineEscapes.length = 0;
      findEscapes(buf, start, end, this.lineEscapes);
      escaped = this.lineEscapes.length > 0;
    }
    if (escaped) {
      this.detector.markAll();
      return true;
    }
    if (this.everyLine && this.detector.marksAfterParse) {
      // Needle-less rules make parsing the default; a line whose logsource
      // the bytes tell, and none of whose rules is needle-less or has a
      // needle in it, is still left unparsed.
      const hint = rawWindowsHint(buf, start, end);
      if (hint !== undefined) return this.detector.markForLogsource(hint, buf, start, end);
      this.detector.deferMarking(buf, start, end);
      return true;
    }
    if (!this.detector.markCandidates(buf, start, end)) return false;
    // Hits only from other products' rules, on a line that is certainly a
    // Windows event: parsing it would only find that out (raw-product.ts).
    return this.detector.markedMayApplyTo(WINDOWS) || !rawIsWindows(buf, start, end);
  }
}
