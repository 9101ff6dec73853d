// SPDX-License-Identifier: Apache-2.0
// DTLS 1.2 speed (issue 15): full handshakes per second and protected CoAP-sized round trips per
// second between our client connection and our server endpoint in one process, each as a ratio
// to a crypto-only bound measured in the same run: the same key agreements, PRF, hashes and
// record protection calls with no protocol around them (handshakeBound, roundTripBound). Both
// sides run here, so each figure is the cost of both ends. Goal: handshakes at ≥ 0.7 of the bound.
//
// Run: `npm run bench -- dtls`. ECDHE_ECDSA runs with raw public keys on both sides (RFC 7250).
import { generateKeyPairSync } from 'node:crypto'
import type { Crypto, EcdhKey } from '../../src-main/core/crypto'
import { cipherSuite, type CipherSuite } from '../../src-main/core/dtls/cipher-suites'
import { extendedMasterSecret, keyBlock, verifyData } from '../../src-main/core/dtls/key-schedule'
import { ecdhePskPremaster, pskPremaster } from '../../src-main/core/dtls/premaster'
import { DTLS_1_2 } from '../../src-main/core/dtls/record'
import { createRecordProtection } from '../../src-main/core/dtls/record-protection'
import { DtlsConnection, type OwnCertificate, type PeerCheck } from '../../src-main/core/dtls/connection'
import { DtlsServerEndpoint } from '../../src-main/core/dtls/server-endpoint'
import type { Scheduler } from '../../src-main/core/ports'
import { nodeCrypto } from '../../src-main/transports/node-crypto'
import { paired } from './paired'

/**
 * The crypto a full handshake needs with no protocol around it (issue 15: "the same key
 * agreements, PRF and record protection calls"): the cookie HMAC made and checked, three randoms,
 * per side the transcript hashes (session hash, two Finished hashes), the master secret, the key
 * block and two verify_data, four record protections set up, two Finished records sealed and
 * opened; with ECDHE two ephemeral keys and two agreements.
 */
function handshakeBound(code: number): () => void {
  const suite = cipherSuite(code) as CipherSuite
  const secret = nodeCrypto.randomBytes(32)
  const hello = nodeCrypto.randomBytes(160)
  const transcript = nodeCrypto.randomBytes(400)
  const cr = nodeCrypto.randomBytes(32)
  const sr = nodeCrypto.randomBytes(32)
  const finished = nodeCrypto.randomBytes(24)
  return () => {
    nodeCrypto.hmacSha256(secret, hello)
    nodeCrypto.hmacSha256(secret, hello)
    nodeCrypto.randomBytes(32)
    nodeCrypto.randomBytes(32)
    nodeCrypto.randomBytes(32)
    let premaster = pskPremaster(KEY)
    if (suite.keyExchange === 'ecdhe_ecdsa') {
      // Server signs its ECDHE params, client signs the transcript; each side verifies one.
      const a = nodeCrypto.ecdhKey(23) as EcdhKey
      const b = nodeCrypto.ecdhKey(23) as EcdhKey
      b.agree(a.publicKey)
      premaster = a.agree(b.publicKey) as Uint8Array
      const ske = nodeCrypto.ecdsaSign(SERVER_KEY.privateKey, hello) as Uint8Array
      nodeCrypto.ecdsaVerify(SERVER_KEY.publicKey, hello, ske)
      const cv = nodeCrypto.ecdsaSign(CLIENT_KEY.privateKey, transcript) as Uint8Array
      nodeCrypto.ecdsaVerify(CLIENT_KEY.publicKey, transcript, cv)
    } else if (suite.keyExchange === 'ecdhe_psk') {
      const a = nodeCrypto.ecdhKey(23) as EcdhKey
      const b = nodeCrypto.ecdhKey(23) as EcdhKey
      b.agree(a.publicKey)
      premaster = ecdhePskPremaster(a.agree(b.publicKey) as Uint8Array, KEY)
    }
    for (let side = 0; side < 2; side++) {
      const master = extendedMasterSecret(nodeCrypto, premaster, nodeCrypto.sha256(transcript))
      const kb = keyBlock(nodeCrypto, master, cr, sr, suite)
      verifyData(nodeCrypto, master, 'client', nodeCrypto.sha256(transcript))
      verifyData(nodeCrypto, master, 'server', nodeCrypto.sha256(transcript))
      const mine = createRecordProtection(nodeCrypto, suite, side === 0 ? kb.client : kb.server)
      const theirs = createRecordProtection(nodeCrypto, suite, side === 0 ? kb.server : kb.client)
      const sealed = mine.seal({ type: 22, version: DTLS_1_2, epoch: 1, sequence: 0 }, finished)
      theirs.seal({ type: 22, version: DTLS_1_2, epoch: 1, sequence: 0 }, finished)
      mine.open(sealed)
    }
  }
}

