// SPDX-License-Identifier: Apache-2.0
// One DTLS 1.2 association with one peer, in either role (RFC 6347): the record layer (epochs,
// sequence numbers, replay window, Connection ID records of RFC 9146), handshake flights with
// retransmission (§4.2.4), and the PSK and ECDHE-PSK handshakes (RFC 4279, RFC 5489) with
// extended master secret (RFC 7627) and renegotiation_info (RFC 5746). Pure: datagrams go out
// through `send`, time through the scheduler, randomness and primitives through the Crypto port.
// The stateless cookie exchange happens before a server connection exists (server-endpoint.ts).
//
// Every failure ends in one HandshakeFailure that names its cause in plain words, because a
// technician's question is "why did it not connect", not which alert flew.
import type { Crypto, EcdhKey } from '../crypto'
import { NamedGroup } from '../crypto'
import type { Scheduler } from '../ports'
import { ViolationList } from '../violation'
import { AlertLevel, describeAlert, decodeAlert, encodeAlert, explainAlert, type Alert } from './alert'
import { cipherSuite, describeCipherSuite, type CipherSuite } from './cipher-suites'
import { constantTimeEqual } from './constant-time'
import { helloExtensionList, readHelloExtensions, type HelloExtensions } from './extensions'
import { DEFAULT_FLIGHT_TIMING, flightWait, type FlightTiming } from './flight-timer'
import { decodeHandshakeFragments, encodeHandshakeFragments, fragmentHandshake, HandshakeType, HANDSHAKE_HEADER_LENGTH } from './handshake-header'
import {
  decodeClientHello,
  decodeEcdhePskClientKeyExchange,
  decodeEcdhePskServerKeyExchange,
  decodeFinished,
  decodeHelloVerifyRequest,
  decodePskClientKeyExchange,
  decodePskServerKeyExchange,
  decodeServerHello,
  encodeClientHello,
  encodeEcdhePskClientKeyExchange,
  encodeEcdhePskServerKeyExchange,
  encodeFinished,
  encodePskClientKeyExchange,
  encodeServerHello,
  encodeServerHelloDone,
  RENEGOTIATION_SCSV,
  type ClientHello
} from './handshake-messages'
import { extendedMasterSecret, keyBlock, masterSecret, verifyData } from './key-schedule'
import { ecdhePskPremaster, pskPremaster } from './premaster'
import { HandshakeReassembler, type HandshakeMessage } from './reassembly'
import { ContentType, decodeRecords, DTLS_1_0, DTLS_1_2, encodeRecords, encodedRecordLength, type DtlsRecord } from './record'
import { createRecordProtection, MAX_PLAINTEXT, type RecordProtection } from './record-protection'
import { ReplayWindow } from './replay-window'
import { Transcript } from './transcript'
import {
  certificateTypeCode,
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  decodeEcdheClientKeyExchange,
  decodeEcdheServerKeyExchange,
  ECDSA_SHA256,
  ECDSA_SIGN,
  ecdheParams,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
  encodeEcdheClientKeyExchange,
  encodeEcdheServerKeyExchange,
  type CertificateKind
} from './certificate-messages'
import { CertificateType } from './extensions'

export type DtlsRole = 'client' | 'server'

/** Why a handshake (or an established session) ended badly; stable codes for records and the UI. */
export type FailureCause =
  | 'unknown_psk_identity'
  | 'wrong_key'
  | 'no_common_suite'
  | 'cid_not_negotiated'
  | 'cert_untrusted'
  | 'name_mismatch'
  | 'timeout'
  | 'alert_received'
  | 'malformed'
  | 'unsupported'

export interface HandshakeFailure {
  readonly cause: FailureCause
  /** Plain words: what went wrong and what to check. */
  readonly message: string
  readonly evidence: Readonly<Record<string, unknown>>
  /** The alert that ended it, sent by us or received, with LwM2M's /1/x/11-style code. */
  readonly alert?: { readonly level: number; readonly description: number; readonly name: string; readonly sent: boolean }
  /** The PSK identity the handshake used, when it got that far. */
  readonly identity?: Uint8Array
}

export interface SessionInfo {
  readonly suite: CipherSuite
  readonly extendedMasterSecret: boolean
  /** The PSK identity that authenticated the peer (server) or us (client). */
  readonly identity: Uint8Array
  /** ECDHE_ECDSA: the endpoint the peer's certificate or key is bound to, when the check named one. */
  readonly peerEndpoint?: string
  /** ECDHE_ECDSA: how each side authenticated. */
  readonly certificateTypes?: { readonly client: CertificateKind; readonly server: CertificateKind }
  /** CID we receive with / the peer receives with; undefined when not negotiated. */
  readonly ourCid?: Uint8Array
  readonly peerCid?: Uint8Array
  readonly sessionId: Uint8Array
  /** An abbreviated handshake resumed an earlier session (no key exchange ran). */
  readonly resumed: boolean
  /** The NSS key log line material: client_random and master secret. */
  readonly clientRandom: Uint8Array
  readonly masterSecret: Uint8Array
}

/** Our own key for the ECDHE_ECDSA suites: a raw public key (RFC 7250), and a certificate chain when we have one. */
export interface OwnCertificate {
  /** SubjectPublicKeyInfo (DER) of the key: what a raw-public-key Certificate carries. */
  readonly publicKey: Uint8Array
  /** PKCS#8 DER of the P-256 private key. */
  readonly privateKey: Uint8Array
  /** X.509 chain, leaf first (DER); absent: raw public keys only. */
  readonly chain?: readonly Uint8Array[]
}

/** What the credential store says of the peer's certificate or raw public key. */
export type PeerCheck =
  | { readonly ok: true; readonly identity: Uint8Array; readonly endpoint?: string }
  | { readonly ok: false; readonly cause: 'cert_untrusted' | 'name_mismatch' | 'malformed'; readonly message: string; readonly evidence: Readonly<Record<string, unknown>> }

/** What session resumption needs of an earlier session (RFC 5246 §7.3, abbreviated handshake). */
export interface ResumableSession {
  readonly sessionId: Uint8Array
  readonly suite: CipherSuite
  readonly masterSecret: Uint8Array
  readonly extendedMasterSecret: boolean
  readonly identity: Uint8Array
  readonly peerEndpoint?: string
}

/** Server side: sessions by ID that a client may resume; bounded by whoever implements it. */
export interface SessionCache {
  get(sessionId: Uint8Array): ResumableSession | undefined
  put(session: ResumableSession): void
}

export interface PskClientCredential {
  readonly identity: Uint8Array
  readonly key: Uint8Array
}

export interface ConnectionOptions {
  readonly role: DtlsRole
  readonly crypto: Crypto
  readonly scheduler: Scheduler
  /** Our cipher suites in order of preference (IANA code points). */
  readonly suites: readonly number[]
  /** Client: the identity and key we present. */
  readonly psk?: PskClientCredential
  /** Client: an earlier session with this server to resume (its ID goes into the ClientHello). */
  readonly resume?: ResumableSession
  /** Server: where sessions are kept for resumption; none: every handshake is a full one. */
  readonly sessionCache?: SessionCache
  /** ECDHE_ECDSA suites: our key (and chain); the peer's is checked with `verifyPeer`. */
  readonly certificate?: OwnCertificate
  readonly verifyPeer?: (kind: CertificateKind, entries: readonly Uint8Array[]) => PeerCheck
  /** Certificate types we take and offer, in order of preference; default raw public key, then X.509. */
  readonly certificateTypes?: readonly CertificateKind[]
  /** Server: the key for an identity, or null when it is unknown. */
  readonly pskLookup?: (identity: Uint8Array) => Uint8Array | null
  /**
   * The CID we want to receive records with (RFC 9146 §3). Set: we offer (client) or accept
   * (server) the connection_id extension; an empty array means "send me no CID, but I will use yours".
   */
  readonly cid?: Uint8Array
  /** Client: fail when the server does not negotiate the CID we offered. */
  readonly requireCid?: boolean
  /** Largest datagram we send; handshake messages are fragmented to fit. */
  readonly mtu?: number
  readonly timing?: FlightTiming
  readonly send: (datagram: Uint8Array) => void
  readonly onEstablished?: (info: SessionInfo) => void
  readonly onData?: (plaintext: Uint8Array) => void
  readonly onFailed?: (failure: HandshakeFailure) => void
  /** The peer closed (close_notify) or the session ended after being established. */
  readonly onClosed?: (reason: string) => void
  /** A record authenticated: the transport may follow the peer's new address (RFC 9146 §6). */
  readonly onAuthenticated?: () => void
}

