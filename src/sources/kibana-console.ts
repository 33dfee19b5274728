/**
 * JSON as Kibana's Dev Tools console shows it, which people copy into files:
 * a string that holds quotes or newlines is printed in triple quotes
 * ("""…""", its content raw: quotes and backslashes are literal), and hand
 * edits leave trailing commas before `]` or `}`. Plain JSON never contains
 * `"""` outside a string nor a comma before a closing bracket, so rewriting
 * both into strict JSON cannot change the meaning of a valid document.
 *
 * Real example: several files of the macOS-ATTACK-DATASET (Elastic Endpoint
 * exports) carry osascript and python command lines in triple quotes.
 */

/** Strict JSON text for `text`, or undefined when a triple-quoted string is never closed. */
export function kibanaConsoleToJson(text: string): string | undefined {
  let out = '';
  let from = 0; // start of the stretch not yet copied to out
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      if (text.startsWith('"""', i)) {
        const close = text.indexOf('"""', i + 3);
        if (close < 0) return undefined;
        // A raw content ending in quotes ("""say "hi""""): the closing triple is the last three.
        let end = close;
        while (text.charCodeAt(end + 3) === 0x22) end++;
        out += text.slice(from, i) + JSON.stringify(text.slice(i + 3, end));
        i = end + 2;
        from = i + 1;
        continue;
      }
      i = skipString(text, i);
      if (i < 0) return undefined;
    } else if (c === 0x2c && closesNext(text, i + 1)) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/** text[i] opens an ordinary JSON string; the index of its closing quote, or -1. */
function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

/** The next non-blank character closes an array or object: the comma before it is a trailing one. */
function closesNext(text: string, i: number): boolean {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5d || c === 0x7d) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
    i++;
  }
  return false;
}
