/**
 * Decides, from raw bytes, whether a JSON line can concern any rule — and
 * which rules — before anything is decoded.
 *
 *   chunk(buf) ─▶ RE2 pass: lines holding a needle      (small rule sets)
 *              └▶ native search: lines holding \u or \/ (escaped text hides from byte needles)
 *   admit(line) ─▶ no hit, no escape ─▶ false (skip the line)
 *               ├▶ escape            ─▶ every rule marked
 *               └▶ hit               ─▶ NeedleScanner marks the rules whose needles occur
 */
import type { Detector } from './engine.js';
import { findEscapes, PositionCursor } from './json-escapes.js';

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
    if (!this.everyLine) filter!.findLines(buf, start, end, hits);
    this.hits.reset(hits);
    // Escapes by native search: folding them into the RE2 pattern halves its speed.
    const escapes: number[] = [];
    if (this.enabled) findEscapes(buf, start, end, escapes);
    this.escapes.reset(escapes);
  }

  /** Whether the line buf[start, end) may match a rule; if so, the rules it may match are marked. */
  admit(buf: Buffer, start: number, end: number): boolean {
    if (!this.enabled) {
      this.detector.markAll();
      return true;
    }
    let escaped: boolean;
    if (buf === this.chunkBuf) {
      escaped = this.escapes.any(start, end);
      if (!escaped && !this.everyLine && !this.hits.any(start, end)) return false;
    } else {
      // A reader that did not announce the chunk: judge the line alone.
      this.lineEscapes.length = 0;
      findEscapes(buf, start, end, this.lineEscapes);
      escaped = this.lineEscapes.length > 0;
    }
    if (escaped) {
      this.detector.markAll();
      return true;
    }
    return this.detector.markCandidates(buf, start, end);
  }
}
