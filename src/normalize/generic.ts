/**
 * Any other JSON: every leaf under its dotted, lower-cased path. The product
 * stays unknown, so only rules without a product/service/category
 * constraint (keyword and field rules on "any log") can reach it.
 */
import { FlatEvent, flattenInto } from './flat-event.js';

export function normalizeGeneric(ev: FlatEvent, obj: unknown): void {
  flattenInto(ev, obj, '');
  ev.logsource = { categories: [] };
}
