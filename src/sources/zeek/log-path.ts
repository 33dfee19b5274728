/**
 * Which Zeek log a file holds, when the log itself does not say.
 *
 * The normalizer takes the log name (its Sigma service: conn, dns, dce_rpc…)
 * from the event: `_path` (Zeek's JSON streaming writer, and the TSV reader
 * here), or `@stream` (the OTRF/HELK pipeline). Zeek's plain JSON writer
 * writes neither — the name is only in the file name (`conn.log`,
 * `conn.04:00:00-05:00:00.log.gz`, `sensor1_dns.json`). For such files the
 * reader adds `"_path":"<name>"` to each JSON line, exactly the member Zeek
 * itself writes when asked to, so the line is still filtered and parsed as
 * bytes and the normalizer has a single rule.
 */
import { basename } from 'node:path';
import type { RecordSink } from '../records.js';

/** Log names Zeek and its bundled scripts write (Zeek documentation, "Logs"). */
const ZEEK_LOGS = new Set([
  'analyzer', 'broker', 'capture_loss', 'cluster', 'config', 'conn', 'dce_rpc', 'dhcp', 'dnp3', 'dns', 'dpd', 'files',
  'ftp', 'http', 'intel', 'irc', 'kerberos', 'known_certs', 'known_hosts', 'known_modbus', 'known_services', 'ldap',
  'ldap_search', 'loaded_scripts', 'modbus', 'modbus_register_change', 'mqtt_connect', 'mqtt_publish', 'mqtt_subscribe',
  'mysql', 'netcontrol', 'netcontrol_drop', 'netcontrol_shunt', 'notice', 'notice_alarm', 'ntlm', 'ntp', 'ocsp',
  'openflow', 'packet_filter', 'pe', 'postgresql', 'print', 'quic', 'radius', 'rdp', 'redis', 'reporter', 'rfb', 'signatures',
  'sip', 'smb_cmd', 'smb_files', 'smb_mapping', 'smtp', 'snmp', 'socks', 'software', 'ssh', 'ssl', 'stats', 'syslog',
  'telemetry', 'traceroute', 'tunnel', 'unknown_protocols', 'weird', 'weird_stats', 'websocket', 'x509',
]);

/** Longest names first, so `x_smb_files` is smb_files, not files. */
const BY_LENGTH = [...ZEEK_LOGS].sort((a, b) => b.length - a.length);

/** The Zeek log name in a file name, or undefined when it names none. */
export function zeekPathFromFileName(file: string): string | undefined {
  let name = basename(file).toLowerCase().replace(/\.gz$/, '').replace(/\.(log|json|jsonl|ndjson|tsv)$/, '');
  const dot = name.indexOf('.');
  if (dot > 0) name = name.slice(0, dot); // rotation stamp: conn.2024-01-01-00-00-00, conn.04:00:00-05:00:00
  if (ZEEK_LOGS.has(name)) return name;
  return BY_LENGTH.find((l) => name.endsWith('_' + l) || name.endsWith('-' + l));
}

/**
 * The log name to add to the JSON lines of `file`, when its first object is
 * a Zeek record (`ts` present) that names no log itself; otherwise undefined.
 */
export function zeekJsonPathToAdd(file: string, firstObject: unknown): string | undefined {
  if (typeof firstObject !== 'object' || firstObject === null || Array.isArray(firstObject)) return undefined;
  const o = firstObject as Record<string, unknown>;
  if (!('ts' in o) || '_path' in o || '@stream' in o) return undefined;
  return zeekPathFromFileName(file);
}

/**
 * A sink that prefixes each JSON line's object with `"_path":"<path>",`.
 * A line that has its own `_path` keeps it (the later duplicate member wins
 * in JSON.parse). Lines are copied, so the chunk-wide prefilter pass is not
 * announced: each line is judged alone, with the member it will be parsed with.
 */
export function addZeekPath(sink: RecordSink, path: string): RecordSink {
  const prefix = Buffer.from(`{"_path":${JSON.stringify(path)},`);
  return {
    line: (buf, start, end, record) => {
      if (buf[start] !== 0x7b) return sink.line(buf, start, end, record); // not an object: left for the parser to report
      const rest = buf.subarray(start + 1, end);
      const empty = rest.length < 16 && rest.toString('latin1').trim() === '}'; // `{}` takes no comma
      const line = empty ? Buffer.from(`{"_path":${JSON.stringify(path)}}`) : Buffer.concat([prefix, rest]);
      sink.line(line, 0, line.length, record);
    },
    object: (obj, record) => sink.object(obj, record),
    error: (message, record, offset) => sink.error(message, record, offset),
    progress: (b) => sink.progress?.(b),
  };
}
