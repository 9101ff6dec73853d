// SPDX-License-Identifier: Apache-2.0
// Passive DTLS 1.2 decryption of a capture (issue 16 item 4): follows each UDP conversation's
// handshake as a bystander — ClientHello and ServerHello randoms, the cipher suite, extended master
// secret (RFC 7627), encrypt-then-MAC (RFC 7366) and connection_id (RFC 9146) — finds the master
// secret in an NSS key log (CLIENT_RANDOM lines) or, for plain PSK suites, derives it from a PSK
// matched by the identity in ClientKeyExchange (RFC 4279 §2), then opens the protected records with
// the record layer of core/dtls. ECDHE suites cannot be opened from a PSK or certificate alone: the
// ephemeral ECDH secret never crosses the wire, so only a key log line decrypts them.
//
// Datagrams must come in capture order. Nothing here throws: a record that cannot be read or
// opened leaves the datagram undecrypted, with the reason.
import { bytesEqual, toHex } from '../bytes'
import type { Crypto } from '../crypto'
import { cipherSuite, describeCipherSuite, type CipherSuite } from '../dtls/cipher-suites'
import { identityText } from '../dtls/connection'
import { readHelloExtensions, type HelloExtensions } from '../dtls/extensions'
import { decodeHandshakeFragments, HandshakeType, transcriptBytes, type HandshakeFragment } from '../dtls/handshake-header'
import { decodeClientHello, decodeEcdhePskClientKeyExchange, decodePskClientKeyExchange, decodeServerHello } from '../dtls/handshake-messages'
import { extendedMasterSecret, keyBlock, masterSecret } from '../dtls/key-schedule'
import { pskPremaster } from '../dtls/premaster'
import { HandshakeReassembler, type HandshakeMessage } from '../dtls/reassembly'
import { ContentType, decodeRecords } from '../dtls/record'
import { createRecordProtection, type RecordProtection } from '../dtls/record-protection'
import { ViolationList } from '../violation'
import { looksLikeDtls } from './dtls-dissector'

/** A pre-shared key to try on plain PSK sessions whose ClientKeyExchange names `identity`. */
export interface PskSecret {
  readonly identity: Uint8Array
  readonly key: Uint8Array
}

/** Why a session's records stay encrypted. */
export type UndecryptedCause =
  /** Neither a key log line for its client random nor (PSK suites) a PSK for its identity. */
  | 'no-key'
  /** ECDHE_PSK or ECDHE_ECDSA with no key log line: a PSK alone cannot give the ECDH secret. */
  | 'ecdhe'
  /** The capture starts after the handshake (no ClientHello/ServerHello/ClientKeyExchange seen). */
  | 'handshake-missing'
  /** The server chose a suite core/dtls does not implement. */
  | 'unsupported-suite'
  /** Keys were found, but the records do not authenticate with them (wrong PSK or key log line). */
  | 'wrong-key'

export interface DtlsSessionReport {
  /** Address keys as the capture names them ("udp:10.0.0.2:40000"). */
  readonly client: string
  readonly server: string
  readonly suite: string | null
  /** PSK identity from ClientKeyExchange, as text (or 0x-hex). */
  readonly identity: string | null
  /** Where the master secret came from, or null when none was found. */
  readonly keySource: 'key-log' | 'psk' | 'resumed' | null
  /** Protected records opened, and protected records that stayed closed. */
  readonly decrypted: number
  readonly undecrypted: number
  readonly cause: UndecryptedCause | null
  readonly reason: string | null
}

export interface DatagramDecryption {
  /** Content of the first application_data record, when it opened (what live DTLS frames carry). */
  readonly plaintext?: Uint8Array
  /** Epoch and sequence of the first record. */
  readonly epoch?: number
  readonly seq?: number
  /** Connection ID of the first tls12_cid record, hex. */
  readonly cid?: string
  readonly identity?: string
  /** Why this datagram's protected records stay encrypted (absent when all opened or none are protected). */
  readonly undecrypted?: string
}

