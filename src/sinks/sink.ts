/** Where alerts go. Each format writes as alerts arrive, so a long hunt streams its output. */
import type { Alert } from '../core/alert.js';

export interface AlertSink {
  write(alert: Alert): void;
  close(): Promise<void>;
}

export interface TextOut {
  write(text: string): void;
  end(): Promise<void>;
}

export const ALERT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
