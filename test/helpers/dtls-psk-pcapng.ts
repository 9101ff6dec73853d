// SPDX-License-Identifier: Apache-2.0
// A pcapng of DTLS 1.2 PSK sessions (TLS_PSK_WITH_AES_128_CCM_8) between our own client
// connections and server endpoint (core/dtls, real crypto, fake clock), each client sending a
// CoAP Register as application data: what a capture of devices on coaps:// holds, made without a
// network, for tests of importing and decrypting it.
import { DtlsConnection } from '../../src-main/core/dtls/connection'
import { DtlsServerEndpoint } from '../../src-main/core/dtls/server-endpoint'
import { pcapngHeader, pcapngPacket } from '../../src-main/core/inspect/capture-file-writer'
import { nodeCrypto } from '../../src-main/transports/node-crypto'
import { coap, POST } from '../core/inspect/inspect-fixtures'
import { FakeScheduler } from './fake-scheduler'

const CCM8 = 0xc0a8
const TIMING = { initialMs: 1000, maxMs: 60_000, maxTransmissions: 5 }
const SERVER = { address: '10.7.0.1', port: 5684 }

/** One session per device, `key` shared by all (hex); returns the pcapng bytes. */
export function dtlsPskPcapng(devices: readonly string[], keyHex: string, t0 = 1_800_000_000_000): Buffer {
  const key = Uint8Array.from(Buffer.from(keyHex, 'hex'))
  const scheduler = new FakeScheduler()
  const packets: Uint8Array[] = []
  const record = (src: { address: string; port: number }, dst: { address: string; port: number }, d: Uint8Array): void => {
    packets.push(pcapngPacket({ at: t0 + scheduler.now(), srcAddress: src.address, srcPort: src.port, dstAddress: dst.address, dstPort: dst.port, payload: d.slice() }))
  }
  const clients = new Map<string, { conn: DtlsConnection; at: { address: string; port: number } }>()
  const server = new DtlsServerEndpoint<string>({
    crypto: nodeCrypto,
    scheduler,
    suites: [CCM8],
    pskLookup: () => key,
    cidLength: 0,
    timing: TIMING,
    send: (to, d) => {
      const c = clients.get(to)
      if (!c) return
      record(SERVER, c.at, d)
      scheduler.schedule(1, () => c.conn.receive(d))
    },
    onData: () => {}
  })
  devices.forEach((ep, k) => {
    const at = { address: `10.7.1.${k + 1}`, port: 40000 + k }
    const peer = `udp:${at.address}:${at.port}`
    const conn = new DtlsConnection({
      role: 'client',
      crypto: nodeCrypto,
      scheduler,
      suites: [CCM8],
      psk: { identity: new TextEncoder().encode(ep), key },
      timing: TIMING,
      send: (d) => {
        record(at, SERVER, d)
        scheduler.schedule(1, () => server.receive(peer, peer, d))
      }
    })
    clients.set(peer, { conn, at })
    conn.connect()
    scheduler.advance(100)
    conn.send(coap(POST, { path: '/rd', query: [`ep=${ep}`, 'lwm2m=1.2', 'lt=300'], cf: 40, payload: '</3/0>', token: [k + 1], mid: k + 1 }))
    scheduler.advance(10)
  })
  return Buffer.concat([...pcapngHeader(), ...packets])
}