export interface DtlsDecryptorOptions {
  readonly crypto: Crypto
  readonly psks?: readonly PskSecret[]
  /** CID length for tls12_cid records of sessions whose handshake is not in the capture. */
  readonly cidLength?: number
  /** Called with "CLIENT_RANDOM …" for each master secret derived from a PSK (for exports). */
  readonly onKeyLogLine?: (line: string) => void
}

/** CLIENT_RANDOM lines of an NSS key log: client random (hex) → master secret. Other labels are ignored. */
export function parseKeyLog(text: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>()
  for (const line of text.split(/\r?\n/)) addKeyLogLine(out, line)
  return out
}

function addKeyLogLine(into: Map<string, Uint8Array>, line: string): void {
  const m = /^CLIENT_RANDOM\s+([0-9a-fA-F]{64})\s+([0-9a-fA-F]{96})\s*$/.exec(line.trim())
  if (m) into.set((m[1] as string).toLowerCase(), fromHex(m[2] as string))
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Keeps a map below MAX_SESSIONS entries by forgetting the one added first (a long capture stays bounded). */
function evictOldest<K, V>(m: Map<K, V>): void {
  if (m.size < MAX_SESSIONS) return
  const first = m.keys().next()
  if (!first.done) m.delete(first.value)
}

/** Write keys of one direction: the current epochs, and the next one once keys are known. */
interface Side {
  key: string
  reassembler: HandshakeReassembler | null
  readonly keys: Map<number, RecordProtection>
  pending: { readonly epoch: number; readonly protection: RecordProtection } | null
  /** The CID this side asked to receive (records sent to it carry it), when CIDs are in use. */
  cid: Uint8Array | null
}

interface Session {
  readonly client: Side
  readonly server: Side
  /** Epoch of the records that carry this handshake (0, or n for a renegotiation). */
  handshakeEpoch: number
  clientRandom: Uint8Array | null
  serverRandom: Uint8Array | null
  clientSessionId: Uint8Array | null
  /** The session_id the server gave a full handshake, under which it may be resumed. */
  sessionId: Uint8Array | null
  clientExt: HelloExtensions | null
  suiteCode: number | null
  suite: CipherSuite | null
  ems: boolean
  etm: boolean
  resumed: boolean
  /** Handshake messages in transcript form, kept until ClientKeyExchange (RFC 6347 §4.2.6). */
  transcript: Uint8Array[]
  identity: string | null
  keySource: DtlsSessionReport['keySource']
  cause: UndecryptedCause | null
  reason: string | null
  decrypted: number
  undecrypted: number
  /** Saw a ClientHello: the session is ours to explain, not just "handshake missing". */
  sawHello: boolean
}

const MAX_SESSIONS = 100_000
const MAX_REPORTS = 10_000

const HANDSHAKE_MISSING = 'the handshake of this session is not in the capture (it started before the capture did), so its keys cannot be found'

export class DtlsDecryptor {
  readonly #crypto: Crypto
  readonly #psks: readonly PskSecret[]
  readonly #cidLength: number
  readonly #onKeyLogLine: ((line: string) => void) | undefined
  readonly #keyLog = new Map<string, Uint8Array>()
  /** Conversations by their two address keys (sorted). */
  readonly #byTuple = new Map<string, Session>()
  /** Sessions by a CID one side receives (hex), for records that arrive from a new address. */
  readonly #byCid = new Map<string, Session>()
  /** Full handshakes' master secrets by session_id, for abbreviated handshakes (RFC 5246 §7.3). */
  readonly #resumable = new Map<string, { master: Uint8Array; source: 'key-log' | 'psk' }>()
  readonly #sessions: Session[] = []

  constructor(opts: DtlsDecryptorOptions) {
    this.#crypto = opts.crypto
    this.#psks = opts.psks ?? []
    this.#cidLength = opts.cidLength ?? 0
    this.#onKeyLogLine = opts.onKeyLogLine
  }

  /** Adds NSS key log text (any number of lines); sessions whose handshake comes later use it. */
  addKeyLog(text: string): void {
    for (const line of text.split(/\r?\n/)) addKeyLogLine(this.#keyLog, line)
  }

  /** Sessions seen so far with what became of their records. */
  sessions(): DtlsSessionReport[] {
    return this.#sessions.filter((s) => s.decrypted > 0 || s.undecrypted > 0 || s.keySource !== null).map((s) => ({
      client: s.client.key,
      server: s.server.key,
      suite: s.suiteCode === null ? null : describeCipherSuite(s.suiteCode),
      identity: s.identity,
      keySource: s.keySource,
      decrypted: s.decrypted,
      undecrypted: s.undecrypted,
      cause: s.undecrypted > 0 || s.keySource === null ? s.cause ?? 'handshake-missing' : null,
      reason: s.undecrypted > 0 || s.keySource === null ? s.reason ?? HANDSHAKE_MISSING : null
    }))
  }

  /** One datagram from `src` to `dst` (address keys), in capture order. Never throws. */
  datagram(src: string, dst: string, bytes: Uint8Array): DatagramDecryption {
    if (!looksLikeDtls(bytes)) return {}
    try {
      return this.#datagram(src, dst, bytes)
    } catch (e) {
      // Every step is total by contract; a bug must cost one frame's decryption, not the import.
      return { undecrypted: `decryptor fault: ${e instanceof Error ? e.message : String(e)}` }
    }
  }

  #datagram(src: string, dst: string, bytes: Uint8Array): DatagramDecryption {
    const tuple = src < dst ? `${src} ${dst}` : `${dst} ${src}`
    let session = this.#byTuple.get(tuple) ?? (bytes[0] === ContentType.tls12Cid ? this.#sessionByCid(bytes, src, dst, tuple) : undefined)
    let sender = session ? this.#sideOf(session, src) : null
    const receiver = session && sender ? (sender === session.client ? session.server : session.client) : null
    const cidLength = receiver?.cid?.length ?? (session?.sawHello ? 0 : this.#cidLength)
    const { records } = decodeRecords(bytes, { cidLength })
    const first = records[0]
    let plaintext: Uint8Array | undefined
    let why: string | undefined
    for (const r of records) {
      if (r.epoch === 0 && r.type === ContentType.handshake) {
        for (const f of decodeHandshakeFragments(r.fragment).fragments) {
          const s = this.#handshakeFragment(session, tuple, src, dst, f, 0)
          if (s !== session) {
            session = s
            sender = this.#sideOf(s, src)
          }
        }
        continue
      }
      if (r.epoch === 0) {
        if (r.type === ContentType.changeCipherSpec && session && sender) this.#changeCipherSpec(sender)
        continue
      }
      // Protected record.
      if (session === undefined) {
        session = this.#unknownSession(tuple, src, dst)
        sender = session.client
      }
      const side = sender ?? session.client
      const protection = side.keys.get(r.epoch) ?? (side.pending?.epoch === r.epoch ? side.pending.protection : undefined)
      if (protection === undefined) {
        session.undecrypted++
        why ??= session.reason ?? (session.sawHello ? `no keys for epoch ${r.epoch} of this session` : HANDSHAKE_MISSING)
        continue
      }
      const opened = protection.open(r)
      if (!opened.ok) {
        session.undecrypted++
        if (opened.failure === 'integrity') {
          session.cause ??= 'wrong-key'
          session.reason ??= `the ${session.keySource === 'psk' ? 'PSK' : 'key log line'} found for this session does not open its records: they do not authenticate (a different key, or the bytes were changed)`
        }
        why ??= opened.failure === 'integrity' ? session.reason ?? opened.message : opened.message
        continue
      }
      session.decrypted++
      if (opened.type === ContentType.applicationData) plaintext ??= opened.plaintext
      else if (opened.type === ContentType.handshake) {
        // Finished, or a renegotiation under protection: the same handshake path.
        for (const f of decodeHandshakeFragments(opened.plaintext).fragments) {
          const s = this.#handshakeFragment(session, tuple, src, dst, f, r.epoch)
          if (s !== session) {
            session = s
            sender = this.#sideOf(s, src)
          }
        }
      }
    }
    const out: { -readonly [K in keyof DatagramDecryption]: DatagramDecryption[K] } = {}
    if (plaintext) out.plaintext = plaintext
    if (first) {
      out.epoch = first.epoch
      out.seq = first.sequence
      if (first.cid) out.cid = toHex(first.cid)
    }
    if (session?.identity) out.identity = session.identity
    if (why !== undefined) out.undecrypted = why
    return out
  }

  #sideOf(s: Session, address: string): Side {
    return s.server.key === address ? s.server : s.client
  }

  /** A tls12_cid record from an address pair we do not know: the CID says which session moved (RFC 9146 §6). */
  #sessionByCid(bytes: Uint8Array, src: string, dst: string, tuple: string): Session | undefined {
    const lengths = new Set<number>()
    for (const k of this.#byCid.keys()) lengths.add(k.length >> 1)
    for (const n of lengths) {
      if (bytes.length < 13 + n) continue
      const s = this.#byCid.get(toHex(bytes.subarray(11, 11 + n)))
      if (s === undefined) continue
      // The CID names the receiver; the sender is the other side, now at `src`.
      const receiver = s.client.cid !== null && bytesEqual(s.client.cid, bytes.subarray(11, 11 + n)) ? s.client : s.server
      const sender = receiver === s.client ? s.server : s.client
      sender.key = src
      receiver.key = dst
      this.#byTuple.set(tuple, s)
      return s
    }
    return undefined
  }

  #newSession(tuple: string, client: string, server: string, inherit?: Session): Session {
    const side = (key: string, from?: Side): Side => ({ key, reassembler: null, keys: new Map(from?.keys ?? []), pending: null, cid: from?.cid ?? null })
    const s: Session = {
      client: side(client, inherit?.client),
      server: side(server, inherit?.server),
      handshakeEpoch: 0,
      clientRandom: null, serverRandom: null, clientSessionId: null, sessionId: null, clientExt: null, suiteCode: null, suite: null,
      ems: false, etm: false, resumed: false, transcript: [], identity: null, keySource: null,
      cause: null, reason: null, decrypted: 0, undecrypted: 0, sawHello: false
    }
    evictOldest(this.#byTuple)
    this.#byTuple.set(tuple, s)
    if (this.#sessions.length < MAX_REPORTS) this.#sessions.push(s)
    return s
  }

  #unknownSession(tuple: string, src: string, dst: string): Session {
    const s = this.#newSession(tuple, src, dst)
    s.cause = 'handshake-missing'
    s.reason = HANDSHAKE_MISSING
    return s
  }

  /** Feeds one handshake fragment; returns the session it belongs to (a new one when a new handshake starts). */
  #handshakeFragment(session: Session | undefined, tuple: string, src: string, dst: string, f: HandshakeFragment, epoch: number): Session {
    if (f.msgType === HandshakeType.clientHello) {
      const whole = f.fragmentOffset === 0 && f.body.length === f.length
      const random = whole ? decodeClientHello(f.body).message?.random : undefined
      const fresh = session === undefined || !session.sawHello ||
        (random !== undefined && session.clientRandom !== null && !bytesEqual(random, session.clientRandom) && session.client.key === src)
      if (fresh) {
        session = this.#newSession(tuple, src, dst, session?.sawHello ? session : undefined)
        session.sawHello = true
        session.handshakeEpoch = epoch
        session.client.reassembler = new HandshakeReassembler(f.messageSeq)
      }
    }
    if (session === undefined) session = this.#unknownSession(tuple, src, dst)
    const side = this.#sideOf(session, src)
    side.reassembler ??= new HandshakeReassembler(f.messageSeq)
    side.reassembler.push(f)
    for (let m = side.reassembler.take(); m !== null; m = side.reassembler?.take() ?? null) this.#message(session, side, m)
    return session
  }

  #message(s: Session, side: Side, m: HandshakeMessage): void {
    const fromClient = side === s.client
    switch (m.msgType) {
      case HandshakeType.helloRequest:
        return
      case HandshakeType.helloVerifyRequest:
        // The next ClientHello starts the transcript over (RFC 6347 §4.2.1); servers number their
        // ServerHello after it differently, so the server's next message sets the sequence.
        if (!fromClient) s.server.reassembler = null
        return
      case HandshakeType.clientHello: {
        if (!fromClient) return
        const d = decodeClientHello(m.body)
        if (d.message === undefined) return
        s.clientRandom = d.message.random
        s.clientSessionId = d.message.sessionId
        s.clientExt = readHelloExtensions(d.extensionList ?? [], 'client', new ViolationList())
        s.transcript = [transcriptBytes(m.msgType, m.messageSeq, m.body)]
        return
      }
      case HandshakeType.serverHello: {
        if (fromClient) return
        const d = decodeServerHello(m.body)
        if (d.message === undefined) return
        s.transcript.push(transcriptBytes(m.msgType, m.messageSeq, m.body))
        const sh = d.message
        const ext = readHelloExtensions(d.extensionList ?? [], 'server', new ViolationList())
        s.serverRandom = sh.random
        s.suiteCode = sh.cipherSuite
        s.suite = cipherSuite(sh.cipherSuite) ?? null
        s.ems = ext.extendedMasterSecret === true && s.clientExt?.extendedMasterSecret === true
        s.etm = ext.encryptThenMac === true && s.suite?.cipher === 'aes-128-cbc-sha256'
        // RFC 9146 §3: CIDs are used when both hellos carry the extension; each side's value is
        // what it wants to receive (empty: none).
        if (ext.connectionId !== undefined && s.clientExt?.connectionId !== undefined) {
          s.client.cid = s.clientExt.connectionId.length > 0 ? s.clientExt.connectionId : null
          s.server.cid = ext.connectionId.length > 0 ? ext.connectionId : null
          for (const c of [s.client.cid, s.server.cid]) {
            if (c === null) continue
            evictOldest(this.#byCid)
            this.#byCid.set(toHex(c), s)
          }
        }
        if (s.suite === null) {
          s.cause = 'unsupported-suite'
          s.reason = `the server chose ${describeCipherSuite(sh.cipherSuite)}, which this tool does not implement`
          return
        }
        if (sh.sessionId.length > 0 && s.clientSessionId !== null && bytesEqual(sh.sessionId, s.clientSessionId)) {
          // Abbreviated handshake (RFC 5246 §7.3): the master secret of the session it resumes.
          s.resumed = true
          const logged = s.clientRandom ? this.#keyLog.get(toHex(s.clientRandom)) : undefined
          const earlier = this.#resumable.get(toHex(sh.sessionId))
          const master = logged ?? earlier?.master
          if (master === undefined) {
            s.cause = 'no-key'
            s.reason = 'this session resumes an earlier one whose handshake is not in the capture, and the key log has no line for it'
            return
          }
          this.#install(s, master, logged ? 'key-log' : 'resumed')
        } else if (sh.sessionId.length > 0) s.sessionId = sh.sessionId
        return
      }
      case HandshakeType.clientKeyExchange:
        if (!fromClient) return
        s.transcript.push(transcriptBytes(m.msgType, m.messageSeq, m.body))
        this.#keyExchange(s, m.body)
        s.transcript = []
        return
      case HandshakeType.finished:
      case HandshakeType.certificateVerify:
        return
      default:
        // Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone: in the session hash.
        if (s.transcript.length > 0) s.transcript.push(transcriptBytes(m.msgType, m.messageSeq, m.body))
    }
  }

  #keyExchange(s: Session, body: Uint8Array): void {
    const suite = s.suite
    if (suite === null || s.clientRandom === null || s.serverRandom === null) {
      s.cause ??= 'handshake-missing'
      s.reason ??= 'the ClientHello or ServerHello of this session is not in the capture, so its keys cannot be found'
      return
    }
    const identity = suite.keyExchange === 'psk'
      ? decodePskClientKeyExchange(body).message?.identity
      : suite.keyExchange === 'ecdhe_psk' ? decodeEcdhePskClientKeyExchange(body).message?.identity : undefined
    if (identity !== undefined) s.identity = identityText(identity)
    const logged = this.#keyLog.get(toHex(s.clientRandom))
    if (logged !== undefined) {
      this.#install(s, logged, 'key-log')
      return
    }
    const psk = identity === undefined ? undefined : this.#psks.find((p) => bytesEqual(p.identity, identity))
    const who = identity === undefined ? '' : ` (identity "${identityText(identity)}")`
    if (suite.keyExchange === 'psk') {
      if (psk === undefined) {
        s.cause = 'no-key'
        s.reason = `no key for this ${suite.name} session${who}: the key log has no line for its client random, and no PSK was given for its identity`
        return
      }
      const pms = pskPremaster(psk.key)
      // RFC 7627 §4: with extended master secret, the session hash replaces the randoms.
      const master = s.ems
        ? extendedMasterSecret(this.#crypto, pms, this.#crypto.sha256(...s.transcript))
        : masterSecret(this.#crypto, pms, s.clientRandom, s.serverRandom)
      this.#install(s, master, 'psk')
      this.#onKeyLogLine?.(`CLIENT_RANDOM ${toHex(s.clientRandom)} ${toHex(master)}`)
      return
    }
    s.cause = psk === undefined ? 'no-key' : 'ecdhe'
    s.reason = suite.keyExchange === 'ecdhe_psk'
      ? `${suite.name}${who} mixes the PSK with an ephemeral ECDH secret that never crosses the wire, so a PSK alone cannot decrypt it${psk === undefined ? '' : ' (the PSK given for this identity is not enough)'}; import with the session's key log line (setting dtls.keyLog)`
      : `${suite.name} uses an ephemeral ECDH secret that never crosses the wire; only the session's key log line (setting dtls.keyLog) decrypts it, and none was given`
  }

  #install(s: Session, master: Uint8Array, source: 'key-log' | 'psk' | 'resumed'): void {
    const suite = s.suite
    if (suite === null || s.clientRandom === null || s.serverRandom === null) return
    if (master.length !== 48) return
    const kb = keyBlock(this.#crypto, master, s.clientRandom, s.serverRandom, suite)
    const epoch = s.handshakeEpoch + 1
    const opts = { encryptThenMac: s.etm }
    s.client.pending = { epoch, protection: createRecordProtection(this.#crypto, suite, kb.client, opts) }
    s.server.pending = { epoch, protection: createRecordProtection(this.#crypto, suite, kb.server, opts) }
    s.keySource = source
    s.cause = null
    s.reason = null
    if (s.sessionId !== null && source !== 'resumed') {
      evictOldest(this.#resumable)
      this.#resumable.set(toHex(s.sessionId), { master, source })
    }
  }

  /** change_cipher_spec: the sender's next epoch uses the keys the handshake gave (RFC 5246 §7.1). */
  #changeCipherSpec(side: Side): void {
    if (side.pending === null) return
    side.keys.set(side.pending.epoch, side.pending.protection)
    // Two epochs at most: the new one and the one records may still be in flight for.
    for (const e of side.keys.keys()) if (e < side.pending.epoch - 1) side.keys.delete(e)
    side.pending = null
  }
}
