// SPDX-License-Identifier: Apache-2.0
// The PSK and ECDHE-PSK handshakes of core/dtls (RFC 6347 §4.2, RFC 4279, RFC 5489, RFC 7627,
// RFC 9146) between our client connection and our server endpoint, over a fake network with a
// fake clock: loss, duplication and reordering of every flight; wrong keys, unknown identities,
// no common suite, CID and address changes. Independent peers (openssl, gnutls) are in
// test/interop/dtls-*.test.ts.
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DtlsConnection, type HandshakeFailure, type SessionInfo } from '../../../src-main/core/dtls/connection'
import { DtlsServerEndpoint } from '../../../src-main/core/dtls/server-endpoint'
import { FakeScheduler } from '../../helpers/fake-scheduler'
import { decodeHandshakeFragments, encodeHandshakeFragments, HandshakeType } from '../../../src-main/core/dtls/handshake-header'
import { decodeHelloVerifyRequest, decodeServerHello, encodeClientHello } from '../../../src-main/core/dtls/handshake-messages'
import { ContentType, decodeRecords, DTLS_1_2, encodeRecords } from '../../../src-main/core/dtls/record'
import { ascii, crypto } from './helpers'

const CCM8 = 0xc0a8
const CBC = 0x00ae
const GCM = 0x00a8
const ECDHE_PSK_CBC = 0xc037
const KEY = ascii('0123456789abcdef')
const TIMING = { initialMs: 1000, maxMs: 60_000, maxTransmissions: 5 }

type Fault = (dir: 'c2s' | 's2c', n: number, d: Uint8Array) => Uint8Array[] | 'drop'

interface Net {
  scheduler: FakeScheduler
  client: DtlsConnection
  server: DtlsServerEndpoint<string>
  clientGot: string[]
  serverGot: string[]
  clientInfo: SessionInfo | null
  serverInfo: SessionInfo | null
  clientFailure: HandshakeFailure | null
  serverFailures: HandshakeFailure[]
  moves: string[]
  /** The client's current source address. */
  address: { key: string }
  sent: { c2s: number; s2c: number }
}

function network(opts: {
  clientSuites?: number[]
  serverSuites?: number[]
  clientKey?: Uint8Array
  identity?: string
  fault?: Fault
  clientCid?: Uint8Array
  serverCidLength?: number
} = {}): Net {
  const scheduler = new FakeScheduler()
  const fault: Fault = opts.fault ?? (() => 'drop' as never)
  const counts = { c2s: 0, s2c: 0 }
  const net = { scheduler, clientGot: [], serverGot: [], clientInfo: null, serverInfo: null, clientFailure: null, serverFailures: [], moves: [], address: { key: '10.0.0.1:4000' }, sent: counts } as unknown as Net
  // Deliveries happen "later" (next tick of the fake clock) so that both sides finish their turn.
  const deliver = (dir: 'c2s' | 's2c', d: Uint8Array): void => {
    const n = ++counts[dir]
    const out = opts.fault ? fault(dir, n, d) : [d]
    if (out === 'drop') return
    for (const x of out) {
      const from = net.address.key
      scheduler.schedule(1, () => (dir === 'c2s' ? net.server.receive(from, from, x) : net.client.receive(x)))
    }
  }
  net.server = new DtlsServerEndpoint<string>({
    crypto,
    scheduler,
    suites: opts.serverSuites ?? [CCM8, GCM, CBC, ECDHE_PSK_CBC],
    pskLookup: (id) => (new TextDecoder().decode(id) === 'dev-1' ? KEY : null),
    cidLength: opts.serverCidLength ?? 0,
    timing: TIMING,
    send: (_to, d) => deliver('s2c', d),
    onEstablished: (_s, info) => (net.serverInfo = info),
    onData: (s, p) => {
      net.serverGot.push(new TextDecoder().decode(p))
      net.server.send(s.key, ascii('echo:' + new TextDecoder().decode(p)))
    },
    onFailed: (_r, _k, f) => net.serverFailures.push(f),
    onMoved: (_s, from, to) => net.moves.push(`${from}→${to}`)
  })
  net.client = new DtlsConnection({
    role: 'client',
    crypto,
    scheduler,
    suites: opts.clientSuites ?? [CCM8],
    psk: { identity: ascii(opts.identity ?? 'dev-1'), key: opts.clientKey ?? KEY },
    ...(opts.clientCid ? { cid: opts.clientCid } : {}),
    timing: TIMING,
    send: (d) => deliver('c2s', d),
    onEstablished: (info) => (net.clientInfo = info),
    onData: (p) => net.clientGot.push(new TextDecoder().decode(p)),
    onFailed: (f) => (net.clientFailure = f)
  })
  return net
}

