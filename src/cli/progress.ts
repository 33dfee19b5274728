/** A one-line progress bar on stderr, only when stderr is a terminal. */
export class Progress {
  private last = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(private readonly total: number, enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true && total > 0;
  }

  update(done: number, events: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const frac = Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? Math.round(events / secs) : 0;
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
        `${(done / 1048576).toFixed(0)}/${(this.total / 1048576).toFixed(0)} MB ${rate.toLocaleString('en-US')} events/s `,
    );
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r' + ' '.repeat(90) + '\r');
  }
}
