// SPDX-License-Identifier: Apache-2.0
// An in-memory datagram network on the fake clock. Each datagram passes a policy the test sets,
// which may deliver it, drop it, duplicate it or delay it (delays reorder).

import type { CoapMessage } from '../../../../src-main/core/coap/message'
import type { DatagramLink, PeerAddress } from '../../../../src-main/core/ports'
import type { FakeScheduler } from './fake-scheduler'
import { jsonCodec } from './json-codec'

export interface Datagram {
  /** Counts every datagram sent on the network, from 0. */
  readonly index: number
  readonly at: number
  readonly from: PeerAddress
  readonly to: PeerAddress
  readonly bytes: Uint8Array
  /** What the test codec makes of it (null for garbage). */
  readonly message: CoapMessage | null
}

export type Fate = 'deliver' | 'drop' | 'duplicate' | { readonly delayMs: number }

export function address(name: string): PeerAddress {
  return { key: `test:${name}`, display: name }
}

export class LossyNetwork {
  readonly log: Datagram[] = []
  policy: (d: Datagram) => Fate = () => 'deliver'
  /** Datagrams scheduled for delivery and not delivered yet (they are timers on the clock too). */
  inFlight = 0
  private readonly receivers = new Map<string, (peer: PeerAddress, datagram: Uint8Array) => void>()

  constructor(
    private readonly scheduler: FakeScheduler,
    private readonly latencyMs = 1
  ) {}

  /** The link of the node at `self`. */
  link(self: PeerAddress): DatagramLink {
    return {
      send: (to, bytes) => this.send(self, to, bytes),
      onReceive: (handler) => {
        this.receivers.set(self.key, handler)
      }
    }
  }

  /** Drops the datagrams whose indexes (counted from now) are listed. */
  dropNth(...nth: number[]): void {
    const base = this.log.length
    this.policy = (d) => (nth.includes(d.index - base) ? 'drop' : 'deliver')
  }

  /** Messages sent from `from` (decoded), in order. */
  sentBy(from: PeerAddress): CoapMessage[] {
    return this.log.filter((d) => d.from.key === from.key && d.message !== null).map((d) => d.message!)
  }

  send(from: PeerAddress, to: PeerAddress, bytes: Uint8Array): void {
    const copy = Uint8Array.from(bytes)
    const d: Datagram = {
      index: this.log.length,
      at: this.scheduler.now(),
      from,
      to,
      bytes: copy,
      message: jsonCodec.decode(copy).message
    }
    this.log.push(d)
    const fate = this.policy(d)
    if (fate === 'drop') return
    const deliver = (): void => {
      this.inFlight--
      this.receivers.get(to.key)?.(from, copy)
    }
    const delay = typeof fate === 'object' ? fate.delayMs : this.latencyMs
    const copies = fate === 'duplicate' ? 2 : 1
    for (let i = 0; i < copies; i++) {
      this.inFlight++
      this.scheduler.schedule(delay + i, deliver)
    }
  }
}

/** A bare node that sends hand-made messages and records what reaches it. */
export class RawPeer {
  readonly received: CoapMessage[] = []
  /** Called after each message is recorded. */
  onMessage: (from: PeerAddress, m: CoapMessage) => void = () => undefined
  constructor(
    private readonly net: LossyNetwork,
    readonly self: PeerAddress
  ) {
    net.link(self).onReceive((from, bytes) => {
      const m = jsonCodec.decode(bytes).message
      if (m === null) return
      this.received.push(m)
      this.onMessage(from, m)
    })
  }

  send(to: PeerAddress, m: CoapMessage): void {
    this.net.send(this.self, to, jsonCodec.encode(m))
  }

  sendBytes(to: PeerAddress, bytes: Uint8Array): void {
    this.net.send(this.self, to, bytes)
  }
}

/** A hand-scripted server: answers every CON request piggybacked with what `answer` returns. */
export function scriptedServer(
  net: LossyNetwork,
  self: PeerAddress,
  answer: (req: CoapMessage, n: number) => { code: number; options?: CoapMessage['options']; payload?: Uint8Array }
): RawPeer {
  const raw = new RawPeer(net, self)
  let n = 0
  raw.onMessage = (from, m) => {
    if (m.type !== 'CON' || m.code === 0 || m.code >= 32) return
    const r = answer(m, n++)
    raw.send(from, {
      type: 'ACK',
      code: r.code,
      messageId: m.messageId,
      token: m.token,
      options: r.options ?? [],
      payload: r.payload ?? new Uint8Array(0)
    })
  }
  return raw
}