type State = 'idle' | 'handshake' | 'established' | 'closed'

interface FlightItem {
  readonly kind: 'handshake' | 'ccs'
  readonly epoch: number
  readonly msgType?: number
  readonly messageSeq?: number
  readonly body?: Uint8Array
}

interface WriteEpoch {
  readonly protection: RecordProtection | null
  sequence: number
}

// secp256r1 first: LwM2M T §5 names it; X25519 where the peer offers only that.
const GROUPS_WE_OFFER = [NamedGroup.secp256r1, NamedGroup.x25519]
const DEFAULT_MTU = 1200
/** Records of the next epoch that may wait for their ChangeCipherSpec (reordering). */
const MAX_EARLY_RECORDS = 8
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** An identity as people read it: text when it is printable UTF-8, else hex. */
export function identityText(identity: Uint8Array): string {
  try {
    const s = utf8.decode(identity)
    if (/^[\x20-\x7e\u00a0-\uffff]*$/.test(s)) return s
  } catch {
    // not UTF-8
  }
  return '0x' + Array.from(identity, (b) => b.toString(16).padStart(2, '0')).join('')
}

function kindOf(code: number): CertificateKind | undefined {
  return code === CertificateType.rawPublicKey ? 'rpk' : code === CertificateType.x509 ? 'x509' : undefined
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function hex(b: Uint8Array | undefined): string | null {
  return b === undefined ? null : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

export class DtlsConnection {
  #state: State = 'idle'
  readonly #o: ConnectionOptions
  readonly #mtu: number
  readonly #timing: FlightTiming
  readonly #reassembler = new HandshakeReassembler(0)
  readonly #transcript = new Transcript()
  #sendSeq = 0
  readonly #write = new Map<number, WriteEpoch>([[0, { protection: null, sequence: 0 }]])
  #writeEpoch = 0
  #readEpoch = 0
  #readProtection: RecordProtection | null = null
  #pendingRead: RecordProtection | null = null
  #pendingWrite: RecordProtection | null = null
  #replay = new ReplayWindow(64)
  #early: DtlsRecord[] = []
  #flight: FlightItem[] = []
  #transmissions = 0
  #cancelTimer: (() => void) | null = null
  #lastRetransmitOnOld = -Infinity

  // Negotiated and handshake values.
  #clientRandom: Uint8Array = new Uint8Array(0)
  #serverRandom: Uint8Array = new Uint8Array(0)
  #sessionId: Uint8Array = new Uint8Array(0)
  #suite: CipherSuite | null = null
  #ems = false
  #identity: Uint8Array | undefined
  #psk: Uint8Array | undefined
  #ecdh: EcdhKey | null = null
  #group = 0
  #peerPoint: Uint8Array | undefined
  #master: Uint8Array | undefined
  #ourCid: Uint8Array | undefined
  #peerCid: Uint8Array | undefined
  #peerRecordLimit = MAX_PLAINTEXT
  #cookie: Uint8Array = new Uint8Array(0)
  #offeredSuites: readonly number[] = []
  #expectFinished = false
  #clientCertKind: CertificateKind = 'x509'
  #serverCertKind: CertificateKind = 'x509'
  #peerPublicKey: Uint8Array | undefined
  #peerEndpoint: string | undefined
  #certificateRequested = false
  #peerProved = false
  #resumed = false

  constructor(opts: ConnectionOptions) {
    this.#o = opts
    this.#mtu = opts.mtu ?? DEFAULT_MTU
    this.#timing = opts.timing ?? DEFAULT_FLIGHT_TIMING
  }

  get state(): State {
    return this.#state
  }

  get established(): boolean {
    return this.#state === 'established'
  }

  /** The CID peers put in records to us, once negotiated (the server endpoint routes by it). */
  get ourCid(): Uint8Array | undefined {
    return this.#ourCid
  }

  get identity(): Uint8Array | undefined {
    return this.#identity
  }

  get clientRandom(): Uint8Array {
    return this.#clientRandom
  }

  /** Client: sends the first ClientHello. */
  connect(): void {
    if (this.#o.role !== 'client' || this.#state !== 'idle') throw new Error('connect() is for an idle client connection')
    this.#state = 'handshake'
    this.#clientRandom = this.#random32()
    this.#sendClientHello()
  }

  /**
   * Server: starts from a ClientHello whose cookie the endpoint has verified. `recordSequence` is
   * that hello's record sequence number; our epoch-0 numbers continue from it so that they stay
   * above the HelloVerifyRequest's (RFC 6347 §4.2.1).
   */
  acceptClientHello(message: HandshakeMessage, recordSequence: number): void {
    if (this.#o.role !== 'server' || this.#state !== 'idle') throw new Error('acceptClientHello() is for an idle server connection')
    this.#state = 'handshake'
    ;(this.#write.get(0) as WriteEpoch).sequence = recordSequence
    this.#reassembler.reset(message.messageSeq + 1)
    this.#sendSeq = message.messageSeq
    this.#serverOnClientHello(message)
  }

  /** A datagram from the peer (already routed here by address or CID). Never throws. */
  receive(datagram: Uint8Array): void {
    if (this.#state === 'closed') return
    const decoded = decodeRecords(datagram, { cidLength: this.#ourCid?.length ?? 0 })
    for (const record of decoded.records) {
      if ((this.#state as State) === 'closed') return
      this.#receiveRecord(record)
    }
  }

  /** Sends application data (CoAP) once established; false when the session is not up. */
  send(plaintext: Uint8Array): boolean {
    if (this.#state !== 'established') return false
    const limit = Math.min(MAX_PLAINTEXT, this.#peerRecordLimit)
    if (plaintext.length > limit) return false
    const record = this.#seal(ContentType.applicationData, this.#writeEpoch, plaintext)
    this.#o.send(encodeRecords([record]))
    return true
  }

  /** Sends close_notify and ends the session. */
  close(): void {
    if (this.#state === 'closed') return
    if (this.#state === 'established') this.#sendAlert({ level: AlertLevel.warning, description: 0 })
    this.#end()
  }

  /** Stops timers without a word to the peer (the transport is going away). */
  dispose(): void {
    this.#end()
  }

  // ----- record layer -----------------------------------------------------------------------

  #receiveRecord(record: DtlsRecord): void {
    const version = record.version
    if (version !== DTLS_1_2 && !(version === DTLS_1_0 && record.epoch === 0)) return
    if (record.epoch === this.#readEpoch && this.#readEpoch > 0) {
      this.#openAndHandle(record, this.#readProtection as RecordProtection, this.#replay)
      return
    }
    if (record.epoch === 0) {
      // Plain epoch-0 records: the handshake before ChangeCipherSpec, or a peer retransmitting
      // its last epoch-0 flight because ours was lost.
      if (record.type === ContentType.tls12Cid) return
      this.#handlePlain(record.type, record.fragment, 0)
      return
    }
    if (record.epoch === this.#readEpoch + 1 && this.#state === 'handshake' && this.#early.length < MAX_EARLY_RECORDS) {
      // Arrived before its ChangeCipherSpec (reordering): keep it for the switch.
      this.#early.push(record)
    }
  }

  #openAndHandle(record: DtlsRecord, protection: RecordProtection, replay: ReplayWindow): void {
    if (!replay.check(record.sequence)) return
    const opened = protection.open(record)
    if (!opened.ok) {
      if (opened.failure === 'integrity' && this.#state === 'handshake' && this.#expectFinished) {
        // The peer's first protected record is its Finished: if it does not authenticate, its
        // keys differ from ours, which for PSK means a different key for this identity.
        this.#fail(this.#wrongKey('its Finished record did not authenticate (bad_record_mac)'), { level: AlertLevel.fatal, description: 20 })
      }
      return // RFC 6347 §4.1.2.7: silently discard
    }
    replay.mark(record.sequence)
    this.#o.onAuthenticated?.()
    this.#handlePlain(opened.type, opened.plaintext, record.epoch)
  }

  #handlePlain(type: number, plaintext: Uint8Array, epoch: number): void {
    switch (type) {
      case ContentType.handshake:
        this.#onHandshakeRecord(plaintext, epoch)
        return
      case ContentType.changeCipherSpec:
        this.#onChangeCipherSpec(plaintext, epoch)
        return
      case ContentType.alert:
        this.#onAlert(plaintext, epoch)
        return
      case ContentType.applicationData:
        if (epoch > 0 && this.#state === 'established') this.#o.onData?.(plaintext)
        return
      default:
        return // heartbeat and unknown types are ignored (RFC 6347 §4.1.2.7 spirit)
    }
  }

  #seal(type: number, epoch: number, plaintext: Uint8Array): DtlsRecord {
    const w = this.#write.get(epoch) as WriteEpoch
    const sequence = w.sequence++
    if (w.protection === null) return { type, version: DTLS_1_2, epoch, sequence, fragment: plaintext }
    const cid = this.#peerCid !== undefined && this.#peerCid.length > 0 ? this.#peerCid : undefined
    return w.protection.seal(cid === undefined ? { type, version: DTLS_1_2, epoch, sequence } : { type, version: DTLS_1_2, epoch, sequence, cid }, plaintext)
  }

  #sendAlert(alert: Alert): void {
    try {
      this.#o.send(encodeRecords([this.#seal(ContentType.alert, this.#writeEpoch, encodeAlert(alert))]))
    } catch {
      // nothing more to do for a session that is ending
    }
  }

  // ----- flights ----------------------------------------------------------------------------

  #handshakeItem(msgType: number, body: Uint8Array): FlightItem {
    const item: FlightItem = { kind: 'handshake', epoch: this.#writeEpoch, msgType, messageSeq: this.#sendSeq++, body }
    this.#transcript.add(msgType, item.messageSeq as number, body)
    return item
  }

  #ccsItem(): FlightItem {
    const item: FlightItem = { kind: 'ccs', epoch: this.#writeEpoch }
    this.#switchWriteEpoch()
    return item
  }

  #switchWriteEpoch(): void {
    const next = this.#writeEpoch + 1
    this.#write.set(next, { protection: this.#pendingWrite, sequence: 0 })
    this.#writeEpoch = next
  }

  /** Sends a new flight and arms its timer; `final` flights wait for no answer (server's last). */
  #sendFlight(items: FlightItem[], final: boolean): void {
    this.#flight = items
    this.#transmissions = 0
    this.#transmit()
    if (!final) this.#arm()
    else this.#disarm()
  }

  #transmit(): void {
    this.#transmissions++
    const datagrams: DtlsRecord[][] = [[]]
    let size = 0
    const overheadGuess = 13 + 16 + 32 + 16 + (this.#peerCid?.length ?? 0)
    const maxBody = Math.max(64, Math.min(this.#mtu, this.#peerRecordLimit) - overheadGuess - HANDSHAKE_HEADER_LENGTH)
    const push = (r: DtlsRecord): void => {
      const n = encodedRecordLength(r)
      if (size + n > this.#mtu && (datagrams[datagrams.length - 1] as DtlsRecord[]).length > 0) {
        datagrams.push([])
        size = 0
      }
      ;(datagrams[datagrams.length - 1] as DtlsRecord[]).push(r)
      size += n
    }
    for (const item of this.#flight) {
      if (item.kind === 'ccs') {
        push(this.#seal(ContentType.changeCipherSpec, item.epoch, Uint8Array.of(1)))
        continue
      }
      for (const f of fragmentHandshake(item.msgType as number, item.messageSeq as number, item.body as Uint8Array, maxBody)) {
        push(this.#seal(ContentType.handshake, item.epoch, encodeHandshakeFragments([f])))
      }
    }
    for (const d of datagrams) if (d.length > 0) this.#o.send(encodeRecords(d))
  }

  /** The flight already sent becomes the last one: no timer, kept for the peer's retransmissions. */
  #sendFlightFinal(): void {
    this.#disarm()
  }

  #arm(): void {
    this.#disarm()
    const wait = flightWait(this.#timing, this.#transmissions)
    this.#cancelTimer = this.#o.scheduler.schedule(wait, () => {
      this.#cancelTimer = null
      if (this.#state !== 'handshake') return
      if (this.#transmissions >= this.#timing.maxTransmissions) {
        this.#fail(this.#timeoutFailure(), undefined)
        return
      }
      this.#transmit()
      this.#arm()
    })
  }

  #disarm(): void {
    this.#cancelTimer?.()
    this.#cancelTimer = null
  }

  /** The peer repeats a flight we already answered: our answer was lost; send it again (§4.2.4). */
  #peerRetransmitted(): void {
    const now = this.#o.scheduler.now()
    if (this.#flight.length === 0 || now - this.#lastRetransmitOnOld < 250) return
    this.#lastRetransmitOnOld = now
    this.#transmit()
  }

  // ----- handshake messages -----------------------------------------------------------------

  #onHandshakeRecord(plaintext: Uint8Array, epoch: number): void {
    const decoded = decodeHandshakeFragments(plaintext)
    if (decoded.fragments.length === 0) return
    let old = false
    for (const f of decoded.fragments) {
      if (this.#state === 'established' || (epoch === 0 && this.#readEpoch > 0)) {
        // A handshake record after we finished: the peer did not get our last flight.
        old = true
        continue
      }
      const outcome = this.#reassembler.push(f)
      if (outcome.kind === 'old') old = true
      else if (outcome.kind === 'rejected') {
        this.#fail({ cause: 'malformed', message: `The peer sent a broken handshake message: ${outcome.violation.message}`, evidence: { rule: outcome.violation.rule } }, { level: AlertLevel.fatal, description: 50 })
        return
      }
    }
    if (old) this.#peerRetransmitted()
    for (let m = this.#reassembler.take(); m !== null && this.#state === 'handshake'; m = this.#reassembler.take()) {
      if ((m.msgType === HandshakeType.finished) !== (epoch > 0)) {
        this.#fail({ cause: 'malformed', message: `A ${m.msgType === HandshakeType.finished ? 'Finished' : 'handshake'} message came in epoch ${epoch}.`, evidence: { msgType: m.msgType, epoch } }, { level: AlertLevel.fatal, description: 10 })
        return
      }
      if (this.#o.role === 'server') this.#serverOnMessage(m)
      else this.#clientOnMessage(m)
    }
  }

  #onChangeCipherSpec(plaintext: Uint8Array, epoch: number): void {
    if (this.#state !== 'handshake' || epoch !== this.#readEpoch) return
    if (plaintext.length !== 1 || plaintext[0] !== 1) return
    if (this.#pendingRead === null) return // before the keys exist: the peer will retransmit
    this.#readProtection = this.#pendingRead
    this.#pendingRead = null
    this.#readEpoch++
    this.#replay = new ReplayWindow(64)
    this.#expectFinished = true
    const early = this.#early
    this.#early = []
    for (const r of early) if (r.epoch === this.#readEpoch) this.#openAndHandle(r, this.#readProtection, this.#replay)
  }

  #onAlert(plaintext: Uint8Array, epoch: number): void {
    const { alert } = decodeAlert(plaintext)
    if (alert === undefined) return
    // Plain alerts after the switch could be forged by anyone on the path: ignore them then.
    if (epoch === 0 && this.#readEpoch > 0) return
    if (alert.description === 0) {
      const was = this.#state
      this.#end()
      if (was === 'established') this.#o.onClosed?.('the peer closed the session (close_notify)')
      else this.#o.onFailed?.({ cause: 'alert_received', message: 'The peer closed the connection during the handshake (close_notify).', evidence: {}, alert: { ...alert, name: describeAlert(0), sent: false } })
      return
    }
    if (alert.level === AlertLevel.warning && alert.description !== 115) return
    const info = { ...alert, name: describeAlert(alert.description), sent: false }
    if (this.#state === 'established') {
      this.#end()
      this.#o.onClosed?.(`the peer ended the session: ${explainAlert(alert)}`)
      return
    }
    const who = this.#o.role === 'server' ? 'The client' : 'The server'
    let cause: FailureCause = 'alert_received'
    let message = `${who} refused the handshake: ${explainAlert(alert)}`
    if (alert.description === 115) {
      cause = 'unknown_psk_identity'
      message = `${who} does not know the PSK identity "${identityText(this.#o.psk?.identity ?? new Uint8Array(0))}" (unknown_psk_identity).`
    } else if ((alert.description === 20 || alert.description === 51) && this.#psk !== undefined) {
      cause = 'wrong_key'
      message = `${who} says our keys differ (${describeAlert(alert.description)}): wrong key for identity ${identityText(this.#identity ?? new Uint8Array(0))}.`
    } else if (alert.description === 40 && this.#suite === null) {
      cause = 'no_common_suite'
      message = `${who} found no cipher suite in common (handshake_failure). We offered: ${this.#offeredSuites.map(describeCipherSuite).join(', ')}.`
    }
    this.#end()
    this.#o.onFailed?.({ cause, message, evidence: { alert: info.name }, alert: info, ...(this.#identity ? { identity: this.#identity } : {}) })
  }

  // ----- server role ------------------------------------------------------------------------

  #serverOnClientHello(m: HandshakeMessage): void {
    const d = decodeClientHello(m.body)
    const ch = d.message
    if (ch === undefined) {
      this.#fail({ cause: 'malformed', message: `The ClientHello could not be read: ${d.violations[0]?.message ?? 'malformed'}`, evidence: {} }, { level: AlertLevel.fatal, description: 50 })
      return
    }
    this.#transcript.add(m.msgType, m.messageSeq, m.body)
    const v = new ViolationList()
    const ext: HelloExtensions = readHelloExtensions(d.extensionList ?? [], 'client', v)
    this.#clientRandom = ch.random
    this.#offeredSuites = ch.cipherSuites
    if (ch.clientVersion !== DTLS_1_2 && ch.clientVersion < DTLS_1_2) {
      // Lower numbers are newer in DTLS; anything "newer" than 1.2 negotiates down to 1.2.
    } else if (ch.clientVersion > DTLS_1_2 && ch.clientVersion !== DTLS_1_0) {
      this.#fail({ cause: 'unsupported', message: `The client offers only an older DTLS version (0x${ch.clientVersion.toString(16)}); DTLS 1.2 is required.`, evidence: { clientVersion: ch.clientVersion } }, { level: AlertLevel.fatal, description: 70 })
      return
    }
    if (ch.clientVersion === DTLS_1_0) {
      this.#fail({ cause: 'unsupported', message: 'The client offers only DTLS 1.0; DTLS 1.2 is required (LwM2M T §5).', evidence: { clientVersion: ch.clientVersion } }, { level: AlertLevel.fatal, description: 70 })
      return
    }
    const groups = ext.supportedGroups ?? [NamedGroup.secp256r1]
    const group = GROUPS_WE_OFFER.find((g) => groups.includes(g))
    // ECDHE_ECDSA: our key signs with ecdsa_secp256r1_sha256, which the client must list (RFC 8422 §5.1.3).
    const kinds = this.#o.certificateTypes ?? ['rpk', 'x509']
    // Among the types the client offers, ours decide the order (RFC 7250 §4.2: the server selects).
    const offeredServer = (ext.serverCertificateTypes ?? [CertificateType.x509]).map(kindOf)
    const offeredClient = (ext.clientCertificateTypes ?? [CertificateType.x509]).map(kindOf)
    const serverKind = kinds.find((k) => offeredServer.includes(k) && (k === 'rpk' || (this.#o.certificate?.chain?.length ?? 0) > 0))
    const clientKind = kinds.find((k) => offeredClient.includes(k))
    const canEcdsa = this.#o.certificate !== undefined && this.#o.verifyPeer !== undefined && group !== undefined &&
      (ext.signatureAlgorithms ?? []).includes(ECDSA_SHA256) && serverKind !== undefined && clientKind !== undefined
    // Session resumption (RFC 5246 §7.3) when the cache knows the ID, the suite is still on both
    // lists and EMS is used as before (RFC 7627 §5.3); otherwise a full handshake.
    const cached = ch.sessionId.length > 0 ? this.#o.sessionCache?.get(ch.sessionId) : undefined
    const resumable = cached !== undefined && ch.cipherSuites.includes(cached.suite.code) && this.#o.suites.includes(cached.suite.code) && cached.extendedMasterSecret === (ext.extendedMasterSecret === true)
    const suite = resumable ? cached.suite : this.#o.suites
      .map((c) => cipherSuite(c))
      .find((s): s is CipherSuite =>
        s !== undefined &&
        ch.cipherSuites.includes(s.code) &&
        ((s.keyExchange === 'psk' && this.#o.pskLookup !== undefined) ||
          (s.keyExchange === 'ecdhe_psk' && this.#o.pskLookup !== undefined && group !== undefined) ||
          (s.keyExchange === 'ecdhe_ecdsa' && canEcdsa)))
    if (suite === undefined) {
      this.#fail({
        cause: 'no_common_suite',
        message: `No cipher suite in common. The client offered ${ch.cipherSuites.map(describeCipherSuite).join(', ')}; this listener accepts ${this.#o.suites.map(describeCipherSuite).join(', ')}.`,
        evidence: { offered: ch.cipherSuites.map(describeCipherSuite), ours: this.#o.suites.map(describeCipherSuite) }
      }, { level: AlertLevel.fatal, description: 40 })
      return
    }
    this.#suite = suite
    this.#ems = ext.extendedMasterSecret === true
    const secureRenegotiation = ext.renegotiationInfo !== undefined || ch.cipherSuites.includes(RENEGOTIATION_SCSV)
    if (ext.renegotiationInfo !== undefined && ext.renegotiationInfo.length > 0) {
      this.#fail({ cause: 'malformed', message: 'The initial ClientHello carries a non-empty renegotiation_info (RFC 5746 §3.6).', evidence: {} }, { level: AlertLevel.fatal, description: 40 })
      return
    }
    if (ext.recordSizeLimit !== undefined) this.#peerRecordLimit = Math.min(MAX_PLAINTEXT, ext.recordSizeLimit)
    const reply: { -readonly [K in keyof HelloExtensions]: HelloExtensions[K] } = {}
    if (this.#ems) reply.extendedMasterSecret = true
    if (secureRenegotiation) reply.renegotiationInfo = new Uint8Array(0)
    if (ext.connectionId !== undefined && this.#o.cid !== undefined) {
      this.#peerCid = ext.connectionId
      this.#ourCid = this.#o.cid
      reply.connectionId = this.#o.cid
    }
    // RFC 8449 §4: the largest limit in (D)TLS 1.2 is 2^14 (2^14 + 1 is TLS 1.3's).
    if (ext.recordSizeLimit !== undefined) reply.recordSizeLimit = MAX_PLAINTEXT
    if (suite.keyExchange !== 'psk' && ext.ecPointFormats !== undefined) reply.ecPointFormats = [0]
    if (suite.keyExchange === 'ecdhe_ecdsa') {
      this.#serverCertKind = serverKind as CertificateKind
      this.#clientCertKind = clientKind as CertificateKind
      if (ext.serverCertificateTypes !== undefined) reply.serverCertificateTypes = [certificateTypeCode(this.#serverCertKind)]
      if (ext.clientCertificateTypes !== undefined) reply.clientCertificateTypes = [certificateTypeCode(this.#clientCertKind)]
    }
    this.#serverRandom = this.#random32()
    this.#sessionId = resumable ? ch.sessionId : this.#o.sessionCache ? this.#o.crypto.randomBytes(32) : new Uint8Array(0)
    const replyList = helloExtensionList(reply, 'server')
    const sh = encodeServerHello({
      serverVersion: DTLS_1_2,
      random: this.#serverRandom,
      sessionId: this.#sessionId,
      cipherSuite: suite.code,
      compressionMethod: 0,
      // No extensions: no extensions block at all. Some clients re-encode the ServerHello for their
      // Finished hash and drop an empty block (node-dtls-client), so sending one breaks the hash.
      ...(replyList.length > 0 ? { extensions: replyList } : {})
    })
    const items = [this.#handshakeItem(HandshakeType.serverHello, sh)]
    if (resumable) {
      this.#resumed = true
      this.#master = cached.masterSecret
      this.#identity = cached.identity
      if (cached.peerEndpoint !== undefined) this.#peerEndpoint = cached.peerEndpoint
      this.#keysFromMaster()
      items.push(this.#ccsItem())
      const fin = verifyData(this.#o.crypto, this.#master, 'server', this.#transcript.hash(this.#o.crypto))
      items.push(this.#handshakeItem(HandshakeType.finished, encodeFinished({ verifyData: fin })))
      this.#sendFlight(items, false)
      return
    }
    if (suite.keyExchange === 'ecdhe_psk') {
      this.#group = group as number
      this.#ecdh = this.#o.crypto.ecdhKey(this.#group)
      if (this.#ecdh === null) {
        this.#fail({ cause: 'unsupported', message: `This build cannot do ECDH on group ${this.#group}.`, evidence: {} }, { level: AlertLevel.fatal, description: 80 })
        return
      }
      items.push(this.#handshakeItem(HandshakeType.serverKeyExchange, encodeEcdhePskServerKeyExchange({ identityHint: new Uint8Array(0), namedCurve: this.#group, publicPoint: this.#ecdh.publicKey })))
    }
    if (suite.keyExchange === 'ecdhe_ecdsa') {
      const own = this.#o.certificate as OwnCertificate
      this.#group = group as number
      this.#ecdh = this.#o.crypto.ecdhKey(this.#group)
      const params = this.#ecdh === null ? null : ecdheParams(this.#group, this.#ecdh.publicKey)
      const signature = params === null ? null : this.#o.crypto.ecdsaSign(own.privateKey, concat(this.#clientRandom, this.#serverRandom, params))
      if (params === null || signature === null) {
        this.#fail({ cause: 'unsupported', message: 'Our ECDSA key cannot sign (it must be a P-256 key), so ECDHE_ECDSA cannot be offered.', evidence: {} }, { level: AlertLevel.fatal, description: 80 })
        return
      }
      const entries = this.#serverCertKind === 'rpk' ? [own.publicKey] : (own.chain as readonly Uint8Array[])
      items.push(this.#handshakeItem(HandshakeType.certificate, encodeCertificate({ kind: this.#serverCertKind, entries })))
      items.push(this.#handshakeItem(HandshakeType.serverKeyExchange, encodeEcdheServerKeyExchange(params, ECDSA_SHA256, signature)))
      // LwM2M authenticates both ends: the client must present its certificate or key.
      items.push(this.#handshakeItem(HandshakeType.certificateRequest, encodeCertificateRequest({ certificateTypes: [ECDSA_SIGN], signatureAlgorithms: [ECDSA_SHA256] })))
    }
    items.push(this.#handshakeItem(HandshakeType.serverHelloDone, encodeServerHelloDone()))
    this.#sendFlight(items, false)
  }

  #serverOnMessage(m: HandshakeMessage): void {
    const ecdsa = this.#suite?.keyExchange === 'ecdhe_ecdsa'
    if (ecdsa && m.msgType === HandshakeType.certificate && this.#master === undefined && this.#peerPublicKey === undefined) {
      this.#onPeerCertificate(m, this.#clientCertKind)
      return
    }
    if (ecdsa && m.msgType === HandshakeType.clientKeyExchange && this.#peerPublicKey === undefined) {
      this.#fail({ cause: 'cert_untrusted', message: 'The client sent no certificate or raw public key; this server requires one (mutual authentication).', evidence: {} }, { level: AlertLevel.fatal, description: 40 })
      return
    }
    if (ecdsa && m.msgType === HandshakeType.certificateVerify && this.#master !== undefined && !this.#peerProved) {
      const cv = decodeCertificateVerify(m.body).message
      const ok = cv !== undefined && cv.algorithm === ECDSA_SHA256 && this.#o.crypto.ecdsaVerify(this.#peerPublicKey as Uint8Array, this.#transcript.bytes(), cv.signature)
      if (!ok) {
        this.#fail({ cause: 'cert_untrusted', message: "The client's CertificateVerify does not verify: it does not hold the private key of the certificate or key it sent.", evidence: {} }, { level: AlertLevel.fatal, description: 51 })
        return
      }
      this.#peerProved = true
      this.#transcript.add(m.msgType, m.messageSeq, m.body)
      return
    }
    if (ecdsa && m.msgType === HandshakeType.finished && !this.#peerProved && !this.#resumed) {
      this.#fail({ cause: 'cert_untrusted', message: 'The client finished without proving its key (no CertificateVerify).', evidence: {} }, { level: AlertLevel.fatal, description: 10 })
      return
    }
    if (m.msgType === HandshakeType.clientKeyExchange && this.#master === undefined) {
      this.#serverOnClientKeyExchange(m)
      return
    }
    if (m.msgType === HandshakeType.finished && this.#expectFinished) {
      const expected = verifyData(this.#o.crypto, this.#master as Uint8Array, 'client', this.#transcript.hash(this.#o.crypto))
      const fin = decodeFinished(m.body).message
      if (fin === undefined || !constantTimeEqual(fin.verifyData, expected)) {
        this.#fail(this.#wrongKey('its Finished did not verify'), { level: AlertLevel.fatal, description: 51 })
        return
      }
      this.#transcript.add(m.msgType, m.messageSeq, m.body)
      if (this.#resumed) {
        // Abbreviated handshake: our Finished went first; the client's completes it.
        this.#sendFlightFinal()
        this.#establish()
        return
      }
      const serverFinished = verifyData(this.#o.crypto, this.#master as Uint8Array, 'server', this.#transcript.hash(this.#o.crypto))
      const items = [this.#ccsItem()]
      items.push(this.#handshakeItem(HandshakeType.finished, encodeFinished({ verifyData: serverFinished })))
      this.#sendFlight(items, true)
      this.#establish()
      return
    }
    this.#fail({ cause: 'malformed', message: `Unexpected handshake message type ${m.msgType} from the client.`, evidence: { msgType: m.msgType } }, { level: AlertLevel.fatal, description: 10 })
  }

  #serverOnClientKeyExchange(m: HandshakeMessage): void {
    const suite = this.#suite as CipherSuite
    if (suite.keyExchange === 'ecdhe_ecdsa') {
      const point = decodeEcdheClientKeyExchange(m.body).message?.publicPoint
      const shared = point === undefined ? null : (this.#ecdh as EcdhKey).agree(point)
      if (shared === null) {
        this.#fail({ cause: 'malformed', message: "The client's ECDH public value is missing or not a valid point.", evidence: {} }, { level: AlertLevel.fatal, description: 47 })
        return
      }
      this.#transcript.add(m.msgType, m.messageSeq, m.body)
      // RFC 8422 §5.10: the premaster secret is the ECDH shared secret itself.
      this.#deriveKeys(shared)
      return
    }
    let identity: Uint8Array | undefined
    let point: Uint8Array | undefined
    if (suite.keyExchange === 'psk') identity = decodePskClientKeyExchange(m.body).message?.identity
    else {
      const cke = decodeEcdhePskClientKeyExchange(m.body).message
      identity = cke?.identity
      point = cke?.publicPoint
    }
    if (identity === undefined) {
      this.#fail({ cause: 'malformed', message: 'The ClientKeyExchange could not be read.', evidence: {} }, { level: AlertLevel.fatal, description: 50 })
      return
    }
    this.#identity = identity
    const key = (this.#o.pskLookup as (i: Uint8Array) => Uint8Array | null)(identity)
    if (key === null) {
      this.#fail({
        cause: 'unknown_psk_identity',
        message: `Unknown PSK identity "${identityText(identity)}": no credential is stored for it on this listener.`,
        evidence: { identity: identityText(identity) },
        identity
      }, { level: AlertLevel.fatal, description: 115 })
      return
    }
    this.#psk = key
    let premaster: Uint8Array
    if (suite.keyExchange === 'psk') premaster = pskPremaster(key)
    else {
      const shared = (this.#ecdh as EcdhKey).agree(point as Uint8Array)
      if (shared === null) {
        this.#fail({ cause: 'malformed', message: "The client's ECDH public value is not a valid point.", evidence: {} }, { level: AlertLevel.fatal, description: 47 })
        return
      }
      premaster = ecdhePskPremaster(shared, key)
    }
    this.#transcript.add(m.msgType, m.messageSeq, m.body)
    this.#deriveKeys(premaster)
  }

  // ----- client role ------------------------------------------------------------------------

  #sendClientHello(): void {
    const psk = this.#o.psk
    const withCert = this.#o.certificate !== undefined && this.#o.verifyPeer !== undefined
    const suites = this.#o.suites.filter((c) => {
      const s = cipherSuite(c)
      return s !== undefined && (s.keyExchange === 'ecdhe_ecdsa' ? withCert : psk !== undefined)
    })
    this.#offeredSuites = suites
    const ext: { -readonly [K in keyof HelloExtensions]: HelloExtensions[K] } = { extendedMasterSecret: true, renegotiationInfo: new Uint8Array(0) }
    if (suites.some((c) => cipherSuite(c)?.keyExchange !== 'psk')) {
      ext.supportedGroups = GROUPS_WE_OFFER
      ext.ecPointFormats = [0]
    }
    if (suites.some((c) => cipherSuite(c)?.keyExchange === 'ecdhe_ecdsa')) {
      ext.signatureAlgorithms = [ECDSA_SHA256]
      const kinds = this.#o.certificateTypes ?? ['rpk', 'x509']
      // Without a chain we can only be a raw public key; say which types we take and send (RFC 7250 §4.1).
      const ownKinds = kinds.filter((k) => k === 'rpk' || (this.#o.certificate?.chain?.length ?? 0) > 0)
      if (kinds.includes('rpk')) {
        ext.serverCertificateTypes = kinds.map(certificateTypeCode)
        ext.clientCertificateTypes = ownKinds.map(certificateTypeCode)
      }
    }
    if (this.#o.cid !== undefined) ext.connectionId = this.#o.cid
    const ch: ClientHello = {
      clientVersion: DTLS_1_2,
      random: this.#clientRandom,
      sessionId: this.#o.resume?.sessionId ?? new Uint8Array(0),
      cookie: this.#cookie,
      cipherSuites: suites,
      compressionMethods: [0],
      extensions: helloExtensionList(ext, 'client')
    }
    this.#sendFlight([this.#handshakeItem(HandshakeType.clientHello, encodeClientHello(ch))], false)
  }

  #clientOnMessage(m: HandshakeMessage): void {
    switch (m.msgType) {
      case HandshakeType.helloVerifyRequest: {
        const hvr = decodeHelloVerifyRequest(m.body).message
        if (hvr === undefined || this.#suite !== null || this.#cookie.length > 0) {
          this.#fail({ cause: 'malformed', message: 'The server sent a HelloVerifyRequest that could not be used.', evidence: {} }, { level: AlertLevel.fatal, description: 10 })
          return
        }
        // RFC 6347 §4.2.1: the first ClientHello and the HelloVerifyRequest stay out of the hashes.
        this.#transcript.reset()
        this.#cookie = hvr.cookie
        this.#sendClientHello()
        return
      }
      case HandshakeType.serverHello:
        this.#clientOnServerHello(m)
        return
      case HandshakeType.certificate:
        if (this.#suite?.keyExchange !== 'ecdhe_ecdsa' || this.#peerPublicKey !== undefined) break
        this.#onPeerCertificate(m, this.#serverCertKind)
        return
      case HandshakeType.certificateRequest:
        if (this.#suite?.keyExchange !== 'ecdhe_ecdsa') break
        if (decodeCertificateRequest(m.body).message === undefined) {
          this.#fail({ cause: 'malformed', message: 'The CertificateRequest could not be read.', evidence: {} }, { level: AlertLevel.fatal, description: 50 })
          return
        }
        this.#certificateRequested = true
        this.#transcript.add(m.msgType, m.messageSeq, m.body)
        return
      case HandshakeType.serverKeyExchange: {
        const suite = this.#suite
        if (suite?.keyExchange === 'ecdhe_ecdsa') {
          const ske = decodeEcdheServerKeyExchange(m.body).message
          const signed = ske !== undefined && this.#peerPublicKey !== undefined && ske.algorithm === ECDSA_SHA256 &&
            this.#o.crypto.ecdsaVerify(this.#peerPublicKey, concat(this.#clientRandom, this.#serverRandom, ske.params), ske.signature)
          if (!signed || !GROUPS_WE_OFFER.includes(ske.namedCurve as 23 | 29)) {
            this.#fail({ cause: 'cert_untrusted', message: "The server's key exchange is not signed by the key in its certificate (or names a group we did not offer).", evidence: {} }, { level: AlertLevel.fatal, description: 51 })
            return
          }
          this.#transcript.add(m.msgType, m.messageSeq, m.body)
          this.#group = ske.namedCurve
          this.#peerPoint = ske.publicPoint
          return
        }
        this.#transcript.add(m.msgType, m.messageSeq, m.body)
        if (suite?.keyExchange === 'ecdhe_psk') {
          const ske = decodeEcdhePskServerKeyExchange(m.body).message
          if (ske === undefined || !GROUPS_WE_OFFER.includes(ske.namedCurve as 23 | 29)) {
            this.#fail({ cause: 'malformed', message: 'The ServerKeyExchange names no group we offered.', evidence: {} }, { level: AlertLevel.fatal, description: 47 })
            return
          }
          this.#group = ske.namedCurve
          this.#peerPoint = ske.publicPoint
        } else if (decodePskServerKeyExchange(m.body).message === undefined) {
          this.#fail({ cause: 'malformed', message: 'The PSK ServerKeyExchange could not be read.', evidence: {} }, { level: AlertLevel.fatal, description: 50 })
        }
        return
      }
      case HandshakeType.serverHelloDone:
        this.#transcript.add(m.msgType, m.messageSeq, m.body)
        this.#clientSendKeyExchange()
        return
      case HandshakeType.finished: {
        const expected = verifyData(this.#o.crypto, this.#master as Uint8Array, 'server', this.#transcript.hash(this.#o.crypto))
        const fin = decodeFinished(m.body).message
        if (fin === undefined || !constantTimeEqual(fin.verifyData, expected)) {
          this.#fail(this.#wrongKey("the server's Finished did not verify"), { level: AlertLevel.fatal, description: 51 })
          return
        }
        if (this.#resumed) {
          // Abbreviated handshake: the server finished first; our CCS and Finished end it.
          this.#transcript.add(m.msgType, m.messageSeq, m.body)
          const items = [this.#ccsItem()]
          const ours = verifyData(this.#o.crypto, this.#master as Uint8Array, 'client', this.#transcript.hash(this.#o.crypto))
          items.push(this.#handshakeItem(HandshakeType.finished, encodeFinished({ verifyData: ours })))
          this.#sendFlight(items, true)
          this.#establish()
          return
        }
        this.#flight = []
        this.#establish()
        return
      }
      default:
        break
    }
    this.#fail({ cause: 'unsupported', message: `The server sent handshake message type ${m.msgType}, which this ${this.#suite?.name ?? ''} handshake does not use here.`, evidence: { msgType: m.msgType } }, { level: AlertLevel.fatal, description: 10 })
  }

  #clientOnServerHello(m: HandshakeMessage): void {
    const d = decodeServerHello(m.body)
    const sh = d.message
    if (sh === undefined) {
      this.#fail({ cause: 'malformed', message: `The ServerHello could not be read: ${d.violations[0]?.message ?? 'malformed'}`, evidence: {} }, { level: AlertLevel.fatal, description: 50 })
      return
    }
    if (sh.serverVersion !== DTLS_1_2) {
      this.#fail({ cause: 'unsupported', message: `The server chose version 0x${sh.serverVersion.toString(16)}; only DTLS 1.2 is supported.`, evidence: {} }, { level: AlertLevel.fatal, description: 70 })
      return
    }
    const suite = cipherSuite(sh.cipherSuite)
    if (suite === undefined || !this.#offeredSuites.includes(sh.cipherSuite)) {
      this.#fail({ cause: 'malformed', message: `The server chose ${describeCipherSuite(sh.cipherSuite)}, which we did not offer.`, evidence: {} }, { level: AlertLevel.fatal, description: 47 })
      return
    }
    const v = new ViolationList()
    const ext = readHelloExtensions(d.extensionList ?? [], 'server', v)
    this.#suite = suite
    this.#serverRandom = sh.random
    this.#sessionId = sh.sessionId
    this.#ems = ext.extendedMasterSecret === true
    if (ext.connectionId !== undefined && this.#o.cid !== undefined) {
      this.#peerCid = ext.connectionId
      this.#ourCid = this.#o.cid
    } else if (this.#o.cid !== undefined && this.#o.requireCid === true) {
      this.#fail({ cause: 'cid_not_negotiated', message: 'We offered a Connection ID, but the server did not take it (no connection_id in its ServerHello); a NAT rebinding would break this session.', evidence: { offered: hex(this.#o.cid) } }, { level: AlertLevel.fatal, description: 40 })
      return
    }
    if (ext.recordSizeLimit !== undefined) this.#peerRecordLimit = Math.min(MAX_PLAINTEXT, ext.recordSizeLimit)
    if (suite.keyExchange === 'ecdhe_ecdsa') {
      this.#serverCertKind = kindOf(ext.serverCertificateTypes?.[0] ?? CertificateType.x509) ?? 'x509'
      this.#clientCertKind = kindOf(ext.clientCertificateTypes?.[0] ?? CertificateType.x509) ?? 'x509'
    }
    this.#transcript.add(m.msgType, m.messageSeq, m.body)
    const r = this.#o.resume
    if (r !== undefined && sh.sessionId.length > 0 && constantTimeEqual(sh.sessionId, r.sessionId)) {
      // The server resumes (RFC 5246 §7.3): same suite, and EMS as before (RFC 7627 §5.3).
      if (r.suite.code !== suite.code || r.extendedMasterSecret !== this.#ems) {
        this.#fail({ cause: 'malformed', message: 'The server resumed our session with a different cipher suite or extended-master-secret setting.', evidence: {} }, { level: AlertLevel.fatal, description: 47 })
        return
      }
      this.#resumed = true
      this.#master = r.masterSecret
      this.#identity = r.identity
      if (r.peerEndpoint !== undefined) this.#peerEndpoint = r.peerEndpoint
      this.#keysFromMaster()
    }
  }

  #clientSendKeyExchange(): void {
    if (this.#suite?.keyExchange === 'ecdhe_ecdsa') {
      this.#clientSendEcdsaFlight()
      return
    }
    const suite = this.#suite
    const psk = this.#o.psk
    if (suite === null || psk === undefined) {
      this.#fail({ cause: 'malformed', message: 'ServerHelloDone came before a ServerHello.', evidence: {} }, { level: AlertLevel.fatal, description: 10 })
      return
    }
    this.#identity = psk.identity
    this.#psk = psk.key
    let cke: Uint8Array
    let premaster: Uint8Array
    if (suite.keyExchange === 'psk') {
      cke = encodePskClientKeyExchange({ identity: psk.identity })
      premaster = pskPremaster(psk.key)
    } else {
      const key = this.#peerPoint === undefined ? null : this.#o.crypto.ecdhKey(this.#group)
      const shared = key?.agree(this.#peerPoint as Uint8Array) ?? null
      if (key === null || shared === null) {
        this.#fail({ cause: 'malformed', message: "The server's ECDHE parameters are missing or not a valid point.", evidence: {} }, { level: AlertLevel.fatal, description: 47 })
        return
      }
      cke = encodeEcdhePskClientKeyExchange({ identity: psk.identity, publicPoint: key.publicKey })
      premaster = ecdhePskPremaster(shared, psk.key)
    }
    const items = [this.#handshakeItem(HandshakeType.clientKeyExchange, cke)]
    this.#deriveKeys(premaster)
    items.push(this.#ccsItem())
    const finished = verifyData(this.#o.crypto, this.#master as Uint8Array, 'client', this.#transcript.hash(this.#o.crypto))
    items.push(this.#handshakeItem(HandshakeType.finished, encodeFinished({ verifyData: finished })))
    this.#sendFlight(items, false)
  }

  /** Flight 5 of ECDHE_ECDSA: Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished. */
  #clientSendEcdsaFlight(): void {
    const own = this.#o.certificate as OwnCertificate
    const key = this.#peerPoint === undefined ? null : this.#o.crypto.ecdhKey(this.#group)
    const shared = key?.agree(this.#peerPoint as Uint8Array) ?? null
    if (this.#peerPublicKey === undefined || key === null || shared === null) {
      this.#fail({ cause: 'malformed', message: "The server's certificate or ECDHE parameters are missing or invalid.", evidence: {} }, { level: AlertLevel.fatal, description: 10 })
      return
    }
    const items: FlightItem[] = []
    if (this.#certificateRequested) {
      const entries = this.#clientCertKind === 'rpk' ? [own.publicKey] : [...(own.chain ?? [])]
      items.push(this.#handshakeItem(HandshakeType.certificate, encodeCertificate({ kind: this.#clientCertKind, entries })))
    }
    items.push(this.#handshakeItem(HandshakeType.clientKeyExchange, encodeEcdheClientKeyExchange(key.publicKey)))
    this.#deriveKeys(shared)
    if (this.#certificateRequested) {
      const signature = this.#o.crypto.ecdsaSign(own.privateKey, this.#transcript.bytes())
      if (signature === null) {
        this.#fail({ cause: 'unsupported', message: 'Our private key cannot sign (it must be a P-256 key).', evidence: {} }, { level: AlertLevel.fatal, description: 80 })
        return
      }
      items.push(this.#handshakeItem(HandshakeType.certificateVerify, encodeCertificateVerify({ algorithm: ECDSA_SHA256, signature })))
    }
    items.push(this.#ccsItem())
    const finished = verifyData(this.#o.crypto, this.#master as Uint8Array, 'client', this.#transcript.hash(this.#o.crypto))
    items.push(this.#handshakeItem(HandshakeType.finished, encodeFinished({ verifyData: finished })))
    this.#sendFlight(items, false)
  }

  // ----- both roles -------------------------------------------------------------------------

  /** The peer's Certificate (X.509 chain or raw public key), checked by the credential store. */
  #onPeerCertificate(m: HandshakeMessage, kind: CertificateKind): void {
    const cert = decodeCertificate(m.body, kind).message
    if (cert === undefined || cert.entries.length === 0) {
      this.#fail({ cause: 'cert_untrusted', message: `The ${this.#o.role === 'server' ? 'client' : 'server'} sent an empty or unreadable ${kind === 'rpk' ? 'raw public key' : 'certificate'}.`, evidence: {} }, { level: AlertLevel.fatal, description: 42 })
      return
    }
    const check = (this.#o.verifyPeer as NonNullable<ConnectionOptions['verifyPeer']>)(kind, cert.entries)
    if (!check.ok) {
      this.#fail({ cause: check.cause, message: check.message, evidence: check.evidence }, { level: AlertLevel.fatal, description: check.cause === 'malformed' ? 42 : 48 })
      return
    }
    const publicKey = kind === 'rpk' ? (cert.entries[0] as Uint8Array) : this.#o.crypto.certificatePublicKey(cert.entries[0] as Uint8Array)
    if (publicKey === null) {
      this.#fail({ cause: 'malformed', message: 'The certificate does not parse.', evidence: {} }, { level: AlertLevel.fatal, description: 42 })
      return
    }
    this.#peerPublicKey = publicKey
    this.#identity = check.identity
    if (check.endpoint !== undefined) this.#peerEndpoint = check.endpoint
    this.#transcript.add(m.msgType, m.messageSeq, m.body)
  }

  /** Master secret and record keys, once the premaster is known (transcript up to CKE). */
  #deriveKeys(premaster: Uint8Array): void {
    const crypto = this.#o.crypto
    this.#master = this.#ems
      ? extendedMasterSecret(crypto, premaster, this.#transcript.hash(crypto))
      : masterSecret(crypto, premaster, this.#clientRandom, this.#serverRandom)
    this.#keysFromMaster()
  }

  /** Record keys from the master secret and this handshake's randoms (also for a resumed session). */
  #keysFromMaster(): void {
    const crypto = this.#o.crypto
    const suite = this.#suite as CipherSuite
    const kb = keyBlock(crypto, this.#master as Uint8Array, this.#clientRandom, this.#serverRandom, suite)
    const mine = this.#o.role === 'client' ? kb.client : kb.server
    const theirs = this.#o.role === 'client' ? kb.server : kb.client
    this.#pendingWrite = createRecordProtection(crypto, suite, mine)
    this.#pendingRead = createRecordProtection(crypto, suite, theirs)
  }

  #establish(): void {
    if (this.#o.role === 'server' && !this.#resumed && this.#sessionId.length > 0) {
      this.#o.sessionCache?.put({
        sessionId: this.#sessionId,
        suite: this.#suite as CipherSuite,
        masterSecret: this.#master as Uint8Array,
        extendedMasterSecret: this.#ems,
        identity: this.#identity as Uint8Array,
        ...(this.#peerEndpoint !== undefined ? { peerEndpoint: this.#peerEndpoint } : {})
      })
    }
    this.#state = 'established'
    if (this.#o.role === 'client') this.#disarm()
    // The handshake is over: keep only what a session needs (bounded memory per peer).
    this.#transcript.reset()
    this.#reassembler.reset(this.#reassembler.nextSeq)
    this.#expectFinished = false
    this.#ecdh = null
    this.#o.onEstablished?.({
      suite: this.#suite as CipherSuite,
      extendedMasterSecret: this.#ems,
      identity: this.#identity as Uint8Array,
      ...(this.#peerEndpoint !== undefined ? { peerEndpoint: this.#peerEndpoint } : {}),
      ...(this.#suite?.keyExchange === 'ecdhe_ecdsa' ? { certificateTypes: { client: this.#clientCertKind, server: this.#serverCertKind } } : {}),
      ...(this.#ourCid !== undefined ? { ourCid: this.#ourCid } : {}),
      ...(this.#peerCid !== undefined ? { peerCid: this.#peerCid } : {}),
      sessionId: this.#sessionId,
      resumed: this.#resumed,
      clientRandom: this.#clientRandom,
      masterSecret: this.#master as Uint8Array
    })
  }

  #wrongKey(detail: string): HandshakeFailure {
    const who = this.#o.role === 'server' ? 'the client' : 'the server'
    const id = identityText(this.#identity ?? new Uint8Array(0))
    return {
      cause: 'wrong_key',
      message: `Wrong key for identity ${id}: ${who} derived different keys (${detail}). The PSK stored here and the one on the device differ.`,
      evidence: { identity: id, suite: this.#suite?.name ?? null },
      ...(this.#identity ? { identity: this.#identity } : {})
    }
  }

  #timeoutFailure(): HandshakeFailure {
    const waited = Array.from({ length: this.#timing.maxTransmissions }, (_, i) => flightWait(this.#timing, i + 1)).reduce((a, b) => a + b, 0)
    const what = this.#flight.some((i) => i.msgType === HandshakeType.finished)
      ? `no answer to our Finished. When the peer stays silent after the key exchange, the usual cause is a wrong key for identity ${identityText(this.#identity ?? new Uint8Array(0))} (many servers drop such a Finished without an alert)`
      : this.#suite === null
        ? 'no answer to our ClientHello: nothing listens there, a firewall drops DTLS, or the server ignores us'
        : 'the peer stopped answering mid-handshake'
    return {
      cause: 'timeout',
      message: `The handshake gave up after ${this.#transmissions} transmissions over ${Math.round(waited / 1000)} s: ${what}.`,
      evidence: { transmissions: this.#transmissions, lastFlight: this.#flight.map((i) => i.kind === 'ccs' ? 'ChangeCipherSpec' : `type ${i.msgType}`) },
      ...(this.#identity ? { identity: this.#identity } : {})
    }
  }

  #fail(failure: HandshakeFailure, alert: Alert | undefined): void {
    if (this.#state === 'closed') return
    if (alert !== undefined) this.#sendAlert(alert)
    this.#end()
    const withAlert = alert === undefined ? failure : { ...failure, alert: { ...alert, name: describeAlert(alert.description), sent: true } }
    this.#o.onFailed?.(withAlert)
  }

  #end(): void {
    this.#state = 'closed'
    this.#disarm()
    this.#flight = []
    this.#early = []
  }

  #random32(): Uint8Array {
    // gmt_unix_time is not required to be accurate (RFC 5246 §7.4.1.2 note); all 32 random.
    return this.#o.crypto.randomBytes(32)
  }
}
