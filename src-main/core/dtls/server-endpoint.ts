// SPDX-License-Identifier: Apache-2.0
// The server side of a DTLS listener (RFC 6347 §4.2.1, RFC 9146 §6): routes each datagram to its
// session by Connection ID or by address, answers a ClientHello without a valid cookie with a
// stateless HelloVerifyRequest (nothing is allocated for a peer before it proves its address),
// and bounds sessions and handshakes in progress. Pure and generic over the transport's remote
// address `R`: the transport names each remote with a string key.
import type { Crypto } from '../crypto'
import type { Scheduler } from '../ports'
import type { CertificateKind } from './certificate-messages'
import { DtlsConnection, type HandshakeFailure, type OwnCertificate, type PeerCheck, type SessionCache, type SessionInfo } from './connection'
import { BoundedSessionCache } from './session-cache'
import { makeCookie, rotateCookieSecrets, verifyCookie, type CookieSecrets } from './cookie'
import type { FlightTiming } from './flight-timer'
import { decodeHandshakeFragments, encodeHandshakeFragments, HandshakeType } from './handshake-header'
import { decodeClientHello, encodeHelloVerifyRequest } from './handshake-messages'
import { ContentType, decodeRecords, DTLS_1_0, encodeRecords } from './record'

export interface DtlsServerOptions<R> {
  readonly crypto: Crypto
  readonly scheduler: Scheduler
  readonly suites: readonly number[]
  readonly pskLookup: (identity: Uint8Array) => Uint8Array | null
  /** ECDHE_ECDSA: our key (and certificate chain), and the check of the client's. */
  readonly certificate?: OwnCertificate
  readonly verifyPeer?: (kind: CertificateKind, entries: readonly Uint8Array[]) => PeerCheck
  readonly certificateTypes?: readonly CertificateKind[]
  /** Sessions kept for resumption by ID; default a bounded cache, null turns resumption off. */
  readonly sessionCache?: SessionCache | null
  /** Length of the CIDs we hand out (RFC 9146); 0 = no Connection ID on this listener. */
  readonly cidLength?: number
  readonly mtu?: number
  readonly timing?: FlightTiming
  /** Sessions kept at once (established or in handshake); new hellos are dropped beyond it. */
  readonly maxSessions?: number
  /** Handshakes in progress at once (each holds a few kilobytes and a timer). */
  readonly maxHandshakes?: number
  readonly send: (remote: R, datagram: Uint8Array) => void
  readonly onEstablished?: (session: DtlsSession<R>, info: SessionInfo) => void
  readonly onData?: (session: DtlsSession<R>, plaintext: Uint8Array) => void
  readonly onFailed?: (remote: R, remoteKey: string, failure: HandshakeFailure) => void
  readonly onClosed?: (session: DtlsSession<R>, reason: string) => void
  /** A session's peer moved to another address (RFC 9146 §6: NAT rebinding with a CID). */
  readonly onMoved?: (session: DtlsSession<R>, from: string, to: string) => void
}

export interface DtlsSession<R> {
  /** Stable for the session's life, even when the peer's address changes (with a CID). */
  readonly key: string
  readonly remote: R
  readonly remoteKey: string
  readonly connection: DtlsConnection
  readonly info: SessionInfo | null
}

interface Entry<R> {
  key: string
  remote: R
  remoteKey: string
  connection: DtlsConnection
  info: SessionInfo | null
  /** Where the datagram being processed came from; adopted once a record of it authenticates. */
  candidate: { remote: R; remoteKey: string } | null
  cidHex: string | null
}

export interface DtlsServerStats {
  sessions: number
  handshakes: number
  helloVerifyRequests: number
  droppedHellos: number
  malformed: number
}

function hex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16)
  return s
}

export class DtlsServerEndpoint<R> {
  readonly #o: DtlsServerOptions<R>
  readonly #byAddress = new Map<string, Entry<R>>()
  readonly #byCid = new Map<string, Entry<R>>()
  readonly #byKey = new Map<string, Entry<R>>()
  #secrets: CookieSecrets | undefined
  #handshakes = 0
  readonly stats: DtlsServerStats = { sessions: 0, handshakes: 0, helloVerifyRequests: 0, droppedHellos: 0, malformed: 0 }

  readonly #sessions: SessionCache | null

  constructor(opts: DtlsServerOptions<R>) {
    this.#o = opts
    this.#sessions = opts.sessionCache === undefined ? new BoundedSessionCache(() => opts.scheduler.now()) : opts.sessionCache
  }

