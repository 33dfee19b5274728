/**
 * AWS CloudTrail records → product aws, service cloudtrail.
 *
 * SigmaHQ's AWS rules name the record's own members (eventSource, eventName,
 * errorCode, sourceIPAddress, userIdentity.arn, userIdentity.type,
 * requestParameters.<member>…), so the record is flattened as it is. Three
 * rules also test a whole object (`requestParameters|contains: 'Suspended'`,
 * `responseElements|contains: 'Failure'`): such a name holds the object's
 * text values, one per leaf, so `contains` finds a word in any of them.
 * The leaves are the record's own strings (no value is composed), so the
 * raw-line prefilter can still take needles from those rules.
 *
 * The event's time is eventTime and its user the principal's ARN
 * (event-summary.ts reads both under these names).
 */
import { flattenInto, type FlatEvent } from './flat-event.js';
import type { LogShape } from './shapes.js';
import { isRecord, isScalar, type JsonRecord } from './xml-json.js';
import type { Scalar } from '../core/event.js';

/** Objects rules test as a whole. */
const WHOLE_OBJECTS = ['requestParameters', 'responseElements', 'additionalEventData', 'serviceEventDetails'];
/** Enough for any real request; a hostile record cannot make the list unbounded. */
const MAX_LEAVES = 2000;

export const CLOUDTRAIL_SHAPE: LogShape = {
  name: 'cloudtrail',
  product: 'aws',
  // Every CloudTrail record, whatever its eventVersion, carries these four.
  matches: (doc) =>
    typeof doc.eventSource === 'string' && typeof doc.eventName === 'string' &&
    typeof doc.eventTime === 'string' && typeof doc.eventVersion === 'string',
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    flattenInto(ev, doc, '');
    for (const name of WHOLE_OBJECTS) {
      const v = doc[name];
      if (isRecord(v) || Array.isArray(v)) ev.set(name, leaves(v));
    }
    ev.logsource = { product: 'aws', service: 'cloudtrail', categories: [] };
  },
};

function leaves(v: unknown): Scalar[] {
  const out: Scalar[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (out.length >= MAX_LEAVES || depth > 32) return;
    if (isScalar(x)) {
      if (x !== null) out.push(x);
    } else if (Array.isArray(x)) {
      for (const y of x) walk(y, depth + 1);
    } else if (isRecord(x)) {
      for (const k of Object.keys(x)) walk(x[k], depth + 1);
    }
  };
  walk(v, 0);
  return out;
}
