/**
 * Follows a log file by its path while it grows, the way `tail -F` does,
 * and hands on its bytes in order. Made for a daemon's log that gets
 * rotated under us:
 *
 *   renamed + new file (auditd's own rotation, logrotate's default)
 *       the old file is read to its end, then the new one from its start:
 *       nothing is lost, because the writer stops writing the old file
 *       before it creates the new one;
 *   copied + truncated in place (logrotate copytruncate)
 *       the file shrinks below what was read: reading starts again at 0.
 *       What the writer added between the last poll and the truncation
 *       went into the copy only and is not seen (at most one poll's worth);
 *       a file truncated and regrown past the old position within one poll
 *       cannot be told from plain growth and its new start is skipped;
 *   removed for a while (a daemon restart that recreates it)
 *       the last file stays open until a file appears at the path again.
 *
 * A restart that appends to the same file needs nothing special. Polling
 * (not inotify) keeps one code path for every filesystem; one fstat and
 * one stat per poll cost next to nothing.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export interface FollowOutput {
  /** The next bytes of the log. The buffer is reused after the call returns. */
  data(chunk: Buffer): void;
  /** A new file starts at the path: `rotated` (another inode), `truncated`, or `appeared` (after none was there). */
  switched?(why: 'rotated' | 'truncated' | 'appeared'): void;
  error?(message: string): void;
}

export interface FollowOptions {
  /** Read what the file already holds (default: start at its current end, like `tail -F -n0`). */
  fromStart?: boolean;
  /** Milliseconds between polls (default 50). */
  pollMs?: number;
  /** Most bytes read in one poll, so a huge backlog cannot stall the caller (default 32 MiB). */
  maxBytesPerPoll?: number;
}

export interface FollowStats {
  bytes: number;
  rotations: number;
  truncations: number;
}

const READ_SIZE = 1 << 20;

export class FileFollower {
  readonly stats: FollowStats = { bytes: 0, rotations: 0, truncations: 0 };
  private fd: number | undefined;
  private ino = -1;
  private dev = -1;
  private pos = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly buf = Buffer.allocUnsafe(READ_SIZE);
  private missingReported = false;
  private readonly pollMs: number;
  private readonly maxBytesPerPoll: number;

  constructor(
    readonly path: string,
    private readonly out: FollowOutput,
    private readonly opts: FollowOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 50;
    this.maxBytesPerPoll = opts.maxBytesPerPoll ?? 32 * 1024 * 1024;
  }

  /** Opens the file (or waits for it to appear) and starts polling. */
  start(): void {
    const st = this.statPath();
    if (st) this.open(st, this.opts.fromStart ? 0 : st.size);
    this.timer = setInterval(() => this.poll(), this.pollMs);
  }

  /** Reads what is new, then notices a rotation or truncation. Also called by the timer. */
  poll(): void {
    this.drain();
    const st = this.statPath();
    if (!st) return; // renamed away and not recreated yet: keep the old file
    if (this.fd === undefined) {
      this.open(st, 0);
      this.out.switched?.('appeared');
      this.drain();
      return;
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      this.drain(); // the writer may have added to the old file just before switching
      this.close();
      this.stats.rotations++;
      this.open(st, 0);
      this.out.switched?.('rotated');
      this.drain();
      return;
    }
    const size = fstatSync(this.fd).size;
    if (size < this.pos) {
      this.stats.truncations++;
      this.pos = 0;
      this.out.switched?.('truncated');
      this.drain();
    }
  }

  /** Stops polling after reading what is left. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.drain();
    } finally {
      this.close();
    }
  }

  /** The byte offset read up to in the current file. */
  get position(): number {
    return this.pos;
  }

  private drain(): void {
    if (this.fd === undefined) return;
    let budget = this.maxBytesPerPoll;
    while (budget > 0) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, Math.min(READ_SIZE, budget), this.pos);
      } catch (e) {
        this.out.error?.(`${this.path}: read failed at offset ${this.pos}: ${(e as Error).message}`);
        return;
      }
      if (n === 0) return;
      this.pos += n;
      budget -= n;
      this.stats.bytes += n;
      this.out.data(this.buf.subarray(0, n));
    }
  }

  private statPath(): Stats | undefined {
    try {
      const st = statSync(this.path);
      this.missingReported = false;
      return st;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && !this.missingReported) this.out.error?.(`${this.path}: ${(e as Error).message}`);
      this.missingReported = true;
      return undefined;
    }
  }

  private open(st: Stats, pos: number): void {
    try {
      this.fd = openSync(this.path, 'r');
    } catch (e) {
      this.out.error?.(`${this.path}: cannot open: ${(e as Error).message}`);
      return;
    }
    // The inode actually opened (the path may have been replaced since the stat).
    const opened = fstatSync(this.fd);
    this.ino = opened.ino;
    this.dev = opened.dev;
    this.pos = opened.ino === st.ino ? Math.min(pos, opened.size) : 0;
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