/** Two records sealed and two opened: the record protection of one request and its answer. */
function roundTripBound(code: number, size: number): () => void {
  const suite = cipherSuite(code) as CipherSuite
  const kb = keyBlock(nodeCrypto, nodeCrypto.randomBytes(48), nodeCrypto.randomBytes(32), nodeCrypto.randomBytes(32), suite)
  const c = createRecordProtection(nodeCrypto, suite, kb.client)
  const s = createRecordProtection(nodeCrypto, suite, kb.server)
  const cOpen = createRecordProtection(nodeCrypto, suite, kb.server)
  const sOpen = createRecordProtection(nodeCrypto, suite, kb.client)
  const pt = new Uint8Array(size)
  let seq = 0
  return () => {
    const header = { type: 23, version: DTLS_1_2, epoch: 1, sequence: seq++ }
    sOpen.open(c.seal(header, pt))
    cOpen.open(s.seal(header, pt))
  }
}

/** No timers fire in a benchmark: every flight is answered at once. */
const scheduler: Scheduler = { now: () => performance.now(), schedule: () => () => undefined }
const KEY = new TextEncoder().encode('0123456789abcdef')
/** Raw public keys for ECDHE_ECDSA (RFC 7250): each side trusts the other's key. */
function rawKey(): OwnCertificate {
  const k = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { publicKey: new Uint8Array(k.publicKey.export({ format: 'der', type: 'spki' })), privateKey: new Uint8Array(k.privateKey.export({ format: 'der', type: 'pkcs8' })) }
}
const SERVER_KEY = rawKey()
const CLIENT_KEY = rawKey()
const trust = (): PeerCheck => ({ ok: true, identity: ID })
const ID = new TextEncoder().encode('bench-device')

/** One full handshake over an in-memory wire; returns the established pair for round trips. */
function handshake(crypto: Crypto, suite: number): { client: DtlsConnection; pump: () => void; echo: { n: number } } {
  const queue: Array<() => void> = []
  const echo = { n: 0 }
  let sessionKey = ''
  const server: DtlsServerEndpoint<string> = new DtlsServerEndpoint<string>({
    crypto,
    scheduler,
    suites: [suite],
    pskLookup: () => KEY,
    certificate: SERVER_KEY,
    verifyPeer: trust,
    send: (_to, d) => queue.push(() => client.receive(d)),
    onEstablished: (s) => (sessionKey = s.key),
    onData: (s, p) => server.send(s.key, p)
  })
  const client: DtlsConnection = new DtlsConnection({
    role: 'client',
    crypto,
    scheduler,
    suites: [suite],
    psk: { identity: ID, key: KEY },
    certificate: CLIENT_KEY,
    verifyPeer: trust,
    send: (d) => queue.push(() => server.receive('10.0.0.1:5000', '10.0.0.1:5000', d)),
    onData: () => echo.n++
  })
  const pump = (): void => {
    while (queue.length > 0) (queue.shift() as () => void)()
  }
  client.connect()
  pump()
  if (!client.established || sessionKey === '') throw new Error('bench handshake did not complete')
  return { client, pump, echo }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9)
const coap = Uint8Array.from({ length: 100 }, (_, i) => i)
console.log(`DTLS 1.2 in one process (our client ↔ our server), node ${process.version}`)
console.log(`${'suite'.padEnd(40)} ${'what'.padEnd(12)} ${'ours/s'.padStart(9)} ${'bound/s'.padStart(9)}  ratio (goal ≥ 0.70 for handshakes)`)
for (const [name, code] of [
  ['TLS_PSK_WITH_AES_128_CCM_8', 0xc0a8],
  ['TLS_PSK_WITH_AES_128_GCM_SHA256', 0x00a8],
  ['TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', 0xc037],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (RPK)', 0xc0ae]
] as const) {
  const hs = paired(() => handshake(nodeCrypto, code), handshakeBound(code), 9, 150, 1)
  console.log(`${name.padEnd(40)} ${'handshake'.padEnd(12)} ${fmt(hs.a)} ${fmt(hs.b)}  ${hs.ratio.toFixed(2)}`)
  const pair = handshake(nodeCrypto, code)
  const rt = paired(
    () => {
      const before = pair.echo.n
      pair.client.send(coap)
      pair.pump()
      if (pair.echo.n !== before + 1) throw new Error('no echo')
    },
    roundTripBound(code, coap.length),
    15,
    40,
    20
  )
  console.log(`${name.padEnd(40)} ${'round trip'.padEnd(12)} ${fmt(rt.a)} ${fmt(rt.b)}  ${rt.ratio.toFixed(2)}`)
}
