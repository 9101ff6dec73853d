// SPDX-License-Identifier: Apache-2.0
// A DTLS 1.2 server on a UDP socket, as a core DatagramLink: CoAP above it sees plaintext
// datagrams from peers named by their DTLS session ("dtls:192.0.2.1:40000"), which keep their
// name when a Connection ID lets them move. Handshakes and their failures are reported as they
// happen; the capture tap sees the bytes on the wire and, for records that decrypt, the plaintext.
import type { RemoteInfo, Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { identityText, type HandshakeFailure, type OwnCertificate, type PeerCheck, type SessionInfo } from '../../core/dtls/connection'
import { DtlsServerEndpoint, type DtlsSession } from '../../core/dtls/server-endpoint'
import type { FlightTiming } from '../../core/dtls/flight-timer'
import type { CertificateKind } from '../../core/dtls/certificate-messages'
import type { DatagramLink, PeerAddress } from '../../core/ports'
import type { CaptureTap } from '../capture-tap'
import { nodeCrypto } from '../node-crypto'
import { nodeScheduler } from '../node-runtime'
import { bindUdpSocket } from '../udp'

export interface Remote {
  readonly address: string
  readonly port: number
}

/**
 * Cipher suites in order of preference (LwM2M T §5: the CCM_8 ones are mandatory). The ECDHE_ECDSA
 * ones are chosen only where a key (and a check of the peer's) is configured.
 */
export const DEFAULT_SUITES: readonly number[] = [0xc0a8, 0xc0ae, 0x00a8, 0xc02b, 0x00ae, 0xc023, 0xc037, 0xc0a4, 0xc0ac]

export interface DtlsServerLinkOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  readonly suites?: readonly number[]
  readonly pskLookup: (identity: Uint8Array) => Uint8Array | null
  /** ECDHE_ECDSA suites: our key (and chain), and the check of the peer's certificate or raw public key. */
  readonly certificate?: OwnCertificate
  readonly verifyPeer?: (kind: CertificateKind, entries: readonly Uint8Array[]) => PeerCheck
  readonly certificateTypes?: readonly CertificateKind[]
  /** CID length handed out (RFC 9146); 0 = none. */
  readonly cidLength?: number
  readonly timing?: FlightTiming
  readonly tap?: CaptureTap
  readonly onEstablished?: (peer: PeerAddress, info: SessionInfo) => void
  readonly onFailed?: (remote: string, failure: HandshakeFailure) => void
  readonly onClosed?: (peer: PeerAddress, reason: string) => void
  readonly onMoved?: (peer: PeerAddress, from: string, to: string) => void
  readonly onError?: (e: Error) => void
}

function remoteKey(address: string, port: number): string {
  return `${isIPv6(address) ? `[${address}]` : address}:${port}`
}

/** What the capture shows of a DTLS datagram beside its bytes: the first record's epoch and sequence number. */
export function recordMeta(bytes: Uint8Array): { epoch?: number; seq?: number } {
  if (bytes.length < 13) return {}
  const epoch = ((bytes[3] as number) << 8) | (bytes[4] as number)
  let seq = 0
  for (let i = 5; i < 11; i++) seq = seq * 256 + (bytes[i] as number)
  return { epoch, seq }
}

function hexOf(b: Uint8Array | undefined): string | undefined {
  return b === undefined || b.length === 0 ? undefined : Buffer.from(b).toString('hex')
}

export class DtlsServerLink implements DatagramLink {
  #handler: ((peer: PeerAddress, datagram: Uint8Array) => void) | null = null
  #local = ''
  /** Plaintext delivered while one datagram is processed / sealed while one is sent (for the capture). */
  #inbound: Uint8Array | null = null
  #outbound: Uint8Array | null = null
  #sending: DtlsSession<Remote> | null = null
  readonly #endpoint: DtlsServerEndpoint<Remote>

