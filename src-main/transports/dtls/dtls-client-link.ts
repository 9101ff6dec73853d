// SPDX-License-Identifier: Apache-2.0
// A DTLS 1.2 client on its own UDP socket, as a core DatagramLink to one server: what a
// simulated device uses for a coaps:// account. The handshake starts with the first datagram
// sent (or connect()); datagrams sent meanwhile wait, a few of them, for the session.
import type { Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { DtlsConnection, type HandshakeFailure, type OwnCertificate, type PeerCheck, type PskClientCredential, type SessionInfo } from '../../core/dtls/connection'
import type { FlightTiming } from '../../core/dtls/flight-timer'
import type { CertificateKind } from '../../core/dtls/certificate-messages'
import type { DatagramLink, PeerAddress } from '../../core/ports'
import type { CaptureTap } from '../capture-tap'
import { nodeCrypto } from '../node-crypto'
import { nodeScheduler } from '../node-runtime'
import { bindUdpSocket } from '../udp'
import { DEFAULT_SUITES, recordMeta } from './dtls-server-link'

export interface DtlsClientLinkOptions {
  readonly server: { readonly address: string; readonly port: number }
  /** Local address to bind; default the wildcard of the server's family. */
  readonly host?: string
  readonly psk?: PskClientCredential
  /** ECDHE_ECDSA suites: our key (and chain), and the check of the peer's certificate or raw public key. */
  readonly certificate?: OwnCertificate
  readonly verifyPeer?: (kind: CertificateKind, entries: readonly Uint8Array[]) => PeerCheck
  readonly certificateTypes?: readonly CertificateKind[]
  readonly suites?: readonly number[]
  /** Offer a Connection ID (empty: "send me none, I will use yours"). */
  readonly cid?: Uint8Array
  readonly requireCid?: boolean
  readonly timing?: FlightTiming
  readonly tap?: CaptureTap
  readonly onEstablished?: (info: SessionInfo) => void
  readonly onFailed?: (failure: HandshakeFailure) => void
  readonly onClosed?: (reason: string) => void
  readonly onError?: (e: Error) => void
}

/** Datagrams that may wait for the handshake (CoAP retransmits the rest). */
const MAX_WAITING = 16

export class DtlsClientLink implements DatagramLink {
  #handler: ((peer: PeerAddress, datagram: Uint8Array) => void) | null = null
  #connection: DtlsConnection | null = null
  #waiting: Uint8Array[] = []
  #connecting: Promise<SessionInfo> | null = null
  /** The last session, offered for resumption on the next handshake (RFC 5246 §7.3). */
  #last: SessionInfo | null = null
  #local = ''
  readonly peer: PeerAddress

  #socket: Socket
  /** The server as the capture names it (its UDP address). */
  readonly #udpPeer: PeerAddress
  #inbound: Uint8Array | null = null
  #outbound: Uint8Array | null = null

  private constructor(
    socket: Socket,
    private readonly opts: DtlsClientLinkOptions
  ) {
    this.#socket = socket
    const host = isIPv6(opts.server.address) ? `[${opts.server.address}]` : opts.server.address
    this.peer = { key: `dtls:${host}:${opts.server.port}`, display: `${host}:${opts.server.port}` }
    this.#udpPeer = { key: `udp:${host}:${opts.server.port}`, display: `${host}:${opts.server.port}` }
  }

  static async open(opts: DtlsClientLinkOptions): Promise<DtlsClientLink> {
    const link = new DtlsClientLink(await DtlsClientLink.#bind(opts), opts)
    link.#listen()
    return link
  }

  static async #bind(opts: DtlsClientLinkOptions): Promise<Socket> {
    return bindUdpSocket(opts.host ?? (isIPv6(opts.server.address) ? '::' : '0.0.0.0'), 0)
  }

  #listen(): void {
    const socket = this.#socket
    const a = socket.address()
    this.#local = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`
    socket.on('error', (e) => this.opts.onError?.(e))
    socket.on('message', (msg) => {
      if (msg.length === 0 || socket !== this.#socket) return
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)
      const at = Date.now()
      this.#inbound = null
      this.#connection?.receive(bytes)
      // Tapped after processing, so the frame carries the plaintext the records held.
      const tap = this.opts.tap
      if (tap && !tap.off) tap({ direction: 'in', transport: 'dtls', local: this.#local, peer: this.#udpPeer, bytes, at, ...recordMeta(bytes), ...(this.#inbound ? { plaintext: this.#inbound } : {}) })
      this.#inbound = null
    })
  }

  /**
   * Moves to a new local port and keeps the session: what a NAT rebinding looks like from the
   * server (RFC 9146 §6). Without a negotiated CID the server cannot tell it is us.
   */
  async rebind(): Promise<number> {
    const old = this.#socket
    this.#socket = await DtlsClientLink.#bind(this.opts)
    this.#listen()
    await new Promise<void>((resolve) => old.close(() => resolve()))
    return this.port
  }

  get port(): number {
    return this.#socket.address().port
  }

  get established(): boolean {
    return this.#connection?.established ?? false
  }

  /** Runs a handshake (or returns the one under way); rejects with the failure's plain message. */
  connect(): Promise<SessionInfo> {
    if (this.#connecting) return this.#connecting
    this.#connecting = new Promise<SessionInfo>((resolve, reject) => {
      const c = new DtlsConnection({
        role: 'client',
        crypto: nodeCrypto,
        scheduler: nodeScheduler,
        suites: this.opts.suites ?? DEFAULT_SUITES,
        ...(this.opts.psk ? { psk: this.opts.psk } : {}),
        ...(this.#last !== null && this.#last.sessionId.length > 0 ? { resume: this.#last } : {}),
        ...(this.opts.certificate ? { certificate: this.opts.certificate } : {}),
        ...(this.opts.verifyPeer ? { verifyPeer: this.opts.verifyPeer } : {}),
        ...(this.opts.certificateTypes ? { certificateTypes: this.opts.certificateTypes } : {}),
        ...(this.opts.cid !== undefined ? { cid: this.opts.cid } : {}),
        ...(this.opts.requireCid !== undefined ? { requireCid: this.opts.requireCid } : {}),
        ...(this.opts.timing ? { timing: this.opts.timing } : {}),
        send: (d) => {
          const tap = this.opts.tap
          if (tap && !tap.off) tap({ direction: 'out', transport: 'dtls', local: this.#local, peer: this.#udpPeer, bytes: d, at: Date.now(), ...recordMeta(d), ...(this.#outbound ? { plaintext: this.#outbound } : {}) })
          this.#socket.send(d, this.opts.server.port, this.opts.server.address)
        },
        onEstablished: (info) => {
          this.#last = info
          this.opts.onEstablished?.(info)
          const waiting = this.#waiting
          this.#waiting = []
          for (const d of waiting) c.send(d)
          resolve(info)
        },
        onData: (p) => {
          this.#inbound ??= p
          try {
            this.#handler?.(this.peer, p)
          } catch (e) {
            this.opts.onError?.(e as Error)
          }
        },
        onFailed: (f) => {
          this.#reset()
          this.opts.onFailed?.(f)
          reject(new Error(f.message))
        },
        onClosed: (reason) => {
          this.#reset()
          this.opts.onClosed?.(reason)
        }
      })
      this.#connection = c
      c.connect()
    })
    // A failed handshake is reported through onFailed; callers that only send need no catch.
    this.#connecting.catch(() => undefined)
    return this.#connecting
  }

  #reset(): void {
    this.#connection = null
    this.#connecting = null
    this.#waiting = []
  }

  send(_peer: PeerAddress, datagram: Uint8Array): void {
    const c = this.#connection
    if (c?.established) {
      this.#outbound = datagram
      try {
        c.send(datagram)
      } finally {
        this.#outbound = null
      }
      return
    }
    if (this.#waiting.length < MAX_WAITING) this.#waiting.push(datagram)
    void this.connect()
  }

  onReceive(handler: (peer: PeerAddress, datagram: Uint8Array) => void): void {
    this.#handler = handler
  }

  close(): Promise<void> {
    this.#connection?.close()
    this.#reset()
    return new Promise((resolve) => this.#socket.close(() => resolve()))
  }
}
