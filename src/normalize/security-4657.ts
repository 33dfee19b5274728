/**
 * Security 4657 (registry value modified) read as a Sysmon registry event.
 * pySigma's windows-audit pipeline maps Details→NewValue; rules also select
 * on TargetObject, which Sysmon writes as hive abbreviation + key + value
 * name, while 4657 splits it into ObjectName (kernel path) and
 * ObjectValueName. Image is added so registry rules' process filters work.
 */
import type { FlatEvent } from './flat-event.js';

const HIVES: readonly (readonly [kernel: string, sysmon: string])[] = [
  ['\\REGISTRY\\MACHINE', 'HKLM'],
  ['\\REGISTRY\\USER', 'HKU'],
];

export function applySecurityRegistryAliases(ev: FlatEvent): void {
  ev.set('Details', ev.get('newvalue'));
  ev.set('Image', ev.get('processname'));
  ev.set('TargetObject', targetObject(ev.text('ObjectName'), ev.text('ObjectValueName')));
}

function targetObject(objectName: string | undefined, valueName: string | undefined): string | undefined {
  if (!objectName) return undefined;
  let key = objectName;
  const upper = objectName.toUpperCase();
  for (const [kernel, sysmon] of HIVES) {
    if (upper === kernel || upper.startsWith(kernel + '\\')) {
      key = sysmon + objectName.slice(kernel.length);
      break;
    }
  }
  return valueName && valueName !== '-' ? `${key}\\${valueName}` : key;
}