  private constructor(
    private readonly socket: Socket,
    private readonly opts: DtlsServerLinkOptions
  ) {
    const peerOf = (s: DtlsSession<Remote>): PeerAddress => ({ key: s.key, display: s.remoteKey })
    this.#endpoint = new DtlsServerEndpoint<Remote>({
      crypto: nodeCrypto,
      scheduler: nodeScheduler,
      suites: opts.suites ?? DEFAULT_SUITES,
      pskLookup: opts.pskLookup,
      ...(opts.certificate ? { certificate: opts.certificate } : {}),
      ...(opts.verifyPeer ? { verifyPeer: opts.verifyPeer } : {}),
      ...(opts.certificateTypes ? { certificateTypes: opts.certificateTypes } : {}),
      cidLength: opts.cidLength ?? 0,
      ...(opts.timing ? { timing: opts.timing } : {}),
      send: (to, d) => {
        const tap = opts.tap
        if (tap && !tap.off) {
          const s = this.#sending
          const cid = d[0] === 25 ? hexOf(s?.info?.peerCid) : undefined
          tap({
            direction: 'out',
            transport: 'dtls',
            local: this.#local,
            peer: { key: `udp:${remoteKey(to.address, to.port)}`, display: remoteKey(to.address, to.port) },
            bytes: d,
            at: Date.now(),
            ...recordMeta(d),
            ...(this.#outbound ? { plaintext: this.#outbound } : {}),
            ...(cid ? { cid } : {}),
            ...(s?.connection.identity ? { identity: identityText(s.connection.identity) } : {})
          })
        }
        socket.send(d, to.port, to.address)
      },
      onEstablished: (s, info) => opts.onEstablished?.(peerOf(s), info),
      onData: (s, p) => {
        this.#inbound ??= p
        try {
          this.#handler?.(peerOf(s), p)
        } catch (e) {
          opts.onError?.(e as Error)
        }
      },
      onFailed: (_r, key, f) => opts.onFailed?.(key, f),
      onClosed: (s, reason) => opts.onClosed?.(peerOf(s), reason),
      onMoved: (s, from, to) => opts.onMoved?.(peerOf(s), from, to)
    })
  }

  static async open(opts: DtlsServerLinkOptions): Promise<DtlsServerLink> {
    const socket = await bindUdpSocket(opts.host, opts.port)
    const link = new DtlsServerLink(socket, opts)
    const a = socket.address()
    link.#local = remoteKey(a.address, a.port)
    socket.on('error', (e) => opts.onError?.(e))
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      const key = remoteKey(rinfo.address, rinfo.port)
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)
      const at = Date.now()
      link.#inbound = null
      try {
        link.#endpoint.receive({ address: rinfo.address, port: rinfo.port }, key, bytes)
      } catch (e) {
        // The endpoint is total; this only guards the socket against a bug there.
        opts.onError?.(e as Error)
      }
      // Tapped after processing, so the frame carries the plaintext the records held.
      const tap = opts.tap
      if (tap && !tap.off) {
        const session = link.#endpoint.sessionAt(key)
        const cid = bytes[0] === 25 ? hexOf(session?.info?.ourCid) : undefined
        tap({
          direction: 'in',
          transport: 'dtls',
          local: link.#local,
          peer: { key: `udp:${key}`, display: key },
          bytes,
          at,
          ...recordMeta(bytes),
          ...(link.#inbound ? { plaintext: link.#inbound } : {}),
          ...(cid ? { cid } : {}),
          ...(session?.connection.identity ? { identity: identityText(session.connection.identity) } : {})
        })
      }
      link.#inbound = null
    })
    return link
  }

  get port(): number {
    return this.socket.address().port
  }

  get address(): string {
    return this.socket.address().address
  }

  /** The DTLS session behind a peer, for the authenticated identity and CID. */
  session(peer: PeerAddress): DtlsSession<Remote> | undefined {
    return this.#endpoint.session(peer.key)
  }

  get stats(): DtlsServerEndpoint<Remote>['stats'] {
    return this.#endpoint.stats
  }

  send(peer: PeerAddress, datagram: Uint8Array): void {
    this.#outbound = datagram
    this.#sending = this.#endpoint.session(peer.key) ?? null
    try {
      if (!this.#endpoint.send(peer.key, datagram)) this.opts.onError?.(new Error(`no DTLS session with ${peer.display} (it ended or never completed)`))
    } finally {
      this.#outbound = null
      this.#sending = null
    }
  }

  onReceive(handler: (peer: PeerAddress, datagram: Uint8Array) => void): void {
    this.#handler = handler
  }

  close(): Promise<void> {
    this.#endpoint.close()
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}
