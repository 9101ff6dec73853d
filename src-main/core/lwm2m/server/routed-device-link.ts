// SPDX-License-Identifier: Apache-2.0
// One role (Server or Bootstrap Server) reaches devices over several transports at once: UDP,
// DTLS, serial lines. A peer's key starts with its transport ("udp:", "dtls:", "serial:"), so a
// downlink request goes back over the link its device came in on.
import type { PeerAddress } from '../../ports'
import type { DeviceLink } from './messages'

/** "udp:[::1]:5683" → "udp"; a key without a scheme has none. */
export function transportOf(peer: PeerAddress): string {
  const i = peer.key.indexOf(':')
  return i < 0 ? '' : peer.key.slice(0, i)
}

export class RoutedDeviceLink implements DeviceLink {
  readonly #links = new Map<string, DeviceLink>()

  /** Routes peers of `transport` (or the one peer whose key this is) to `link`; returns the function that removes it again. */
  add(transport: string, link: DeviceLink): () => void {
    this.#links.set(transport, link)
    return () => {
      if (this.#links.get(transport) === link) this.#links.delete(transport)
    }
  }

  has(transport: string): boolean {
    return this.#links.has(transport)
  }

  #route(peer: PeerAddress): DeviceLink {
    // A link added for one peer's whole key (one serial line each) comes before its transport's.
    const link = this.#links.get(peer.key) ?? this.#links.get(transportOf(peer))
    if (!link) throw new Error(`no open link reaches ${peer.display} (transport "${transportOf(peer)}" is closed)`)
    return link
  }

  send(...args: Parameters<DeviceLink['send']>): ReturnType<DeviceLink['send']> {
    try {
      return this.#route(args[0]).send(...args)
    } catch (e) {
      return Promise.reject(e as Error)
    }
  }

  observe(...args: Parameters<DeviceLink['observe']>): ReturnType<DeviceLink['observe']> {
    try {
      return this.#route(args[0]).observe(...args)
    } catch (e) {
      return Promise.reject(e as Error)
    }
  }
}
