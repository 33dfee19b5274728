/**
 * A command line composed from an argument vector, as the non-Windows
 * process logs give it (eslogger `args`, praudit `exec_args`, ECS
 * `process.args`). Arguments are joined with single spaces and not quoted,
 * the form Elastic Endpoint writes `process.command_line` in and SigmaHQ's
 * macOS/Linux rules are written against. The result is a composed field:
 * see derived-fields.ts.
 */
import type { FlatEvent } from './flat-event.js';

/**
 * The joined command line, or undefined when there are no arguments. Input
 * of the wrong type is reported on the event (ev.complain) naming `where`;
 * scalar elements still count (as text) so a stray number hides nothing.
 */
const MAX_ARG_COMPLAINTS = 5;

export function joinArgv(ev: FlatEvent, args: unknown, where: string): string | undefined {
  if (args === undefined || args === null) return undefined;
  if (!Array.isArray(args)) {
    ev.complain(`${where} is ${describe(args)}, expected an array of strings; CommandLine left unset`);
    return undefined;
  }
  const parts: string[] = [];
  let complaints = 0;
  // One problem per bad argument, up to a few: a hostile argv of millions must not become millions of errors.
  const complain = (message: string): void => {
    if (++complaints <= MAX_ARG_COMPLAINTS) ev.complain(message);
  };
  for (let i = 0; i < args.length; i++) {
    const a: unknown = args[i];
    if (typeof a === 'string') parts.push(a);
    else if (a !== null && typeof a === 'object') complain(`${where}[${i}] is ${describe(a)}, expected a string; left out of CommandLine`);
    else {
      complain(`${where}[${i}] is ${describe(a)}, expected a string`);
      parts.push(a === null ? '' : String(a));
    }
  }
  if (complaints > MAX_ARG_COMPLAINTS) ev.complain(`${where}: ${complaints - MAX_ARG_COMPLAINTS} more arguments of the wrong type`);
  return parts.length ? parts.join(' ') : undefined;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