  /** A datagram from `remote` (named `remoteKey`, e.g. "192.0.2.1:40000"). Never throws. */
  receive(remote: R, remoteKey: string, datagram: Uint8Array): void {
    if (datagram.length === 0) return
    const cidLength = this.#o.cidLength ?? 0
    if (datagram[0] === ContentType.tls12Cid) {
      if (cidLength === 0 || datagram.length < 11 + cidLength) return
      const e = this.#byCid.get(hex(datagram.subarray(11, 11 + cidLength)))
      if (e === undefined) return
      this.#deliver(e, remote, remoteKey, datagram)
      return
    }
    const e = this.#byAddress.get(remoteKey)
    if (e !== undefined && !this.#startsNewHandshake(e, datagram)) {
      this.#deliver(e, remote, remoteKey, datagram)
      return
    }
    this.#hello(remote, remoteKey, datagram)
  }

  /** Application data to the session `key`; false when it is gone or not established. */
  send(key: string, plaintext: Uint8Array): boolean {
    const e = this.#byKey.get(key)
    return e !== undefined && e.connection.send(plaintext)
  }

  session(key: string): DtlsSession<R> | undefined {
    return this.#byKey.get(key)
  }

  /** The session a remote address belongs to now, if any. */
  sessionAt(remoteKey: string): DtlsSession<R> | undefined {
    return this.#byAddress.get(remoteKey)
  }

  sessions(): IterableIterator<DtlsSession<R>> {
    return this.#byKey.values()
  }

  /** Sends close_notify on every session and forgets them. */
  close(): void {
    for (const e of [...this.#byKey.values()]) {
      e.connection.close()
      this.#forget(e)
    }
  }

  #deliver(e: Entry<R>, remote: R, remoteKey: string, datagram: Uint8Array): void {
    e.candidate = remoteKey === e.remoteKey ? null : { remote, remoteKey }
    e.connection.receive(datagram)
    e.candidate = null
  }

