/**
 * Does a rule's logsource admit an event? Product, service and category
 * must each match when the rule names them; an event with no product
 * (a generic JSON line) is offered to every rule, since nothing says otherwise.
 */
import type { EventLogsource } from '../core/event.js';
import { SERVICE_SYNONYMS } from '../normalize/index.js';
import type { Logsource } from '../sigma/model.js';

export function logsourceAdmits(rule: Logsource, ev: EventLogsource): boolean {
  if (ev.product === undefined) return true;
  if (rule.product && rule.product.toLowerCase() !== ev.product) return false;
  if (rule.service) {
    const s = rule.service.toLowerCase();
    if ((SERVICE_SYNONYMS.get(s) ?? s) !== ev.service) return false;
  }
  if (rule.category && !ev.categories.includes(rule.category.toLowerCase())) return false;
  return true;
}
