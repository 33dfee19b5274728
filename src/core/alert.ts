/** What detection hands to sinks: one rule matching one event. */
export interface AlertRule {
  id?: string;
  title: string;
  level?: string;
  tags: string[];
}

export interface Alert {
  rule: AlertRule;
  /** Event time, ISO 8601, when the event carries one. */
  time?: string;
  host?: string;
  user?: string;
  source: { file: string; record: number };
  /** The event as read (before normalization). */
  event: unknown;
}
