// SPDX-License-Identifier: Apache-2.0
// A CoAP endpoint on its own UDP socket: what each protocol role listens on.
import type { Listener } from '../contract/system'
import { coapCodec } from '../core/coap/codec'
import { CoapEndpoint } from '../core/coap/endpoint'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { UdpLink } from '../transports/udp'

export class CoapListener {
  private constructor(
    readonly link: UdpLink,
    readonly endpoint: CoapEndpoint,
    private readonly role: string
  ) {}

  static async open(role: string, opts: { host: string; port: number }): Promise<CoapListener> {
    const link = await UdpLink.open({ host: opts.host, port: opts.port })
    return new CoapListener(link, new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom }), role)
  }

  describe(): Listener {
    return { role: this.role, transport: 'coap (UDP)', address: this.link.address, port: this.link.port }
  }

  async close(): Promise<void> {
    this.endpoint.close()
    await this.link.close()
  }
}
