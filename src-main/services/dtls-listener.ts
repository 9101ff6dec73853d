// SPDX-License-Identifier: Apache-2.0
// CoAP over DTLS 1.2 for one protocol role (LwM2M Server on 5684, Bootstrap Server on 5784): a
// DTLS server link, a CoAP endpoint on it, the role attached. PSKs come from the credential store
// by (role, identity); every handshake, good or bad, becomes a record that says what happened.
// Register over DTLS must use the endpoint name the store binds to the authenticated identity.
import type { Listener } from '../contract/system'
import { coapCodec } from '../core/coap/codec'
import { CoapEndpoint } from '../core/coap/endpoint'
import type { EndpointEvent } from '../core/coap/events'
import { createHash } from 'node:crypto'
import type { CertificateKind } from '../core/dtls/certificate-messages'
import { identityText, type HandshakeFailure, type OwnCertificate, type PeerCheck, type SessionInfo } from '../core/dtls/connection'
import type { UplinkRequest, UplinkResponse } from '../core/lwm2m/server/messages'
import type { PeerAddress } from '../core/ports'
import type { CaptureTap } from '../transports/capture-tap'
import { DtlsServerLink } from '../transports/dtls/dtls-server-link'
import { processTap } from '../transports/capture-tap'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { attachEndpoint, type RoleHandle } from './role-attachment'
import type { CredentialLookup, HandshakeRecordInput, SecurityRole } from './credential-lookup'

export type DtlsRole = SecurityRole

/** What a DTLS listener asks of the credential store (services/security-service.ts answers). */
export type ListenerCredentials = Pick<CredentialLookup, 'psk' | 'endpointFor' | 'recordHandshake' | 'rpkEndpoint' | 'verifyPeerCertificate'>

export interface DtlsListenerOptions {
  readonly host: string
  readonly port: number
  /** CID length this listener hands out (RFC 9146); 0 turns Connection ID off. Default 6. */
  readonly cidLength?: number
  readonly tap?: CaptureTap
  /** Our key (and certificate chain) for the ECDHE_ECDSA suites; without it only PSK suites run. */
  readonly certificate?: OwnCertificate
  /** NSS key log lines ("CLIENT_RANDOM …") when the user asked for a key log. */
  readonly keyLog?: (line: string) => void
  readonly onEvent?: (e: EndpointEvent) => void
  /** A session's peer moved (NAT rebinding with a CID): the registration keeps its session. */
  readonly onMoved?: (peer: PeerAddress, from: string, to: string) => void
}

const BAD_REQUEST = 0x80
const ROLE_NAMES: Record<DtlsRole, string> = { server: 'LwM2M Server', bootstrap: 'Bootstrap Server' }

function hex(b: Uint8Array | undefined): string | null {
  return b === undefined ? null : Buffer.from(b).toString('hex')
}

/** The "ep" query parameter of a Register or Bootstrap-Request. */
function endpointParam(req: UplinkRequest): string | null {
  for (const q of req.query) if (q.startsWith('ep=')) return q.slice(3)
  return null
}

export class DtlsListener {
  private constructor(
    readonly link: DtlsServerLink,
    readonly endpoint: CoapEndpoint,
    private readonly role: DtlsRole,
    private readonly detach: () => void,
    private readonly publicKey: Uint8Array | null
  ) {}

