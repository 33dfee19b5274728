/**
 * Zeek logs → product zeek, service = the log's name (conn, dns, dce_rpc, …).
 *
 * Three JSON layouts reach this shape:
 *   Zeek's JSON streaming writer, and our TSV reader   `_path`, `id.orig_h`
 *   the OTRF/HELK pipeline                             `@stream`, `id_orig_h`
 *   Zeek's plain JSON writer                           neither; the reader adds
 *                                                      `_path` from the file name
 *                                                      (sources/zeek/log-path.ts)
 *
 * SigmaHQ's zeek rules name fields as Zeek's default writer does: record
 * members joined with a dot (`id.orig_h`, `id.resp_p`, `certificate.serial`).
 * A pipeline that set Zeek's scope separator to "_" writes `id_orig_h`; those
 * names are given their dotted form too. Only the record members Zeek's
 * bundled logs have are renamed — `orig_bytes` or `resp_pkts` are names of
 * their own and keep their underscore. The value is copied, never composed.
 */
import { flattenInto, type FlatEvent } from './flat-event.js';
import type { LogShape } from './shapes.js';
import type { JsonRecord } from './xml-json.js';

/** Record-valued fields of Zeek's bundled logs and their members (Zeek script reference). */
const RECORD_MEMBERS: Record<string, readonly string[]> = {
  id: ['orig_h', 'orig_p', 'resp_h', 'resp_p', 'vlan', 'inner_vlan'], // conn_id, in nearly every log
  times: ['modified', 'accessed', 'created', 'changed'], // smb_files
  certificate: ['version', 'serial', 'subject', 'issuer', 'cn', 'not_valid_before', 'not_valid_after', 'key_alg', 'sig_alg', 'key_type', 'key_length', 'exponent', 'curve'], // x509
  san: ['dns', 'uri', 'email', 'ip'], // x509
  basic_constraints: ['ca', 'path_len'], // x509
  version: ['major', 'minor', 'minor2', 'minor3', 'addl'], // software
  remote_location: ['country_code', 'region', 'city', 'latitude', 'longitude'], // notice
};

/** id_orig_h → id.orig_h, for every member above. */
const UNDERSCORE_TO_DOTTED: ReadonlyMap<string, string> = new Map(
  Object.entries(RECORD_MEMBERS).flatMap(([rec, members]) => members.map((m) => [`${rec}_${m}`, `${rec}.${m}`] as [string, string])),
);

/** The log's name as this event states it, lower-case; undefined when it states none. */
function zeekPath(doc: JsonRecord): string | undefined {
  const p = typeof doc._path === 'string' ? doc._path : typeof doc['@stream'] === 'string' ? doc['@stream'] : undefined;
  return p ? p.toLowerCase() : undefined;
}

export const ZEEK_SHAPE: LogShape = {
  name: 'zeek',
  product: 'zeek',
  // `ts` is in every Zeek log; beside it, a log name or a connection id in one of the two spellings.
  matches: (doc) =>
    'ts' in doc && (typeof doc._path === 'string' || (typeof doc['@stream'] === 'string' && '@system' in doc) ||
      'id.orig_h' in doc || ('id_orig_h' in doc && 'uid' in doc)),
  normalize(ev: FlatEvent, doc: JsonRecord): void {
    flattenInto(ev, doc, '');
    for (const k of Object.keys(doc)) {
      const dotted = UNDERSCORE_TO_DOTTED.get(k);
      if (dotted !== undefined) ev.set(dotted, ev.get(k.toLowerCase()));
    }
    ev.logsource = { product: 'zeek', service: zeekPath(doc), categories: [] };
  },
};
