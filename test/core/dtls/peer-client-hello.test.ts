// SPDX-License-Identifier: Apache-2.0
// Real peers' ClientHellos (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2): OpenSSL `s_client -dtls1_2 -psk`
// and GnuTLS `gnutls-cli --udp` (PSK) are pointed at a plain UDP socket; their first datagram is
// decoded with record.ts, handshake-header.ts and our ClientHello/extension decoders. Then we answer
// with our own HelloVerifyRequest and check that the second ClientHello carries our cookie, which
// verifies statelessly. Skipped where the binaries are missing (Debian: openssl, gnutls-bin).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { makeCookie, rotateCookieSecrets, verifyCookie } from '../../../src-main/core/dtls/cookie'
import { readHelloExtensions, type HelloExtensions } from '../../../src-main/core/dtls/extensions'
import { decodeHandshakeFragments, encodeHandshakeFragments, HandshakeType } from '../../../src-main/core/dtls/handshake-header'
import { decodeClientHello, encodeHelloVerifyRequest, type ClientHello } from '../../../src-main/core/dtls/handshake-messages'
import { ContentType, decodeRecords, DTLS_1_0, encodeRecord } from '../../../src-main/core/dtls/record'
import { ViolationList } from '../../../src-main/core/violation'
import { crypto } from './helpers'

function has(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0
}
// `npm run setup` installs both (scripts/setup.mjs); a missing one is a failure, never a skip.
it('the peers are installed: openssl and gnutls-cli', () => {
  expect(has('openssl')).toBe(true)
  expect(has('gnutls-cli')).toBe(true)
})

const CCM_8 = 0xc0a8

let peer: ChildProcess | undefined
let socket: Socket | undefined
afterEach(() => {
  peer?.kill('SIGKILL')
  peer = undefined
  socket?.close()
  socket = undefined
})

async function listen(): Promise<{ port: number, next: () => Promise<[Uint8Array, RemoteInfo]> }> {
  const s = createSocket('udp4')
  socket = s
  const queue: [Uint8Array, RemoteInfo][] = []
  const waiting: ((d: [Uint8Array, RemoteInfo]) => void)[] = []
  s.on('message', (m, r) => {
    const item: [Uint8Array, RemoteInfo] = [new Uint8Array(m), r]
    const w = waiting.shift()
    if (w !== undefined) w(item)
    else queue.push(item)
  })
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const next = () => new Promise<[Uint8Array, RemoteInfo]>((resolve, reject) => {
    const q = queue.shift()
    if (q !== undefined) return resolve(q)
    const t = setTimeout(() => reject(new Error('no datagram from the peer within 10 s')), 10_000)
    waiting.push((d) => {
      clearTimeout(t)
      resolve(d)
    })
  })
  return { port: s.address().port, next }
}

/** The ClientHello in a datagram, checked for violations at every layer. */
function clientHelloOf(datagram: Uint8Array): { ch: ClientHello, ext: HelloExtensions, recordSeq: number } {
  const { records, violations } = decodeRecords(datagram)
  expect(violations).toEqual([])
  const record = records[0]!
  expect(record.type).toBe(ContentType.handshake)
  const hs = decodeHandshakeFragments(record.fragment)
  expect(hs.violations).toEqual([])
  const f = hs.fragments[0]!
  expect([f.msgType, f.fragmentOffset, f.body.length]).toEqual([HandshakeType.clientHello, 0, f.length])
  const d = decodeClientHello(f.body)
  expect(d.violations).toEqual([])
  const v = new ViolationList()
  const ext = readHelloExtensions(d.extensionList ?? [], 'client', v)
  expect(v.items).toEqual([])
  expect(ext.extendedMasterSecret).toBe(true) // both stacks offer EMS by default (dtls-facts §2.10)
  return { ch: d.message!, ext, recordSeq: record.sequence }
}

