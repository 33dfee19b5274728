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
  /** The event as read (before normalization); for a correlation, the last contributing event's reference. */
  event: unknown;
  /** Present on correlation alerts: what was counted, over which window and events. */
  correlation?: {
    type: string;
    group: Record<string, unknown>;
    window: { start: string; end: string };
    value: number;
    events: { file: string; record: number; rule: string; time?: string }[];
  };
}
