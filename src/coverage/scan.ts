/**
 * Log files → normalized events → the coverage tally. The same readers and
 * normalization as `vigil hunt`, but every record is parsed: coverage is
 * about what the logs hold, not about what a rule could match.
 */
import { normalizeObject } from '../normalize/index.js';
import type { InputFile } from '../sources/discover.js';
import { NOT_A_LOG, readLogFile } from '../sources/read-file.js';
import type { RecordSink } from '../sources/records.js';
import type { CoverageTally } from './tally.js';

export interface ScanStats {
  files: number;
  /** Files found in folders that are not logs (README, LICENSE, …), skipped quietly as hunt does. */
  skippedFiles: number;
  events: number;
  errors: number;
}

export type ScanErrorHandler = (file: string, message: string, record?: number) => void;

export async function scanFiles(files: readonly InputFile[], tally: CoverageTally, onError: ScanErrorHandler): Promise<ScanStats> {
  const stats: ScanStats = { files: 0, skippedFiles: 0, events: 0, errors: 0 };
  const error = (file: string, message: string, record?: number): void => {
    stats.errors++;
    onError(file, message, record);
  };
  for (const f of files) {
    const take = (obj: unknown): void => {
      stats.events++;
      tally.add(normalizeObject(obj), f.path);
    };
    const sink: RecordSink = {
      line: (buf, start, end, record) => {
        let obj: unknown;
        try {
          obj = JSON.parse(buf.toString('utf8', start, end));
        } catch (e) {
          error(f.path, `invalid JSON: ${(e as Error).message}`, record);
          return;
        }
        take(obj);
      },
      object: (obj) => take(obj),
      error: (message, record) => {
        if (!f.explicit && message.startsWith(NOT_A_LOG)) return;
        error(f.path, message, record);
      },
    };
    const format = await readLogFile(f.path, sink);
    if (format === 'unknown' && !f.explicit) stats.skippedFiles++;
    else stats.files++;
  }
  return stats;
}
