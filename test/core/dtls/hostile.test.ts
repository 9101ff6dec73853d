// SPDX-License-Identifier: Apache-2.0
// Hostile input against the DTLS server endpoint and connections (issue 15 item 8): random and
// mutated datagrams never throw and never disturb an established session; a ClientHello flood
// allocates nothing before a valid cookie (RFC 6347 §4.2.1); handshakes in progress are bounded;
// replayed and wrong-epoch records are dropped.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DtlsConnection, type SessionInfo } from '../../../src-main/core/dtls/connection'
import { DtlsServerEndpoint } from '../../../src-main/core/dtls/server-endpoint'
import { FakeScheduler } from '../../helpers/fake-scheduler'
import { ascii, crypto } from './helpers'

const KEY = ascii('0123456789abcdef')
const TIMING = { initialMs: 1000, maxMs: 4000, maxTransmissions: 3 }

function server(scheduler: FakeScheduler, sent: Array<[string, Uint8Array]>, extra: Partial<ConstructorParameters<typeof DtlsServerEndpoint<string>>[0]> = {}): { s: DtlsServerEndpoint<string>; got: string[] } {
  const got: string[] = []
  const s: DtlsServerEndpoint<string> = new DtlsServerEndpoint<string>({
    crypto,
    scheduler,
    suites: [0xc0a8, 0x00ae],
    pskLookup: () => KEY,
    cidLength: 4,
    timing: TIMING,
    send: (to, d) => sent.push([to, d]),
    onData: (sess, p) => {
      got.push(new TextDecoder().decode(p))
      s.send(sess.key, p)
    },
    ...extra
  })
  return { s, got }
}

/** A real client handshaking with `s` from `from`; returns the client and every datagram it sent. */
function connect(scheduler: FakeScheduler, s: DtlsServerEndpoint<string>, sent: Array<[string, Uint8Array]>, from: string): { client: DtlsConnection; flights: Uint8Array[]; info: () => SessionInfo | null; got: string[] } {
  const flights: Uint8Array[] = []
  const got: string[] = []
  let info: SessionInfo | null = null
  const client = new DtlsConnection({
    role: 'client',
    crypto,
    scheduler,
    suites: [0xc0a8],
    psk: { identity: ascii('dev'), key: KEY },
    cid: new Uint8Array(0),
    timing: TIMING,
    send: (d) => {
      flights.push(d)
      scheduler.schedule(0, () => s.receive(from, from, d))
    },
    onEstablished: (i) => (info = i),
    onData: (p) => got.push(new TextDecoder().decode(p))
  })
  // Route the server's answers for `from` back to this client.
  const start = sent.length
  const pump = (): void => {
    for (let i = start; i < sent.length; i++) {
      const [to, d] = sent[i] as [string, Uint8Array]
      if (to === from && !(d as Uint8Array & { seen?: boolean }).seen) {
        ;(d as Uint8Array & { seen?: boolean }).seen = true
        client.receive(d)
      }
    }
  }
  client.connect()
  for (let k = 0; k < 20; k++) {
    scheduler.advance(1)
    pump()
  }
  return { client, flights, info: () => info, got }
}

describe('hostile datagrams against the DTLS server (issue 15 item 8)', () => {
  it('random bytes from random addresses: never a throw, never a session', () => {
    const scheduler = new FakeScheduler()
    const sent: Array<[string, Uint8Array]> = []
    const { s } = server(scheduler, sent)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (bytes, port) => {
        const from = `10.0.0.9:${port}`
        expect(() => s.receive(from, from, bytes)).not.toThrow()
      }),
      { numRuns: 3000 }
    )
    expect(s.stats.sessions).toBe(0)
  })

  it('a flood of ClientHellos without cookies only draws HelloVerifyRequests: no state at all (RFC 6347 §4.2.1)', () => {
    const scheduler = new FakeScheduler()
    const sent: Array<[string, Uint8Array]> = []
    const { s } = server(scheduler, sent)
    const probe: Array<[string, Uint8Array]> = []
    const first = connect(scheduler, server(scheduler, probe).s, probe, '10.0.0.1:1').flights[0] as Uint8Array
    for (let i = 0; i < 10_000; i++) s.receive(`10.1.${i >> 8}.${i & 255}:5000`, `10.1.${i >> 8}.${i & 255}:5000`, first)
    expect(s.stats.helloVerifyRequests).toBe(10_000)
    expect(s.stats.sessions).toBe(0)
  })

  it('handshakes in progress are bounded (maxHandshakes); established sessions still work', () => {
    const scheduler = new FakeScheduler()
    const sent: Array<[string, Uint8Array]> = []
    const { s } = server(scheduler, sent, { maxHandshakes: 5 })
    const good = connect(scheduler, s, sent, '10.0.0.1:1')
    expect(good.info()).not.toBeNull()
    // Clients that answer the cookie but never finish: each holds a handshake slot until it times out.
    for (let i = 0; i < 20; i++) {
      const from = `10.2.0.${i}:7000`
      const c = new DtlsConnection({ role: 'client', crypto, scheduler, suites: [0xc0a8], psk: { identity: ascii('x'), key: KEY }, timing: TIMING, send: (d) => s.receive(from, from, d) })
      const before = sent.length
      c.connect()
      const hvr = sent.slice(before).find(([to]) => to === from)
      if (hvr) c.receive(hvr[1]) // second hello with the cookie; then silence
    }
    expect(s.stats.handshakes).toBeLessThanOrEqual(5)
    expect(s.stats.droppedHellos).toBeGreaterThan(0)
    good.client.send(ascii('still here'))
    scheduler.advance(1)
    expect(s.stats.sessions).toBeGreaterThanOrEqual(1)
  })

  it('mutations of a real session’s datagrams never throw and never break it; replays are dropped (§4.1.2.6)', () => {
    const scheduler = new FakeScheduler()
    const sent: Array<[string, Uint8Array]> = []
    const { s, got } = server(scheduler, sent)
    const c = connect(scheduler, s, sent, '10.0.0.1:1')
    expect(c.info()).not.toBeNull()
    const before = c.flights.length
    c.client.send(ascii('ping'))
    scheduler.advance(1)
    const appRecord = c.flights[before] as Uint8Array
    expect(got).toEqual(['ping'])
    // The same record again (a replay) is not delivered twice.
    s.receive('10.0.0.1:1', '10.0.0.1:1', appRecord)
    expect(got).toEqual(['ping'])
    const corpus = [...c.flights]
    fc.assert(
      fc.property(fc.integer({ min: 0, max: corpus.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.boolean(), (k, flips, otherAddress) => {
        const d = Uint8Array.from(corpus[k] as Uint8Array)
        for (const [at, v] of flips) d[at % d.length] = v
        const from = otherAddress ? '10.0.0.66:66' : '10.0.0.1:1'
        expect(() => s.receive(from, from, d)).not.toThrow()
      }),
      { numRuns: 2000 }
    )
    got.length = 0
    c.client.send(ascii('after the storm'))
    scheduler.advance(1)
    expect(got).toEqual(['after the storm'])
  })

  it('a client connection fed random bytes never throws', () => {
    const scheduler = new FakeScheduler()
    const c = new DtlsConnection({ role: 'client', crypto, scheduler, suites: [0xc0a8], psk: { identity: ascii('x'), key: KEY }, timing: TIMING, send: () => undefined })
    c.connect()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(() => c.receive(bytes)).not.toThrow()
      }),
      { numRuns: 3000 }
    )
  })
})
