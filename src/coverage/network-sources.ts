/**
 * Network data sources: Zeek logs, recognized by the contract of the Zeek
 * normalizer (product zeek, service = the log's type, e.g. conn).
 */
import { fromLog, type DataSource } from './data-source.js';

export const NETWORK_SOURCES: readonly DataSource[] = [
  {
    id: 'zeek/conn',
    title: 'Zeek conn.log (connections)',
    logsource: { product: 'zeek', service: 'conn' },
    why: 'one source reaching many destination ports or hosts in a short window; it also sees the metadata of encrypted connections (an ADS blind spot for host logs)',
    fix: "collect the sensor's conn.log: Zeek writes it by default, so check that Conn::LOG is not disabled (Log::disable_stream) and that the log shipper picks it up",
    hints: [{
      seen: fromLog('zeek'),
      fix: "other Zeek logs from this sensor are here but no conn.log: ship conn.log too (and check that Conn::LOG is not disabled)",
    }],
  },
  {
    id: 'zeek/dce_rpc',
    title: 'Zeek dce_rpc.log (DCE/RPC operations)',
    logsource: { product: 'zeek', service: 'dce_rpc' },
    why: 'remote session enumeration (NetrSessionEnum on the srvsvc pipe) seen on the wire',
    note: 'only unencrypted SMB is parsed: SMB 3 encryption hides the operations',
    fix: "collect the sensor's dce_rpc.log: Zeek's base scripts write it (base/protocols/dce-rpc), so check that DCE_RPC::LOG is not disabled and that the log shipper picks it up",
    hints: [{
      seen: fromLog('zeek'),
      fix: "other Zeek logs from this sensor are here but no dce_rpc.log: ship dce_rpc.log too (and check that DCE_RPC::LOG is not disabled)",
    }],
  },
];
