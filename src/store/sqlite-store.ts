/**
 * The embedded alert store (SQLite). Every hunt is recorded with its alerts,
 * so analysts can come back to them; later modes (serve, triage) read the same
 * file. Writes are batched in transactions: one fsync per batch, not per alert.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert } from '../core/alert.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hunts (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  inputs TEXT NOT NULL,
  files INTEGER, events INTEGER, alerts INTEGER, errors INTEGER
);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  hunt_id INTEGER REFERENCES hunts(id),
  rule_id TEXT,
  rule_title TEXT NOT NULL,
  level TEXT,
  tags TEXT NOT NULL,
  time TEXT,
  host TEXT,
  user TEXT,
  source_file TEXT NOT NULL,
  source_record INTEGER NOT NULL,
  event TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'new',
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_rule ON alerts(rule_id);
CREATE INDEX IF NOT EXISTS alerts_host_time ON alerts(host, time);
`;

const BATCH = 1000;

export interface HuntSummary {
  files: number;
  events: number;
  alerts: number;
  errors: number;
}

export class SqliteStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private pending: Alert[] = [];
  private huntId = 0;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare(
      `INSERT INTO alerts (hunt_id, rule_id, rule_title, level, tags, time, host, user, source_file, source_record, event, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  beginHunt(inputs: readonly string[]): number {
    const r = this.db
      .prepare('INSERT INTO hunts (started_at, inputs) VALUES (?, ?)')
      .run(new Date().toISOString(), JSON.stringify(inputs));
    this.huntId = Number(r.lastInsertRowid);
    return this.huntId;
  }

  add(alert: Alert): void {
    this.pending.push(alert);
    if (this.pending.length >= BATCH) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const a of rows) {
        this.insert.run(this.huntId || null, a.rule.id ?? null, a.rule.title, a.rule.level ?? null, JSON.stringify(a.rule.tags),
          a.time ?? null, a.host ?? null, a.user ?? null, a.source.file, a.source.record, JSON.stringify(a.event), now);
      }
    })();
  }

  finishHunt(summary: HuntSummary): void {
    this.flush();
    this.db
      .prepare('UPDATE hunts SET finished_at = ?, files = ?, events = ?, alerts = ?, errors = ? WHERE id = ?')
      .run(new Date().toISOString(), summary.files, summary.events, summary.alerts, summary.errors, this.huntId);
  }

  /** Alerts of one hunt (or all), oldest first. */
  alerts(huntId?: number): StoredAlert[] {
    const sql = huntId === undefined ? 'SELECT * FROM alerts ORDER BY id' : 'SELECT * FROM alerts WHERE hunt_id = ? ORDER BY id';
    const stmt = this.db.prepare(sql);
    return (huntId === undefined ? stmt.all() : stmt.all(huntId)) as StoredAlert[];
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}

export interface StoredAlert {
  id: number;
  hunt_id: number | null;
  rule_id: string | null;
  rule_title: string;
  level: string | null;
  tags: string;
  time: string | null;
  host: string | null;
  user: string | null;
  source_file: string;
  source_record: number;
  event: string;
  status: string;
  created_at: string;
}
