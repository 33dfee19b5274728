/**
 * Rule regexes run on RE2: linear time whatever the pattern, so a hostile
 * rule cannot stall detection. Compiled patterns are shared across rules.
 */
import RE2 from 're2';
import { SigmaError } from '../../sigma/errors.js';

export interface TextRegex {
  test(text: string): boolean;
}

const cache = new Map<string, TextRegex>();

export function compileRegex(pattern: string, flags: string): TextRegex {
  const key = flags + '\u0000' + pattern;
  let re = cache.get(key);
  if (!re) {
    try {
      re = new RE2(pattern, flags) as unknown as TextRegex;
    } catch (e) {
      throw new SigmaError(`regular expression '${pattern}' is not valid for RE2: ${(e as Error).message}`);
    }
    cache.set(key, re);
  }
  return re;
}
