/**
 * Non-Windows log shapes, tried in order after the Windows shapes. Each one
 * recognizes its own documents and fills the event under the names Sigma
 * rules use for its logsource:
 *
 *   parsed JSON ─▶ windows? ─no─▶ SHAPES[0].matches? ─no─▶ SHAPES[1]… ─none─▶ generic
 *
 * `product` lets the pipeline skip building an event no candidate rule could
 * apply to (see productOf), so `matches` must be cheap and exact: it says yes
 * only where `normalize` then sets that product.
 */
import type { FlatEvent } from './flat-event.js';
import { FREEBSD_PRAUDIT } from './freebsd-praudit.js';
import { MACOS_ECS } from './macos-ecs.js';
import { MACOS_ESLOGGER } from './macos-eslogger.js';
import type { JsonRecord } from './xml-json.js';
import { linuxAuditdShape } from './linux-auditd.js';
import { CLOUDTRAIL_SHAPE } from './cloud-aws.js';
import { AZURE_ACTIVITY_SHAPE } from './cloud-azure.js';
import { GCP_AUDIT_SHAPE } from './cloud-gcp.js';
import { ZEEK_SHAPE } from './zeek.js';

export interface LogShape {
  /** Short name for errors and docs, e.g. "auditd", "cloudtrail". */
  readonly name: string;
  /** The Sigma product every event of this shape gets, lower-case. */
  readonly product: string;
  matches(doc: JsonRecord): boolean;
  /** Fills fields and sets ev.logsource; may throw on input it cannot read (the caller falls back to generic). */
  normalize(ev: FlatEvent, doc: JsonRecord): void;
}

/** Order matters only where two shapes could claim one document; the most specific goes first. */
export const SHAPES: readonly LogShape[] = [
  linuxAuditdShape,
  MACOS_ECS,
  MACOS_ESLOGGER,
  FREEBSD_PRAUDIT,
  CLOUDTRAIL_SHAPE,
  AZURE_ACTIVITY_SHAPE,
  GCP_AUDIT_SHAPE,
  ZEEK_SHAPE,
];

export function shapeOf(doc: JsonRecord): LogShape | undefined {
  for (const s of SHAPES) if (s.matches(doc)) return s;
  return undefined;
}
