// SPDX-License-Identifier: Apache-2.0
// Passive DTLS 1.2 decryption of captured sessions (issue 16 items 4 and 8): sessions between our
// own client connection and server endpoint (core/dtls, real crypto, fake clock) are recorded as a
// bystander would see them, then opened from a PSK (RFC 4279 §2, RFC 7627 extended master secret)
// or from the NSS key log; ECDHE-PSK (RFC 5489) is explained, not guessed; CID records (RFC 9146)
// decrypt, also after the client's address changes; bad bytes never throw.
import { describe, expect, it } from 'vitest'
import { DtlsConnection, type ResumableSession, type SessionInfo } from '../../../src-main/core/dtls/connection'
import { DtlsServerEndpoint } from '../../../src-main/core/dtls/server-endpoint'
import { DtlsDecryptor, parseKeyLog } from '../../../src-main/core/inspect/dtls-decryptor'
import { toHex } from '../../../src-main/core/bytes'
import { FakeScheduler } from '../../helpers/fake-scheduler'
import { ascii, crypto } from '../dtls/helpers'

const CCM8 = 0xc0a8
const CCM = 0xc0a4
const CBC = 0x00ae
const GCM = 0x00a8
const ECDHE_PSK_CBC = 0xc037
const KEY = ascii('0123456789abcdef')
const TIMING = { initialMs: 1000, maxMs: 60_000, maxTransmissions: 5 }
const SERVER = 'udp:10.0.0.9:5684'

interface Wire {
  readonly src: string
  readonly dst: string
  readonly bytes: Uint8Array
}

interface Recorded {
  readonly wire: Wire[]
  readonly info: SessionInfo
  /** What each side sent as application data, in order. */
  readonly sent: string[]
  moveClient(to: string): void
  exchange(text: string): void
}

interface Lab {
  /** Every datagram of every session, in order, as one capture would hold them. */
  readonly wire: Wire[]
  connect(opts: SessionOptions): Recorded
}

interface SessionOptions {
  readonly suite: number
  readonly clientCid?: Uint8Array
  readonly identity?: string
  readonly resume?: ResumableSession
  readonly from?: string
}

/** Our server endpoint, with clients connecting to it one after another; every datagram recorded. */
function lab(opts: { serverCidLength?: number } = {}): Lab {
  const scheduler = new FakeScheduler()
  const wire: Wire[] = []
  const clients = new Map<string, DtlsConnection>()
  let info: SessionInfo | null = null
  let sent: string[] = []
  const server = new DtlsServerEndpoint<string>({
    crypto,
    scheduler,
    suites: [CCM8, CCM, GCM, CBC, ECDHE_PSK_CBC],
    pskLookup: () => KEY,
    cidLength: opts.serverCidLength ?? 0,
    timing: TIMING,
    send: (to, d) => {
      wire.push({ src: SERVER, dst: to, bytes: d.slice() })
      scheduler.schedule(1, () => clients.get(to)?.receive(d))
    },
    onEstablished: (_s, i) => (info = i),
    onData: (s, p) => {
      const reply = 'echo:' + new TextDecoder().decode(p)
      sent.push(reply)
      server.send(s.key, ascii(reply))
    }
  })
  return {
    wire,
    connect(o) {
      let client = o.from ?? 'udp:10.0.0.1:40000'
      info = null
      sent = []
      const conn: DtlsConnection = new DtlsConnection({
        role: 'client',
        crypto,
        scheduler,
        suites: [o.suite],
        psk: { identity: ascii(o.identity ?? 'dev-1'), key: KEY },
        ...(o.clientCid ? { cid: o.clientCid } : {}),
        ...(o.resume ? { resume: o.resume } : {}),
        timing: TIMING,
        send: (d) => {
          const from = client
          wire.push({ src: from, dst: SERVER, bytes: d.slice() })
          scheduler.schedule(1, () => server.receive(from, from, d))
        }
      })
      clients.set(client, conn)
      conn.connect()
      scheduler.advance(100)
      if (info === null) throw new Error('handshake did not complete')
      const mine = sent
      const r: Recorded = {
        wire,
        info,
        sent: mine,
        moveClient: (to) => {
          clients.set(to, conn)
          client = to
        },
        exchange: (text) => {
          mine.push(text)
          conn.send(ascii(text))
          scheduler.advance(10)
        }
      }
      r.exchange('GET /3/0/0')
      r.exchange('GET /3/0/1')
      return r
    }
  }
}

