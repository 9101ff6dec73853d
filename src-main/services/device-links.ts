// SPDX-License-Identifier: Apache-2.0
// A simulated device's datagram links: its UDP socket (or serial line) for coap:// servers, and one DTLS client
// per coaps:// server, opened on first use with the credentials the device's Security object
// holds for that server. The CoAP endpoint above sees one link; peers' keys ("udp:", "dtls:")
// pick the way out.
import type { CertificateKind } from '../core/dtls/certificate-messages'
import type { HandshakeFailure, OwnCertificate, PeerCheck, PskClientCredential, SessionInfo } from '../core/dtls/connection'
import type { DatagramLink, PeerAddress } from '../core/ports'
import { DtlsClientLink } from '../transports/dtls/dtls-client-link'
import { simulatorTap } from '../transports/capture-tap'

/** A device's own link: a UDP socket, or a serial line. */
export interface DeviceSocket extends DatagramLink {
  close(): Promise<void>
  /** The UDP port; none on a serial line. */
  readonly port?: number
  /** False once a serial line has ended (unplugged): nothing can be sent any more. */
  readonly isOpen?: boolean
}

export type DeviceDtlsCredential = {
  readonly suites?: readonly number[]
  readonly cid?: boolean
} & (
  | { readonly psk: PskClientCredential }
  | { readonly certificate: OwnCertificate; readonly verifyPeer: (kind: CertificateKind, entries: readonly Uint8Array[]) => PeerCheck; readonly certificateTypes: readonly CertificateKind[] }
)

export interface DtlsPeerSetup {
  /** How to authenticate to this server (PSK, or our key and the check of the server's), or why we cannot. */
  credential(peer: PeerAddress): DeviceDtlsCredential | { problem: string }
  /** Offer a Connection ID (RFC 9146). */
  readonly cid?: boolean
  readonly onEstablished?: (peer: PeerAddress, info: SessionInfo) => void
  readonly onFailed?: (peer: PeerAddress, failure: HandshakeFailure | { readonly message: string }) => void
}

/** "dtls:[::1]:5684" → address and port. */
function parseDtlsPeer(peer: PeerAddress): { address: string; port: number } | null {
  const m = /^dtls:(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(peer.key)
  return m ? { address: (m[1] ?? m[2]) as string, port: Number(m[3]) } : null
}

export class DeviceLinks implements DatagramLink {
  #handler: ((peer: PeerAddress, datagram: Uint8Array) => void) | null = null
  #dtls: Map<string, Promise<DtlsClientLink | null>> | null = null
  #closed = false

  constructor(
    readonly base: DeviceSocket,
    private readonly setup: DtlsPeerSetup | null
  ) {}

  /** False once the base link (a serial line) has ended. */
  get isOpen(): boolean | undefined {
    return this.base.isOpen
  }

  send(peer: PeerAddress, datagram: Uint8Array): void {
    if (!peer.key.startsWith('dtls:')) {
      this.base.send(peer, datagram)
      return
    }
    void this.#dtlsLink(peer).then((l) => l?.send(peer, datagram))
  }

  onReceive(handler: (peer: PeerAddress, datagram: Uint8Array) => void): void {
    this.#handler = handler
    this.base.onReceive(handler)
  }

  /** The DTLS link to a server, if one is open (tests move it to a new port to act out a NAT). */
  async dtlsLink(peer: PeerAddress): Promise<DtlsClientLink | null> {
    return (await this.#dtls?.get(peer.key)) ?? null
  }

  #dtlsLink(peer: PeerAddress): Promise<DtlsClientLink | null> {
    this.#dtls ??= new Map()
    let p = this.#dtls.get(peer.key)
    if (p === undefined) {
      p = this.#open(peer)
      this.#dtls.set(peer.key, p)
    }
    return p
  }

  async #open(peer: PeerAddress): Promise<DtlsClientLink | null> {
    const target = parseDtlsPeer(peer)
    const setup = this.setup
    const cred = setup?.credential(peer) ?? { problem: 'DTLS is not set up for this device' }
    if (target === null || 'problem' in cred || this.#closed) {
      this.#dtls?.delete(peer.key)
      setup?.onFailed?.(peer, { message: 'problem' in cred ? cred.problem : `cannot reach ${peer.display} over DTLS` })
      return null
    }
    const link = await DtlsClientLink.open({
      server: target,
      ...('psk' in cred ? { psk: cred.psk } : { certificate: cred.certificate, verifyPeer: cred.verifyPeer, certificateTypes: cred.certificateTypes }),
      ...(cred.suites && cred.suites.length > 0 ? { suites: cred.suites } : {}),
      ...(setup?.cid || cred.cid ? { cid: new Uint8Array(0) } : {}),
      tap: simulatorTap,
      onEstablished: (info) => setup?.onEstablished?.(peer, info),
      onFailed: (f) => setup?.onFailed?.(peer, f)
    })
    if (this.#closed) {
      await link.close()
      return null
    }
    link.onReceive((p, d) => this.#handler?.(p, d))
    return link
  }

  async close(): Promise<void> {
    this.#closed = true
    const links = [...(this.#dtls?.values() ?? [])]
    this.#dtls = null
    for (const l of await Promise.all(links)) await l?.close()
    await this.base.close()
  }
}