describe('DTLS 1.2 PSK handshake between our client and our server (RFC 6347 §4.2, RFC 4279)', () => {
  for (const [name, suite] of [['TLS_PSK_WITH_AES_128_CCM_8', CCM8], ['TLS_PSK_WITH_AES_128_CBC_SHA256', CBC], ['TLS_PSK_WITH_AES_128_GCM_SHA256', GCM], ['TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', ECDHE_PSK_CBC]] as const) {
    it(`completes with ${name}, extended master secret, and carries data both ways`, () => {
      const net = network({ clientSuites: [suite] })
      net.client.connect()
      net.scheduler.advance(100)
      expect(net.clientFailure).toBeNull()
      expect(net.clientInfo?.suite.name).toBe(name)
      expect(net.serverInfo?.suite.name).toBe(name)
      expect(net.clientInfo?.extendedMasterSecret).toBe(true)
      expect(net.serverInfo?.masterSecret).toEqual(net.clientInfo?.masterSecret)
      expect(new TextDecoder().decode(net.serverInfo?.identity)).toBe('dev-1')
      expect(net.client.send(ascii('GET /3/0'))).toBe(true)
      net.scheduler.advance(10)
      expect(net.serverGot).toEqual(['GET /3/0'])
      expect(net.clientGot).toEqual(['echo:GET /3/0'])
    })
  }

  it('answers the first ClientHello with a HelloVerifyRequest and keeps no state for it (RFC 6347 §4.2.1)', () => {
    const net = network({ fault: (dir, n, d) => (dir === 'c2s' && n >= 2 ? 'drop' : [d]) })
    net.client.connect()
    net.scheduler.advance(10)
    expect(net.server.stats.helloVerifyRequests).toBe(1)
    expect(net.server.stats.sessions).toBe(0)
  })

  it('survives the loss of every flight once (retransmission timers, §4.2.4)', () => {
    const dropped = new Set<string>()
    const net = network({
      fault: (dir, _n, d) => {
        // Drop the first copy of every flight (a retransmission has new record numbers, same shape).
        const k = `${dir}:${d[0]}:${d[13]}:${d.length}`
        if (!dropped.has(k)) {
          dropped.add(k)
          return 'drop'
        }
        return [d]
      }
    })
    net.client.connect()
    net.scheduler.advance(30_000)
    expect(net.clientFailure).toBeNull()
    expect(net.clientInfo).not.toBeNull()
    expect(net.serverInfo).not.toBeNull()
    expect(dropped.size).toBeGreaterThanOrEqual(5)
  })

  it('survives duplication and reordering of every datagram', () => {
    const held: Uint8Array[] = []
    const net = network({
      fault: (_dir, n, d) => {
        // Each datagram arrives twice; every other one is held back and delivered after the next.
        if (n % 2 === 1) {
          held.push(d)
          return [d]
        }
        const before = held.splice(0)
        return [d, ...before, d]
      }
    })
    net.client.connect()
    net.scheduler.advance(30_000)
    expect(net.clientFailure).toBeNull()
    expect(net.serverFailures).toEqual([])
    expect(net.clientInfo).not.toBeNull()
    net.client.send(ascii('x'))
    net.scheduler.advance(10)
    expect(net.serverGot).toEqual(['x']) // the duplicate is caught by the replay window (§4.1.2.6)
  })

  it('the server retransmits its last flight when the client repeats its Finished flight', () => {
    let s2c = 0
    const net = network({ fault: (dir, _n, d) => (dir === 's2c' && ++s2c === 3 ? 'drop' : [d]) })
    net.client.connect()
    net.scheduler.advance(100)
    expect(net.serverInfo).not.toBeNull()
    expect(net.clientInfo).toBeNull() // the server's Finished was lost
    net.scheduler.advance(5_000)
    expect(net.clientInfo).not.toBeNull()
  })
})