  static async open(role: DtlsRole, handle: RoleHandle, credentials: ListenerCredentials, opts: DtlsListenerOptions): Promise<DtlsListener> {
    const record = (peer: string, outcome: 'ok' | 'failed', fields: Omit<HandshakeRecordInput, 'role' | 'direction' | 'peer' | 'outcome'>): void => {
      try {
        credentials.recordHandshake({ role, direction: 'server', peer, outcome, ...fields })
      } catch {
        // a record that cannot be stored must not take the listener down
      }
    }
    const link = await DtlsServerLink.open({
      host: opts.host,
      port: opts.port,
      cidLength: opts.cidLength ?? 6,
      pskLookup: (identity) => credentials.psk(role, identity)?.key ?? null,
      ...(opts.certificate
        ? {
            certificate: opts.certificate,
            verifyPeer: (kind: CertificateKind, entries: readonly Uint8Array[]): PeerCheck => {
              const leaf = entries[0] as Uint8Array
              if (kind === 'rpk') {
                const endpoint = credentials.rpkEndpoint(role, leaf)
                return endpoint !== null
                  ? { ok: true, identity: new TextEncoder().encode(endpoint), endpoint }
                  : { ok: false, cause: 'cert_untrusted', message: 'The raw public key the device presented is not stored for any endpoint (security.put with mode rpk).', evidence: { spkiSha256: createHash('sha256').update(leaf).digest('hex') } }
              }
              const r = credentials.verifyPeerCertificate(role, entries, new Date())
              return r.ok ? { ok: true, identity: new TextEncoder().encode(r.cn), endpoint: r.endpoint } : r
            }
          }
        : {}),
      tap: opts.tap ?? processTap,
      onEstablished: (peer, info: SessionInfo) => {
        const endpoint = info.peerEndpoint ?? credentials.endpointFor(role, info.identity)
        opts.keyLog?.(`CLIENT_RANDOM ${hex(info.clientRandom)} ${hex(info.masterSecret)}`)
        record(peer.display, 'ok', {
          identity: identityText(info.identity),
          endpoint,
          cause: 'ok',
          message: `${info.suite.name}${info.ourCid ? `, Connection ID ${hex(info.ourCid)}` : ''}${info.extendedMasterSecret ? '' : ', without extended master secret'}`,
          evidence: { extendedMasterSecret: info.extendedMasterSecret },
          suite: info.suite.name,
          cid: { ours: hex(info.ourCid), theirs: hex(info.peerCid) }
        })
      },
      onFailed: (remote, f: HandshakeFailure) => {
        const identity = f.identity === undefined ? null : identityText(f.identity)
        record(remote, 'failed', {
          identity,
          endpoint: f.identity === undefined ? null : credentials.endpointFor(role, f.identity),
          cause: f.cause,
          message: f.message,
          evidence: f.evidence,
          ...(f.alert ? { alert: f.alert } : {})
        })
      },
      ...(opts.onMoved ? { onMoved: opts.onMoved } : {})
    })
    const endpoint = new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) })
    // Register and Bootstrap-Request must name the endpoint the identity is bound to (issue 15 item 3).
    const guarded: RoleHandle = {
      links: handle.links,
      handle: (req, accept): UplinkResponse => {
        const first = req.path[0]
        if (req.method === 'POST' && (first === 'rd' || first === 'bs') && req.path.length === 1) {
          const session = link.session(req.peer)
          const identity = session?.connection.identity
          const bound = session?.info?.peerEndpoint ?? (identity === undefined ? null : credentials.endpointFor(role, identity))
          const ep = endpointParam(req)
          if (bound !== null && ep !== null && ep !== bound) {
            return { code: BAD_REQUEST, payload: new TextEncoder().encode(`endpoint "${ep}" is not the one bound to this DTLS identity ("${bound}")`) }
          }
        }
        return handle.handle(req, accept)
      }
    }
    const detach = attachEndpoint(endpoint, 'dtls', role === 'server' ? { server: guarded } : { bootstrap: guarded })
    return new DtlsListener(link, endpoint, role, detach, opts.certificate?.publicKey ?? null)
  }

  describe(): Listener {
    return {
      role: ROLE_NAMES[this.role],
      transport: 'coaps (DTLS 1.2)',
      address: this.link.address,
      port: this.link.port,
      ...(this.publicKey ? { publicKey: Buffer.from(this.publicKey).toString('base64') } : {})
    }
  }

  async close(): Promise<void> {
    this.detach()
    this.endpoint.close()
    await this.link.close()
  }
}
