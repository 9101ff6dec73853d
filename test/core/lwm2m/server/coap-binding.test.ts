// SPDX-License-Identifier: Apache-2.0
// The roles' DeviceLink over CoAP: requests inside a role's request end with the role's deadline
// (its cancel signal); what outlives that request — cancelling an observation with GET Observe=1
// (RFC 7641 §3.6) — keeps a CoAP deadline of its own.
import { describe, expect, it } from 'vitest'
import { CancelSignal } from '../../../../src-main/core/cancel'
import { EMPTY, Option, type CoapMessage } from '../../../../src-main/core/coap/message'
import { coapDeviceLink } from '../../../../src-main/core/lwm2m/server/coap-binding'
import type { SendControl } from '../../../../src-main/core/lwm2m/server/messages'
import { FakeScheduler } from '../../coap/helpers/fake-scheduler'
import { CLIENT, node, SERVER, text } from '../../coap/helpers/fixture'
import { LossyNetwork, RawPeer } from '../../coap/helpers/lossy-network'

const control = (timeoutMs: number): SendControl => ({ timeoutMs, cancel: new CancelSignal(), onAck: () => undefined, onLate: () => undefined })

describe('coapDeviceLink deadlines', () => {
  it('cancelling an observation (GET Observe=1) to a device that only acknowledges ends within the role timeout + 1 s, not never', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const server = node(net, scheduler, CLIENT, 5)
    const device = new RawPeer(net, SERVER)
    device.onMessage = (from, m: CoapMessage) => {
      if (m.type !== 'CON' || m.code === EMPTY) return
      const observe = m.options.find((o) => o.number === Option.OBSERVE)
      if (observe && observe.value.length === 0) {
        // Observe=0: registered, answered piggybacked with a sequence number.
        device.send(from, { type: 'ACK', code: 69, messageId: m.messageId, token: m.token, options: [{ number: Option.OBSERVE, value: Uint8Array.of(1) }, { number: Option.CONTENT_FORMAT, value: new Uint8Array(0) }], payload: text('20') })
      } else {
        // The deregistration: acknowledged, never answered.
        device.send(from, { type: 'ACK', code: EMPTY, messageId: m.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) })
      }
    }
    const link = coapDeviceLink(server.endpoint)
    const pending = link.observe(SERVER, { method: 'GET', path: ['3303', '0', '5700'] }, () => undefined, () => undefined, control(5_000))
    await scheduler.advance(10)
    const handle = await pending
    expect(handle.first.code).toBe(69)
    let settled: 'ok' | 'failed' | null = null
    void handle.cancel('get').then(
      () => (settled = 'ok'),
      () => (settled = 'failed')
    )
    await scheduler.advance(5_000 + 1_000 + 100)
    expect(settled).not.toBeNull()
  })
})
