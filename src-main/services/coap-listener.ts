// SPDX-License-Identifier: Apache-2.0
// A CoAP endpoint on its own UDP socket: what each protocol role listens on.
import type { Listener } from '../contract/system'
import { coapCodec } from '../core/coap/codec'
import { CoapEndpoint } from '../core/coap/endpoint'
import type { EndpointEvent } from '../core/coap/events'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { processTap } from '../transports/capture-tap'
import { UdpLink } from '../transports/udp'

/** Sees every event of every CoAP listener, with the listener's role. */
export type EndpointTap = (role: string, e: EndpointEvent) => void

// Process-wide, so that logging reaches every listener without each role's service carrying it.
const taps = new Set<EndpointTap>()

/** Adds a tap to all listeners, open and future; returns the function that removes it. */
export function tapEndpointEvents(tap: EndpointTap): () => void {
  taps.add(tap)
  return () => void taps.delete(tap)
}

/**
 * The event function an endpoint of `role` reports through, feeding every tap: the listeners',
 * and endpoints outside a listener (a DTLS listener, a serial line).
 */
export function listenerEvents(role: string): (e: EndpointEvent) => void {
  return (e) => {
    for (const tap of taps) tap(role, e)
  }
}

export class CoapListener {
  private constructor(
    readonly link: UdpLink,
    readonly endpoint: CoapEndpoint,
    private readonly role: string
  ) {}

  static async open(role: string, opts: { host: string; port: number }): Promise<CoapListener> {
    const link = await UdpLink.open({ host: opts.host, port: opts.port, tap: processTap })
    const onEvent = listenerEvents(role)
    return new CoapListener(link, new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom, onEvent }), role)
  }

  describe(): Listener {
    return { role: this.role, transport: 'coap (UDP)', address: this.link.address, port: this.link.port }
  }

  async close(): Promise<void> {
    this.endpoint.close()
    await this.link.close()
  }
}