describe('handshake failures name their cause (issue 15 item 6)', () => {
  it('a wrong key: the server says "wrong key for identity dev-1" from its side (Finished/MAC failure)', () => {
    const net = network({ clientKey: ascii('fedcba9876543210') })
    net.client.connect()
    net.scheduler.advance(100)
    expect(net.serverFailures).toHaveLength(1)
    const f = net.serverFailures[0] as HandshakeFailure
    expect(f.cause).toBe('wrong_key')
    expect(f.message).toMatch(/Wrong key for identity dev-1/)
    expect(f.alert?.sent).toBe(true)
    expect(net.clientInfo).toBeNull()
  })

  it('an unknown identity: unknown_psk_identity (RFC 4279 §2) on both sides', () => {
    const net = network({ identity: 'nobody' })
    net.client.connect()
    net.scheduler.advance(100)
    expect(net.serverFailures[0]?.cause).toBe('unknown_psk_identity')
    expect(net.serverFailures[0]?.message).toMatch(/"nobody"/)
    expect(net.clientFailure?.cause).toBe('unknown_psk_identity')
    expect(net.clientFailure?.alert).toMatchObject({ description: 115, sent: false })
  })

  it('no common cipher suite: both lists in the evidence, handshake_failure to the client', () => {
    const net = network({ clientSuites: [GCM], serverSuites: [CCM8] })
    net.client.connect()
    net.scheduler.advance(100)
    expect(net.serverFailures[0]?.cause).toBe('no_common_suite')
    expect(net.serverFailures[0]?.evidence).toMatchObject({ offered: ['TLS_PSK_WITH_AES_128_GCM_SHA256 (0x00A8)'], ours: ['TLS_PSK_WITH_AES_128_CCM_8 (0xC0A8)'] })
    expect(net.clientFailure?.cause).toBe('no_common_suite')
  })

  it('silence: retransmissions run out and the client says so', () => {
    const net = network({ fault: (dir, _n, d) => (dir === 'c2s' ? 'drop' : [d]) })
    net.client.connect()
    net.scheduler.advance(60_000)
    expect(net.clientFailure?.cause).toBe('timeout')
    expect(net.clientFailure?.message).toMatch(/after 5 transmissions over 31 s: no answer to our ClientHello/)
  })
})

describe('Connection ID (RFC 9146)', () => {
  it('negotiates CIDs, sends tls12_cid records, and keeps the session when the client changes address', () => {
    const net = network({ clientCid: new Uint8Array(0), serverCidLength: 6 })
    net.client.connect()
    net.scheduler.advance(100)
    expect(net.clientInfo?.peerCid?.length).toBe(6)
    net.address.key = '10.0.0.1:5000' // the NAT gave the client a new port
    net.client.send(ascii('after-rebinding'))
    net.scheduler.advance(10)
    expect(net.serverGot).toEqual(['after-rebinding'])
    expect(net.moves).toEqual(['10.0.0.1:4000→10.0.0.1:5000'])
    expect(net.clientGot).toEqual(['echo:after-rebinding'])
    expect([...net.server.sessions()]).toHaveLength(1)
  })

  it('without a CID, a new address is a new peer: its records are not taken as the session', () => {
    const net = network()
    net.client.connect()
    net.scheduler.advance(100)
    net.address.key = '10.0.0.1:5000'
    net.client.send(ascii('lost'))
    net.scheduler.advance(10)
    expect(net.serverGot).toEqual([])
    expect(net.moves).toEqual([])
  })

  it('a client that requires a CID fails plainly when the server does not take it', () => {
    const scheduler = new FakeScheduler()
    let failure: HandshakeFailure | null = null
    let server: DtlsServerEndpoint<string> | null = null
    const client = new DtlsConnection({
      role: 'client', crypto, scheduler, suites: [CCM8], psk: { identity: ascii('dev-1'), key: KEY }, cid: new Uint8Array(0), requireCid: true, timing: TIMING,
      send: (d) => scheduler.schedule(1, () => server?.receive('a', 'a', d)),
      onFailed: (f) => (failure = f)
    })
    server = new DtlsServerEndpoint<string>({ crypto, scheduler, suites: [CCM8], pskLookup: () => KEY, timing: TIMING, send: (_r, d) => scheduler.schedule(1, () => client.receive(d)) })
    client.connect()
    scheduler.advance(100)
    expect((failure as HandshakeFailure | null)?.cause).toBe('cid_not_negotiated')
  })
})

