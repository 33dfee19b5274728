/** `cidr`: does an IPv4 or IPv6 address in the event fall inside a network? */
import { SigmaError } from '../../sigma/errors.js';

/** Address as 16 bytes (IPv4 mapped to ::ffff:a.b.c.d) plus its family. */
interface Addr {
  v4: boolean;
  bytes: Uint8Array;
}

function parseV4(s: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | undefined {
  let text = s;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const words: number[] = [];
  // A trailing dotted quad stands for the last two words.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    if (!v4) return undefined;
    text = text.slice(0, lastColon + 1) + ((v4[0] << 8) | v4[1]).toString(16) + ':' + ((v4[2] << 8) | v4[3]).toString(16);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseWords = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const w of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = parseWords(halves[0]);
  const rest = halves.length === 2 ? parseWords(halves[1]) : [];
  if (!head || !rest) return undefined;
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    words.push(...head, ...new Array<number>(fill).fill(0), ...rest);
  } else {
    if (head.length !== 8) return undefined;
    words.push(...head);
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

export function parseAddress(s: string): Addr | undefined {
  const t = s.trim();
  const v4 = parseV4(t);
  if (v4) return { v4: true, bytes: v4 };
  const v6 = t.includes(':') ? parseV6(t) : undefined;
  return v6 ? { v4: false, bytes: v6 } : undefined;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it stands for. */
function unmapped(a: Addr): Addr {
  if (a.v4) return a;
  for (let i = 0; i < 10; i++) if (a.bytes[i] !== 0) return a;
  if (a.bytes[10] !== 0xff || a.bytes[11] !== 0xff) return a;
  return { v4: true, bytes: a.bytes.slice(12) };
}

export function compileCidr(network: string): (text: string) => boolean {
  const [addrText, lenText] = network.split('/');
  let base = parseAddress(addrText ?? '');
  if (!base) throw new SigmaError(`'cidr' value '${network}' is not an IPv4 or IPv6 network`);
  const maxLen = base.v4 ? 32 : 128;
  let prefix = lenText === undefined ? maxLen : Number(lenText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxLen || (lenText !== undefined && !/^\d+$/.test(lenText))) {
    throw new SigmaError(`'cidr' value '${network}' has an invalid prefix length`);
  }
  // Dual-stack sockets log IPv4 peers as ::ffff:a.b.c.d: an IPv4 network (or one written
  // inside ::ffff:0:0/96) also takes event addresses in that form.
  if (!base.v4 && prefix >= 96 && unmapped(base).v4) {
    base = unmapped(base);
    prefix -= 96;
  }
  const full = prefix >> 3;
  const rem = prefix & 7;
  const mask = rem ? (0xff << (8 - rem)) & 0xff : 0;
  return (text: string): boolean => {
    const parsed = parseAddress(text);
    const a = parsed && base.v4 ? unmapped(parsed) : parsed;
    if (!a || a.v4 !== base.v4) return false;
    for (let i = 0; i < full; i++) if (a.bytes[i] !== base.bytes[i]) return false;
    return rem === 0 || (a.bytes[full] & mask) === (base.bytes[full] & mask);
  };
}