  /**
   * An epoch-0 ClientHello that is not a repeat of the hello this session began with. A repeat
   * (a retransmission, or a replay by someone who saw it: its cookie still verifies) goes to the
   * session, which answers with its last flight; only a hello with a new random may start a new
   * handshake and so replace the session (RFC 6347 §4.2.8).
   */
  #startsNewHandshake(e: Entry<R>, datagram: Uint8Array): boolean {
    if (datagram.length < 14 + 12 || datagram[0] !== ContentType.handshake) return false
    if (datagram[3] !== 0 || datagram[4] !== 0 || datagram[13] !== HandshakeType.clientHello) return false
    // The hello's random sits at body offset 2, after client_version.
    const randomAt = 13 + 12 + 2
    if (datagram.length < randomAt + 32) return false
    const random = datagram.subarray(randomAt, randomAt + 32)
    const ours = e.connection.clientRandom
    return ours.length !== 32 || random.some((b, i) => b !== ours[i])
  }

  #hello(remote: R, remoteKey: string, datagram: Uint8Array): void {
    const { records } = decodeRecords(datagram)
    const record = records[0]
    if (record === undefined || record.epoch !== 0 || record.type !== ContentType.handshake) return
    const { fragments } = decodeHandshakeFragments(record.fragment)
    const f = fragments[0]
    // Before the cookie the server keeps nothing, so it cannot reassemble: the hello must be whole.
    if (f === undefined || f.msgType !== HandshakeType.clientHello || f.fragmentOffset !== 0 || f.body.length !== f.length) {
      this.stats.malformed++
      return
    }
    const ch = decodeClientHello(f.body).message
    if (ch === undefined) {
      this.stats.malformed++
      return
    }
    const now = this.#o.scheduler.now()
    this.#secrets = rotateCookieSecrets(this.#secrets, now, () => this.#o.crypto.randomBytes(32))
    if (!verifyCookie(this.#o.crypto, this.#secrets, remoteKey, ch)) {
      const cookie = makeCookie(this.#o.crypto, this.#secrets.current, remoteKey, ch)
      const hvr = encodeHelloVerifyRequest({ serverVersion: DTLS_1_0, cookie })
      const body = encodeHandshakeFragments([{ msgType: HandshakeType.helloVerifyRequest, length: hvr.length, messageSeq: 0, fragmentOffset: 0, body: hvr }])
      // RFC 6347 §4.2.1: the HelloVerifyRequest takes the ClientHello's record sequence number.
      this.#o.send(remote, encodeRecords([{ type: ContentType.handshake, version: DTLS_1_0, epoch: 0, sequence: record.sequence, fragment: body }]))
      this.stats.helloVerifyRequests++
      return
    }
    const old = this.#byAddress.get(remoteKey)
    if (old === undefined && (this.#byKey.size >= (this.#o.maxSessions ?? 50_000) || this.#handshakes >= (this.#o.maxHandshakes ?? 1000))) {
      this.stats.droppedHellos++
      return
    }
    if (old !== undefined) {
      // A new handshake from an address replaces its old session (RFC 6347 §4.2.8).
      old.connection.dispose()
      this.#forget(old)
    }
    this.#start(remote, remoteKey, { msgType: f.msgType, messageSeq: f.messageSeq, body: f.body }, record.sequence)
  }

  #start(remote: R, remoteKey: string, hello: { msgType: number; messageSeq: number; body: Uint8Array }, recordSequence: number): void {
    const cidLength = this.#o.cidLength ?? 0
    let cid: Uint8Array | undefined
    if (cidLength > 0) {
      do cid = this.#o.crypto.randomBytes(cidLength)
      while (this.#byCid.has(hex(cid)))
    }
    let key = `dtls:${remoteKey}`
    for (let n = 2; this.#byKey.has(key); n++) key = `dtls:${remoteKey}#${n}`
    const entry: Entry<R> = { key, remote, remoteKey, connection: null as unknown as DtlsConnection, info: null, candidate: null, cidHex: null }
    let counted = true
    const uncount = (): void => {
      if (counted) this.#handshakes--
      counted = false
    }
    entry.connection = new DtlsConnection({
      role: 'server',
      crypto: this.#o.crypto,
      scheduler: this.#o.scheduler,
      suites: this.#o.suites,
      pskLookup: this.#o.pskLookup,
      ...(this.#o.certificate ? { certificate: this.#o.certificate } : {}),
      ...(this.#o.verifyPeer ? { verifyPeer: this.#o.verifyPeer } : {}),
      ...(this.#o.certificateTypes ? { certificateTypes: this.#o.certificateTypes } : {}),
      ...(this.#sessions ? { sessionCache: this.#sessions } : {}),
      ...(cid !== undefined ? { cid } : {}),
      ...(this.#o.mtu !== undefined ? { mtu: this.#o.mtu } : {}),
      ...(this.#o.timing !== undefined ? { timing: this.#o.timing } : {}),
      send: (d) => this.#o.send(entry.remote, d),
      onEstablished: (info) => {
        uncount()
        entry.info = info
        this.#o.onEstablished?.(entry, info)
      },
      onData: (p) => this.#o.onData?.(entry, p),
      onFailed: (failure) => {
        uncount()
        this.#forget(entry)
        this.#o.onFailed?.(entry.remote, entry.remoteKey, failure)
      },
      onClosed: (reason) => {
        this.#forget(entry)
        this.#o.onClosed?.(entry, reason)
      },
      onAuthenticated: () => {
        const c = entry.candidate
        if (c === null || entry.info === null || entry.cidHex === null) return
        // Only a session with a CID may move: its records name it whatever the address.
        const from = entry.remoteKey
        if (this.#byAddress.get(from) === entry) this.#byAddress.delete(from)
        const displaced = this.#byAddress.get(c.remoteKey)
        if (displaced !== undefined && displaced !== entry) {
          displaced.connection.dispose()
          this.#forget(displaced)
        }
        entry.remote = c.remote
        entry.remoteKey = c.remoteKey
        this.#byAddress.set(c.remoteKey, entry)
        entry.candidate = null
        this.#o.onMoved?.(entry, from, c.remoteKey)
      }
    })
    this.#handshakes++
    this.#byAddress.set(remoteKey, entry)
    this.#byKey.set(key, entry)
    entry.connection.acceptClientHello(hello, recordSequence)
    const ours = entry.connection.ourCid
    if (ours !== undefined && ours.length > 0 && entry.connection.state !== 'closed') {
      entry.cidHex = hex(ours)
      this.#byCid.set(entry.cidHex, entry)
    }
    this.stats.sessions = this.#byKey.size
    this.stats.handshakes = this.#handshakes
  }

  #forget(e: Entry<R>): void {
    if (this.#byKey.get(e.key) === e) this.#byKey.delete(e.key)
    if (this.#byAddress.get(e.remoteKey) === e) this.#byAddress.delete(e.remoteKey)
    if (e.cidHex !== null && this.#byCid.get(e.cidHex) === e) this.#byCid.delete(e.cidHex)
    this.stats.sessions = this.#byKey.size
    this.stats.handshakes = this.#handshakes
  }
}
