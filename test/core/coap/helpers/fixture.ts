// SPDX-License-Identifier: Apache-2.0
// Two endpoints (client and server) on a lossy network, with their events recorded.

import { CoapEndpoint, type CoapEndpointOptions } from '../../../../src-main/core/coap/endpoint'
import type { EndpointEvent } from '../../../../src-main/core/coap/events'
import { Option, type CoapOption } from '../../../../src-main/core/coap/message'
import { FakeScheduler } from './fake-scheduler'
import { jsonCodec } from './json-codec'
import { address, LossyNetwork } from './lossy-network'
import { seededRandom } from './seeded-random'

export const CLIENT = address('client')
export const SERVER = address('server')

export interface Node {
  readonly endpoint: CoapEndpoint
  readonly events: EndpointEvent[]
}

export function node(
  net: LossyNetwork,
  scheduler: FakeScheduler,
  self = CLIENT,
  seed = 1,
  extra: Partial<CoapEndpointOptions> = {}
): Node {
  const events: EndpointEvent[] = []
  const endpoint = new CoapEndpoint({
    link: net.link(self),
    codec: jsonCodec,
    scheduler,
    random: seededRandom(seed),
    onEvent: (e) => events.push(e),
    ...extra
  })
  return { endpoint, events }
}

export function pair(extra: { client?: Partial<CoapEndpointOptions>; server?: Partial<CoapEndpointOptions> } = {}) {
  const scheduler = new FakeScheduler()
  const net = new LossyNetwork(scheduler)
  const client = node(net, scheduler, CLIENT, 1, extra.client)
  const server = node(net, scheduler, SERVER, 2, extra.server)
  return { scheduler, net, client, server }
}

const utf8 = new TextEncoder()
export const text = (s: string): Uint8Array => utf8.encode(s)
export const str = (b: Uint8Array): string => new TextDecoder().decode(b)

export function path(...segments: string[]): CoapOption[] {
  return segments.map((s) => ({ number: Option.URI_PATH, value: text(s) }))
}

/** Deterministic bytes of a given length (a pattern, not zeros, so misplaced blocks show). */
export function body(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    out[i] = x >> 16
  }
  return out
}

export function eventsOf<T extends EndpointEvent['type']>(events: EndpointEvent[], type: T) {
  return events.filter((e): e is Extract<EndpointEvent, { type: T }> => e.type === type)
}
