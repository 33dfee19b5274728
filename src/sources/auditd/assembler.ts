/**
 * Records → events, by (node, time, serial). An event is complete when
 *
 *   - its EOE record arrives (auditd does not always log EOE), or
 *   - it lingered: lingerEvents later events have begun since, and the log
 *     has moved lingerSeconds past its time (records of one event come
 *     close together; a straggler may follow a few newer events, as in
 *     go-libaudit's out_of_order.log, even across a jump of seconds), or
 *   - the input ends (end()), or, when tailing, nothing arrived for it for
 *     a while (flushIdle()).
 *
 * Memory is bounded whatever the input: at most MAX_OPEN events are open
 * (the oldest is let go first), each holds at most MAX_RECORDS records
 * (a never-ending event is cut, once, with an error), and the open events
 * together hold at most MAX_BUFFERED_CHARS characters of record text.
 * An event let go early is still emitted, with what it has.
 */
import { buildEvent, type AuditEventJson, type LineRecord } from './event.js';
import type { AuditRecord } from './record.js';

export interface AssemblerLimits {
  readonly lingerEvents: number;
  readonly lingerSeconds: number;
  readonly maxOpen: number;
  readonly maxRecords: number;
  readonly maxBufferedChars: number;
}

export const DEFAULT_LIMITS: AssemblerLimits = {
  lingerEvents: 64,
  lingerSeconds: 2,
  maxOpen: 512,
  // An execve with the kernel's largest argv (about 2 MiB) needs some 300 records.
  maxRecords: 2048,
  maxBufferedChars: 32 * 1024 * 1024,
};

export interface AssembledOutput {
  event(obj: AuditEventJson, firstLine: number): void;
  error(message: string, line?: number): void;
}

interface OpenEvent {
  readonly key: string;
  readonly records: LineRecord[];
  readonly seconds: number;
  /** How many events had begun before this one: its age in events. */
  readonly ordinal: number;
  chars: number;
  /** Wall-clock ms of the last record, for flushIdle. */
  lastArrival: number;
  cut: boolean;
}

export class EventAssembler {
  /** Insertion order is arrival order of each event's first record: the head is the oldest. */
  private readonly open = new Map<string, OpenEvent>();
  private bufferedChars = 0;
  private latestSeconds = -Infinity;
  private started = 0;
  private readonly limits: AssemblerLimits;

  constructor(
    private readonly out: AssembledOutput,
    limits: Partial<AssemblerLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Events still waiting for records. */
  get openCount(): number {
    return this.open.size;
  }

  /** `chars` is the length of the record's line, charged against the buffer budget. */
  add(record: AuditRecord, line: number, chars: number, now = Date.now()): void {
    const key = `${record.node ?? ''}\x00${record.time}:${record.serial}`;
    const seconds = Number(record.time);
    if (record.type === 'EOE') {
      const ev = this.open.get(key);
      if (ev) this.emit(ev);
    } else {
      let ev = this.open.get(key);
      if (!ev) {
        ev = { key, records: [], seconds, ordinal: this.started++, chars: 0, lastArrival: now, cut: false };
        this.open.set(key, ev);
      }
      if (ev.records.length >= this.limits.maxRecords) {
        if (!ev.cut) {
          this.out.error(`audit event ${record.time}:${record.serial} has more than ${this.limits.maxRecords} records; the rest are dropped`, line);
          ev.cut = true;
        }
      } else {
        ev.records.push({ record, line });
        ev.chars += chars;
        this.bufferedChars += chars;
        ev.lastArrival = now;
      }
    }
    if (seconds > this.latestSeconds) this.latestSeconds = seconds;
    this.enforceLimits();
  }

  /** Emits every open event (end of input). */
  end(): void {
    for (const ev of [...this.open.values()]) this.emit(ev);
  }

  /** For a live tail: emits events that received nothing for idleMs. */
  flushIdle(idleMs: number, now = Date.now()): void {
    for (const ev of [...this.open.values()]) if (now - ev.lastArrival >= idleMs) this.emit(ev);
  }

  private enforceLimits(): void {
    const l = this.limits;
    for (;;) {
      const head = this.open.values().next();
      if (head.done) return;
      const ev = head.value;
      const lingering = this.started - ev.ordinal > l.lingerEvents && ev.seconds < this.latestSeconds - l.lingerSeconds;
      if (!lingering && this.open.size <= l.maxOpen && this.bufferedChars <= l.maxBufferedChars) return;
      this.emit(ev);
    }
  }

  private emit(ev: OpenEvent): void {
    this.open.delete(ev.key);
    this.bufferedChars -= ev.chars;
    if (ev.records.length === 0) return;
    const obj = buildEvent(ev.records, (m, line) => this.out.error(m, line));
    this.out.event(obj, ev.records[0].line);
  }
}
