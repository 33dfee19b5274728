import type { RawEvtxRecord } from './evtx/record-view.js';

/** What a reader hands on: raw JSON lines (so detection can skip them unparsed) or parsed objects. */
export interface RecordSink {
  /**
   * Optional: announces that the lines which follow all lie in buf[start, end),
   * so a consumer can scan the whole region once before taking them one by one.
   */
  chunk?(buf: Buffer, start: number, end: number): void;
  /** One JSON text in buf[start, end); `record` is its 1-based line number. */
  line(buf: Buffer, start: number, end: number, record: number): void;
  /**
   * One already-parsed event; `judged` when evtxGate admitted it just before
   * it was decoded (the gate's conclusions about it still hold).
   */
  object(obj: unknown, record: number, judged?: boolean): void;
  /**
   * Optional, for EVTX: asked about each record before it is decoded (when
   * its layout allows); false skips it. See sources/evtx/record-view.ts.
   */
  evtxGate?(record: RawEvtxRecord): boolean;
  /** A record or region that could not be read; reading goes on. */
  error(message: string, record?: number, offset?: number): void;
  /** Bytes consumed so far in this file, for progress. */
  progress?(bytes: number): void;
}