/** Sends our HVR for `ch` and returns the peer's second ClientHello, whose cookie must verify. */
async function cookieRound(next: () => Promise<[Uint8Array, RemoteInfo]>, first: [Uint8Array, RemoteInfo]): Promise<ClientHello> {
  const [datagram, from] = first
  const { ch, recordSeq } = clientHelloOf(datagram)
  expect(ch.cookie).toHaveLength(0)
  const secrets = rotateCookieSecrets(undefined, 0, () => crypto.randomBytes(32))
  const key = `${from.address}:${from.port}`
  const cookie = makeCookie(crypto, secrets.current, key, ch)
  const hvr = encodeHandshakeFragments([{ msgType: HandshakeType.helloVerifyRequest, length: 3 + cookie.length, messageSeq: 0, fragmentOffset: 0,
    body: encodeHelloVerifyRequest({ serverVersion: DTLS_1_0, cookie }) }])
  // RFC 6347 §4.2.1: the HVR carries the ClientHello's record sequence number
  socket!.send(encodeRecord({ type: ContentType.handshake, version: DTLS_1_0, epoch: 0, sequence: recordSeq, fragment: hvr }), from.port, from.address)
  let second: ClientHello | undefined
  while (second === undefined) {
    const got = clientHelloOf((await next())[0]).ch
    if (got.cookie.length > 0) second = got // skip a retransmitted first hello
  }
  expect(verifyCookie(crypto, secrets, key, second)).toBe(true)
  expect(second.random).toEqual(ch.random)
  return second
}

describe('real peers: ClientHello (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2)', () => {
  it('OpenSSL s_client -dtls1_2 -psk: decodes cleanly, offers PSK suites and the renegotiation SCSV (RFC 5746 §3.3)', async () => {
    const { port, next } = await listen()
    peer = spawn('openssl', ['s_client', '-dtls1_2', '-psk', '0102', '-psk_identity', 'id', '-connect', `127.0.0.1:${port}`], { stdio: ['pipe', 'ignore', 'ignore'] })
    const { ch } = clientHelloOf((await next())[0])
    expect(ch.cipherSuites).toContain(0x00a8) // TLS_PSK_WITH_AES_128_GCM_SHA256; CCM_8 is not in OpenSSL's default list
    expect(ch.cipherSuites).toContain(0x00ff)
  })

  it('OpenSSL with -cipher PSK-AES128-CCM8 offers TLS_PSK_WITH_AES_128_CCM_8 and answers our HVR with the cookie', async () => {
    const { port, next } = await listen()
    peer = spawn('openssl', ['s_client', '-dtls1_2', '-psk', '0102', '-psk_identity', 'id', '-cipher', 'PSK-AES128-CCM8', '-connect', `127.0.0.1:${port}`],
      { stdio: ['pipe', 'ignore', 'ignore'] })
    const first = await next()
    expect(clientHelloOf(first[0]).ch.cipherSuites).toContain(CCM_8)
    const second = await cookieRound(next, first)
    expect(second.cipherSuites).toContain(CCM_8)
  })

  it('gnutls-cli --udp (PSK): decodes cleanly, offers CCM_8, record_size_limit and answers our HVR with the cookie', async () => {
    const { port, next } = await listen()
    peer = spawn('gnutls-cli', ['--udp', '-p', String(port), '127.0.0.1', '--pskusername', 'id', '--pskkey', '0102',
      '--priority', 'NONE:+VERS-DTLS1.2:+PSK:+ECDHE-PSK:+AES-128-CCM-8:+AES-128-CCM:+AEAD:+COMP-NULL:+SIGN-ALL:+GROUP-ALL'], { stdio: ['pipe', 'ignore', 'ignore'] })
    const first = await next()
    const { ch, ext } = clientHelloOf(first[0])
    expect(ch.cipherSuites).toContain(CCM_8)
    expect(ext.recordSizeLimit).toBeGreaterThanOrEqual(64)
    await cookieRound(next, first)
  })
})