describe('ECDHE_ECDSA with raw public keys (RFC 7250, RFC 8422) between our client and our server', () => {
  
  const pair = (): { publicKey: Uint8Array; privateKey: Uint8Array } => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    return { publicKey: new Uint8Array(k.publicKey.export({ format: 'der', type: 'spki' })), privateKey: new Uint8Array(k.privateKey.export({ format: 'der', type: 'pkcs8' })) }
  }
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

  function run(clientKey: { publicKey: Uint8Array; privateKey: Uint8Array }, trustedClient: Uint8Array, suite = 0xc0ae) {
    const scheduler = new FakeScheduler()
    const serverKey = pair()
    let clientInfo: SessionInfo | null = null
    let serverInfo: SessionInfo | null = null
    const failures: HandshakeFailure[] = []
    let server: DtlsServerEndpoint<string> | null = null
    const client = new DtlsConnection({
      role: 'client', crypto, scheduler, suites: [suite], timing: TIMING,
      certificate: clientKey,
      verifyPeer: (kind, entries) => (kind === 'rpk' && same(entries[0] as Uint8Array, serverKey.publicKey) ? { ok: true, identity: ascii('server') } : { ok: false, cause: 'cert_untrusted', message: 'not the server key', evidence: {} }),
      send: (d) => scheduler.schedule(1, () => server?.receive('c', 'c', d)),
      onEstablished: (i) => (clientInfo = i),
      onFailed: (f) => failures.push(f)
    })
    server = new DtlsServerEndpoint<string>({
      crypto, scheduler, suites: [0xc0ae, 0xc02b, 0xc023], pskLookup: () => null, timing: TIMING,
      certificate: serverKey,
      verifyPeer: (kind, entries) => (kind === 'rpk' && same(entries[0] as Uint8Array, trustedClient) ? { ok: true, identity: ascii('dev-rpk'), endpoint: 'dev-rpk' } : { ok: false, cause: 'cert_untrusted', message: 'unknown raw public key', evidence: {} }),
      send: (_r, d) => scheduler.schedule(1, () => client.receive(d)),
      onEstablished: (_s, i) => (serverInfo = i),
      onFailed: (_r, _k, f) => failures.push(f)
    })
    client.connect()
    scheduler.advance(100)
    return { clientInfo: clientInfo as SessionInfo | null, serverInfo: serverInfo as SessionInfo | null, failures }
  }

  for (const [name, code] of [['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 0xc0ae], ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 0xc02b], ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 0xc023]] as const) {
    it(`${name}: both ends present raw public keys and prove them`, () => {
      const k = pair()
      const r = run(k, k.publicKey, code)
      expect(r.failures).toEqual([])
      expect(r.serverInfo?.suite.name).toBe(name)
      expect(r.serverInfo?.peerEndpoint).toBe('dev-rpk')
      expect(r.serverInfo?.certificateTypes).toEqual({ client: 'rpk', server: 'rpk' })
      expect(r.clientInfo?.masterSecret).toEqual(r.serverInfo?.masterSecret)
    })
  }

  it('an unknown client key is refused with the store’s reason', () => {
    const r = run(pair(), pair().publicKey)
    expect(r.serverInfo).toBeNull()
    expect(r.failures[0]).toMatchObject({ cause: 'cert_untrusted', message: 'unknown raw public key' })
  })

  it('a client that sends someone else’s public key cannot sign for it (CertificateVerify fails)', () => {
    const victim = pair()
    const attacker = pair()
    const r = run({ publicKey: victim.publicKey, privateKey: attacker.privateKey }, victim.publicKey)
    expect(r.serverInfo).toBeNull()
    expect(r.failures[0]?.cause).toBe('cert_untrusted')
    expect(r.failures[0]?.message).toMatch(/CertificateVerify does not verify/)
  })
})

describe('session resumption by session ID (RFC 5246 §7.3, RFC 7627 §5.3)', () => {
  it('a second connection resumes the first session: abbreviated handshake, same master secret, fresh keys', () => {
    const scheduler = new FakeScheduler()
    const serverInfos: SessionInfo[] = []
    let client: DtlsConnection | null = null
    const server = new DtlsServerEndpoint<string>({
      crypto, scheduler, suites: [CCM8], pskLookup: () => KEY, timing: TIMING,
      send: (_r, d) => scheduler.schedule(1, () => client?.receive(d)),
      onEstablished: (_s, i) => serverInfos.push(i)
    })
    const connect = (resume?: SessionInfo): SessionInfo | null => {
      let info: SessionInfo | null = null
      client = new DtlsConnection({
        role: 'client', crypto, scheduler, suites: [CCM8], psk: { identity: ascii('dev-1'), key: KEY }, timing: TIMING,
        ...(resume ? { resume } : {}),
        send: (d) => scheduler.schedule(1, () => server.receive('10.0.0.1:1', '10.0.0.1:1', d)),
        onEstablished: (i) => (info = i)
      })
      client.connect()
      scheduler.advance(100)
      return info
    }
    const a = connect() as SessionInfo | null
    expect(a?.resumed).toBe(false)
    expect(a?.sessionId.length).toBe(32)
    const b = connect(a as SessionInfo) as SessionInfo | null
    expect(b?.resumed).toBe(true)
    expect(serverInfos.map((i) => i.resumed)).toEqual([false, true])
    expect(b?.masterSecret).toEqual(a?.masterSecret)
    expect(b?.clientRandom).not.toEqual(a?.clientRandom)
    expect(new TextDecoder().decode(serverInfos[1]?.identity)).toBe('dev-1')
  })

  it('an unknown session ID gets a full handshake', () => {
    const scheduler = new FakeScheduler()
    let client: DtlsConnection | null = null
    let info: SessionInfo | null = null
    const server = new DtlsServerEndpoint<string>({ crypto, scheduler, suites: [CCM8], pskLookup: () => KEY, timing: TIMING, send: (_r, d) => scheduler.schedule(1, () => client?.receive(d)) })
    const bogus = { sessionId: new Uint8Array(32).fill(7), suite: { code: CCM8 }, masterSecret: new Uint8Array(48), extendedMasterSecret: true, identity: ascii('dev-1') } as unknown as SessionInfo
    client = new DtlsConnection({
      role: 'client', crypto, scheduler, suites: [CCM8], psk: { identity: ascii('dev-1'), key: KEY }, resume: bogus, timing: TIMING,
      send: (d) => scheduler.schedule(1, () => server.receive('x', 'x', d)),
      onEstablished: (i) => (info = i)
    })
    client.connect()
    scheduler.advance(100)
    expect((info as SessionInfo | null)?.resumed).toBe(false)
    expect((info as SessionInfo | null)?.masterSecret).not.toEqual(new Uint8Array(48))
  })
})

describe('ServerHello encoding for strict re-encoding clients', () => {
  it('with no extensions to send, the ServerHello ends after compression_method: no empty block (node-dtls-client re-encodes it for its Finished hash)', () => {
    const scheduler = new FakeScheduler()
    const sent: Uint8Array[] = []
    const server = new DtlsServerEndpoint<string>({ crypto, scheduler, suites: [CCM8], pskLookup: () => KEY, sessionCache: null, timing: TIMING, send: (_r, d) => sent.push(d) })
    // A ClientHello with no extensions at all, as node-dtls-client sends it.
    const hello = (cookie: Uint8Array, seq: number): Uint8Array => {
      const body = encodeClientHello({ clientVersion: DTLS_1_2, random: new Uint8Array(32).fill(9), sessionId: new Uint8Array(0), cookie, cipherSuites: [CCM8], compressionMethods: [0] })
      const fragment = encodeHandshakeFragments([{ msgType: HandshakeType.clientHello, length: body.length, messageSeq: seq, fragmentOffset: 0, body }])
      return encodeRecords([{ type: ContentType.handshake, version: DTLS_1_2, epoch: 0, sequence: seq, fragment }])
    }
    server.receive('a', 'a', hello(new Uint8Array(0), 0))
    const hvr = decodeHandshakeFragments((decodeRecords(sent[0] as Uint8Array).records[0] as { fragment: Uint8Array }).fragment).fragments[0]
    const cookie = decodeHelloVerifyRequest(hvr?.body as Uint8Array).message?.cookie as Uint8Array
    server.receive('a', 'a', hello(cookie, 1))
    const flight = decodeRecords(sent[1] as Uint8Array).records.map((r) => decodeHandshakeFragments(r.fragment).fragments[0])
    const sh = flight.find((f) => f?.msgType === HandshakeType.serverHello)
    // version(2) random(32) session_id(1+0) cipher_suite(2) compression_method(1)
    expect(sh?.body.length).toBe(38)
    expect(decodeServerHello(sh?.body as Uint8Array).message?.extensions).toBeUndefined()
  })
})
