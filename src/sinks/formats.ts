/** The four alert output formats: table (terminal), json (one array), jsonl, csv. */
import type { Alert } from '../core/alert.js';
import type { AlertFormat, AlertSink, TextOut } from './sink.js';
import { terminalSafe } from './terminal-safe.js';
import { safeJson } from './json-safe.js';

export function createAlertSink(format: AlertFormat, out: TextOut): AlertSink {
  switch (format) {
    case 'jsonl': return jsonlSink(out);
    case 'json': return jsonArraySink(out);
    case 'csv': return csvSink(out);
    case 'table': return tableSink(out);
  }
}

function jsonlSink(out: TextOut): AlertSink {
  return { write: (a) => out.write(safeJson(a) + '\n'), close: () => out.end() };
}

function jsonArraySink(out: TextOut): AlertSink {
  let first = true;
  return {
    write: (a) => {
      out.write((first ? '[\n' : ',\n') + safeJson(a));
      first = false;
    },
    close: () => {
      out.write(first ? '[]\n' : '\n]\n');
      return out.end();
    },
  };
}

const CSV_COLUMNS = ['time', 'level', 'rule_id', 'rule_title', 'tags', 'host', 'user', 'file', 'record', 'event'] as const;

function csvCell(v: string): string {
  // A leading = + - @ makes spreadsheets evaluate the cell: neutralize it.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvSink(out: TextOut): AlertSink {
  out.write(CSV_COLUMNS.join(',') + '\n');
  return {
    write: (a) => {
      const row = [a.time ?? '', a.rule.level ?? '', a.rule.id ?? '', a.rule.title, a.rule.tags.join(' '),
        a.host ?? '', a.user ?? '', a.source.file, String(a.source.record), safeJson(a.event)];
      out.write(row.map(csvCell).join(',') + '\n');
    },
    close: () => out.end(),
  };
}

function tableSink(out: TextOut): AlertSink {
  let header = false;
  const cell = (s: string | undefined, width: number): string => {
    const t = terminalSafe(s ?? '-');
    return t.length > width ? t.slice(0, width - 1) + '…' : t.padEnd(width);
  };
  return {
    write: (a: Alert) => {
      if (!header) {
        out.write(`${cell('TIME', 24)} ${cell('LEVEL', 8)} ${cell('RULE', 48)} ${cell('HOST', 24)} ${cell('USER', 24)} SOURCE\n`);
        header = true;
      }
      out.write(`${cell(a.time, 24)} ${cell(a.rule.level, 8)} ${cell(a.rule.title, 48)} ${cell(a.host, 24)} ${cell(a.user, 24)} ${terminalSafe(a.source.file)}:${a.source.record}\n`);
    },
    close: () => out.end(),
  };
}