/** One session between our client and our server, every datagram recorded in order. */
function session(opts: SessionOptions & { serverCidLength?: number } = { suite: CCM8 }): Recorded {
  return lab(opts.serverCidLength !== undefined ? { serverCidLength: opts.serverCidLength } : {}).connect(opts)
}

function decryptAll(d: DtlsDecryptor, wire: readonly Wire[]): string[] {
  const out: string[] = []
  for (const w of wire) {
    const r = d.datagram(w.src, w.dst, w.bytes)
    if (r.plaintext) out.push(new TextDecoder().decode(r.plaintext))
  }
  return out
}

const keyLogLine = (i: SessionInfo): string => `CLIENT_RANDOM ${toHex(i.clientRandom)} ${toHex(i.masterSecret)}`

describe('decrypting captured DTLS 1.2 sessions (issue 16 item 4)', () => {
  for (const [name, suite] of [['TLS_PSK_WITH_AES_128_CCM_8', CCM8], ['TLS_PSK_WITH_AES_128_CCM', CCM], ['TLS_PSK_WITH_AES_128_GCM_SHA256', GCM], ['TLS_PSK_WITH_AES_128_CBC_SHA256', CBC]] as const) {
    it(`${name}: the master secret is derived from the PSK matched by identity (RFC 4279 §2, RFC 7627 §4)`, () => {
      const s = session({ suite })
      const lines: string[] = []
      const d = new DtlsDecryptor({ crypto, psks: [{ identity: ascii('other'), key: ascii('xxxxxxxxxxxxxxxx') }, { identity: ascii('dev-1'), key: KEY }], onKeyLogLine: (l) => lines.push(l) })
      expect(decryptAll(d, s.wire)).toEqual(s.sent)
      expect(s.info.extendedMasterSecret).toBe(true)
      // The derived secret is the one the server used: exports carry it for Wireshark.
      expect(lines).toEqual([keyLogLine(s.info)])
      const [report] = d.sessions()
      expect(report).toMatchObject({ client: 'udp:10.0.0.1:40000', server: SERVER, suite: expect.stringContaining(name), identity: 'dev-1', keySource: 'psk', undecrypted: 0, cause: null })
    })
  }

  it('the same session opens from the key log alone (NSS CLIENT_RANDOM line)', () => {
    const s = session({ suite: CCM8 })
    const d = new DtlsDecryptor({ crypto })
    d.addKeyLog(`# a comment\n${keyLogLine(s.info)}\nSERVER_HANDSHAKE_TRAFFIC_SECRET 00 11\n`)
    expect(decryptAll(d, s.wire)).toEqual(s.sent)
    expect(d.sessions()[0]?.keySource).toBe('key-log')
    expect(parseKeyLog(keyLogLine(s.info)).get(toHex(s.info.clientRandom))).toEqual(s.info.masterSecret)
  })

  it('ECDHE-PSK (RFC 5489): a PSK alone is not enough, and the reason says so; the key log opens it', () => {
    const s = session({ suite: ECDHE_PSK_CBC })
    const withPsk = new DtlsDecryptor({ crypto, psks: [{ identity: ascii('dev-1'), key: KEY }] })
    const frames = s.wire.map((w) => withPsk.datagram(w.src, w.dst, w.bytes))
    expect(frames.some((f) => f.plaintext)).toBe(false)
    expect(frames.find((f) => f.undecrypted)?.undecrypted).toMatch(/ECDHE_PSK.*PSK alone cannot decrypt/)
    expect(withPsk.sessions()[0]).toMatchObject({ cause: 'ecdhe', identity: 'dev-1', keySource: null })
    const withLog = new DtlsDecryptor({ crypto })
    withLog.addKeyLog(keyLogLine(s.info))
    expect(decryptAll(withLog, s.wire)).toEqual(s.sent)
  })

  it('without any key the records stay encrypted with "no key"; a wrong PSK gives "wrong-key"', () => {
    const s = session({ suite: CCM8 })
    const none = new DtlsDecryptor({ crypto })
    expect(decryptAll(none, s.wire)).toEqual([])
    expect(none.sessions()[0]).toMatchObject({ cause: 'no-key', decrypted: 0 })
    expect(none.sessions()[0]?.reason).toMatch(/identity "dev-1"/)
    const wrong = new DtlsDecryptor({ crypto, psks: [{ identity: ascii('dev-1'), key: ascii('fedcba9876543210') }] })
    expect(decryptAll(wrong, s.wire)).toEqual([])
    expect(wrong.sessions()[0]?.cause).toBe('wrong-key')
  })

  it('a capture that starts after the handshake says the handshake is missing', () => {
    const s = session({ suite: CCM8 })
    const d = new DtlsDecryptor({ crypto, psks: [{ identity: ascii('dev-1'), key: KEY }] })
    d.addKeyLog(keyLogLine(s.info))
    const late = s.wire.filter((w) => w.bytes[0] === 23)
    const r = late.map((w) => d.datagram(w.src, w.dst, w.bytes))
    expect(r.every((x) => x.plaintext === undefined && /handshake .* not in the capture/.test(x.undecrypted ?? ''))).toBe(true)
    expect(d.sessions()[0]?.cause).toBe('handshake-missing')
  })

  it('CID records (RFC 9146 §4) decrypt, also after the client moved to a new address (§6)', () => {
    const s = session({ suite: CCM8, clientCid: Uint8Array.of(0xc1, 0xc2), serverCidLength: 6 })
    expect([s.info.ourCid?.length, s.info.peerCid?.length]).toEqual([6, 2])
    s.moveClient('udp:10.0.0.77:50000')
    s.exchange('POST /rd/1 (moved)')
    expect(s.wire.some((w) => w.bytes[0] === 25)).toBe(true)
    const d = new DtlsDecryptor({ crypto, psks: [{ identity: ascii('dev-1'), key: KEY }] })
    const frames = s.wire.map((w) => d.datagram(w.src, w.dst, w.bytes))
    expect(frames.flatMap((f) => (f.plaintext ? [new TextDecoder().decode(f.plaintext)] : []))).toEqual(s.sent)
    expect(frames.filter((f) => f.cid !== undefined).length).toBeGreaterThan(0)
  })

  it('an abbreviated handshake (RFC 5246 §7.3) takes the master secret of the session it resumes', () => {
    const l = lab()
    const first = l.connect({ suite: CCM8 })
    expect(first.info.sessionId.length).toBeGreaterThan(0)
    const again = l.connect({ suite: CCM8, from: 'udp:10.0.0.1:40001', resume: { sessionId: first.info.sessionId, suite: first.info.suite, masterSecret: first.info.masterSecret, extendedMasterSecret: first.info.extendedMasterSecret, identity: first.info.identity } })
    expect(again.info.resumed).toBe(true)
    // Only the first session's line is in the key log: the second has none of its own.
    const d = new DtlsDecryptor({ crypto })
    d.addKeyLog(keyLogLine(first.info))
    expect(decryptAll(d, l.wire)).toEqual([...first.sent, ...again.sent])
    expect(d.sessions().map((s) => s.keySource)).toEqual(['key-log', 'resumed'])
  })

  it('never throws on truncated, corrupted or random datagrams (fuzz)', () => {
    const s = session({ suite: GCM })
    let seed = 7
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    for (let round = 0; round < 300; round++) {
      const d = new DtlsDecryptor({ crypto, psks: [{ identity: ascii('dev-1'), key: KEY }], cidLength: rnd(3) })
      for (const w of s.wire) {
        const b = w.bytes.slice(0, rnd(4) === 0 ? rnd(w.bytes.length + 1) : w.bytes.length)
        for (let k = rnd(3); k > 0 && b.length > 0; k--) {
          const i = rnd(b.length)
          b[i] = (b[i] as number) ^ (1 << rnd(8))
        }
        expect(() => d.datagram(w.src, w.dst, b)).not.toThrow()
      }
      const junk = Uint8Array.from({ length: rnd(80) }, () => rnd(256))
      junk[0] = 20 + rnd(6)
      junk[1] = 0xfe
      junk[2] = 0xfd
      expect(() => d.datagram('udp:1.1.1.1:1', SERVER, junk)).not.toThrow()
      expect(() => d.sessions()).not.toThrow()
    }
  })
})
