// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import type { CoapNotification } from '../../../src-main/core/coap/endpoint'
import { EMPTY, Method, Option, Response, type CoapMessage, type MessageType } from '../../../src-main/core/coap/message'
import { FakeScheduler } from './helpers/fake-scheduler'
import { CLIENT, node, path, SERVER, str, text } from './helpers/fixture'
import { LossyNetwork, RawPeer } from './helpers/lossy-network'
import { block, blockValue, has, opt, uint } from './helpers/options'

const NONE = new Uint8Array(0)
const seqValue = (n: number): number[] => (n === 0 ? [] : n < 256 ? [n] : n < 65536 ? [n >> 8, n & 255] : [n >> 16, (n >> 8) & 255, n & 255])

/** A client endpoint observing /3/0/9 on a hand-driven server. */
async function observed(opts: { register?: boolean } = {}) {
  const scheduler = new FakeScheduler()
  const net = new LossyNetwork(scheduler)
  const client = node(net, scheduler)
  const server = new RawPeer(net, SERVER)
  const got: CoapNotification[] = []
  const p = client.endpoint.observe(SERVER, { code: Method.GET, options: path('3', '0', '9') }, (n) => got.push(n))
  await scheduler.advance(5)
  const reg = server.received[0]!
  let mid = 1000
  const notify = (type: MessageType, seq: number | null, payload: string, code: number = Response.CONTENT, extra: CoapMessage['options'] = []): number => {
    const options = [...(seq === null ? [] : [opt(Option.OBSERVE, seqValue(seq))]), ...extra]
    server.send(CLIENT, { type, code, messageId: ++mid, token: reg.token, options, payload: text(payload) })
    return mid
  }
  server.send(CLIENT, {
    type: 'ACK', code: Response.CONTENT, messageId: reg.messageId, token: reg.token,
    options: opts.register === false ? [] : [opt(Option.OBSERVE, [5])], payload: text('v5')
  })
  const observation = await scheduler.run(p)
  server.received.length = 0
  return { scheduler, net, client, server, got, reg, notify, observation, payloads: () => got.map((n) => str(n.payload)) }
}

describe('RFC 7641 Observe, client side', () => {
  it('§3.1 registers with GET Observe = 0 (empty value) and gets the first representation', async () => {
    const { reg, observation } = await observed()
    expect(reg.code).toBe(Method.GET)
    expect(reg.options.find((o) => o.number === Option.OBSERVE)!.value).toEqual(NONE)
    expect(reg.token.length).toBeGreaterThanOrEqual(4)
    expect(observation.registered).toBe(true)
    expect(str(observation.response.payload)).toBe('v5')
  })

  it('§3.2 CON notifications are acknowledged, NON ones are not; both are delivered', async () => {
    const { scheduler, server, notify, got } = await observed()
    const m6 = notify('CON', 6, 'v6')
    notify('NON', 7, 'v7')
    await scheduler.advance(10)
    expect(got.map((n) => [str(n.payload), n.sequence, n.confirmable])).toEqual([['v6', 6, true], ['v7', 7, false]])
    expect(server.received).toEqual([expect.objectContaining({ type: 'ACK', code: EMPTY, messageId: m6 })])
  })

  it('§3.4 out-of-order notifications: the stale one is dropped, not delivered', async () => {
    const { scheduler, net, notify, payloads } = await observed()
    // v7 is held back in the network and arrives after v8.
    net.policy = (d) => (d.message?.payload.length && str(d.message.payload) === 'v7' ? { delayMs: 50 } : 'deliver')
    notify('NON', 6, 'v6')
    notify('NON', 7, 'v7')
    notify('NON', 8, 'v8')
    await scheduler.advance(100)
    expect(payloads()).toEqual(['v6', 'v8'])
  })

  it('§3.4 a notification older than the registration response is stale; after 128 s it is fresh again', async () => {
    const { scheduler, notify, payloads } = await observed()
    notify('NON', 4, 'v4')
    await scheduler.advance(10)
    expect(payloads()).toEqual([])
    await scheduler.advance(128_000)
    notify('NON', 3, 'v3 after restart')
    await scheduler.advance(10)
    expect(payloads()).toEqual(['v3 after restart'])
  })

  it('§3.4 24-bit wrap-around counts as newer', async () => {
    const { scheduler, notify, payloads } = await observed()
    notify('NON', 0xfffffe, 'far ahead') // 0xFFFFFE - 5 > 2^23: older, dropped
    notify('NON', 0x400000, 'a')
    notify('NON', 0x7fffff, 'b')
    notify('NON', 0xfffff0, 'c')
    notify('NON', 2, 'wrapped')
    await scheduler.advance(10)
    expect(payloads()).toEqual(['a', 'b', 'c', 'wrapped'])
  })

  it('§4.5 a duplicated CON notification is delivered once and ACKed each time', async () => {
    const { scheduler, net, server, notify, got } = await observed()
    net.policy = (d) => (d.from.key === SERVER.key ? 'duplicate' : 'deliver')
    const m = notify('CON', 6, 'v6')
    await scheduler.advance(10)
    expect(got).toHaveLength(1)
    expect(server.received.map((r) => [r.type, r.messageId])).toEqual([['ACK', m], ['ACK', m]])
  })

  it('§3.6 cancel("get"): GET with Observe = 1, same token and options; later notifications get RST', async () => {
    const { scheduler, server, reg, notify, observation, payloads } = await observed()
    const cancelled = observation.cancel('get')
    await scheduler.advance(5)
    const dereg = server.received[0]!
    expect(dereg.code).toBe(Method.GET)
    expect(uint(dereg, Option.OBSERVE)).toBe(1)
    expect(dereg.token).toEqual(reg.token)
    expect(dereg.options.filter((o) => o.number === Option.URI_PATH)).toEqual(reg.options.filter((o) => o.number === Option.URI_PATH))
    // A notification crossing the GET is acknowledged but not delivered.
    const crossing = notify('CON', 6, 'crossing')
    await scheduler.advance(5)
    expect(server.received.at(-1)).toMatchObject({ type: 'ACK', messageId: crossing })
    server.send(CLIENT, { type: 'ACK', code: Response.CONTENT, messageId: dereg.messageId, token: reg.token, options: [], payload: text('last') })
    await scheduler.run(cancelled)
    expect(await observation.ended).toEqual({ reason: 'cancelled' })
    const late = notify('CON', 7, 'late')
    await scheduler.advance(5)
    expect(server.received.at(-1)).toMatchObject({ type: 'RST', messageId: late })
    expect(payloads()).toEqual([])
  })

  it('§3.6 cancel("rst"): nothing is sent now; the next notification, CON or NON, is answered with RST', async () => {
    const { scheduler, server, notify, observation, payloads } = await observed()
    await observation.cancel('rst')
    await scheduler.advance(5)
    expect(server.received).toEqual([])
    expect(await observation.ended).toEqual({ reason: 'cancelled' })
    const con = notify('CON', 6, 'v6')
    const non = notify('NON', 7, 'v7')
    await scheduler.advance(5)
    expect(server.received.map((m) => [m.type, m.messageId])).toEqual([['RST', con], ['RST', non]])
    expect(payloads()).toEqual([])
  })

  it('§3.2 an error response (4.04, no Observe) ends the relation and is reported', async () => {
    const { scheduler, notify, observation, payloads } = await observed()
    notify('CON', null, 'gone', Response.NOT_FOUND)
    await scheduler.advance(5)
    const end = await observation.ended
    expect(end.reason).toBe('server')
    expect(end.reason === 'server' && end.response.code).toBe(Response.NOT_FOUND)
    expect(payloads()).toEqual([])
  })

  it('§3.2 a 2.05 without Observe also ends the relation', async () => {
    const { scheduler, notify, observation } = await observed()
    notify('NON', null, 'plain')
    await scheduler.advance(5)
    expect((await observation.ended).reason).toBe('server')
  })

  it('§4.1 a registration answered without Observe is not an observation', async () => {
    const { observation } = await observed({ register: false })
    expect(observation.registered).toBe(false)
    expect(await observation.ended).toEqual({ reason: 'not-registered' })
    expect(str(observation.response.payload)).toBe('v5')
  })

  it('RFC 7959 §2.6 a block-wise notification is completed with plain GETs (no Observe) before delivery', async () => {
    const { scheduler, server, notify, got } = await observed()
    const whole = text('x'.repeat(16) + 'tail')
    server.onMessage = (from, m) => {
      if (m.type !== 'CON' || m.code !== Method.GET) return
      expect(has(m, Option.OBSERVE)).toBe(false)
      const b = block(m, Option.BLOCK2)!
      server.send(from, {
        type: 'ACK', code: Response.CONTENT, messageId: m.messageId, token: m.token,
        options: [opt(Option.ETAG, [9]), opt(Option.BLOCK2, blockValue(b.num, false, 0))], payload: whole.subarray(16)
      })
    }
    notify('NON', 6, 'x'.repeat(16), Response.CONTENT, [opt(Option.ETAG, [9]), opt(Option.BLOCK2, blockValue(0, true, 0))])
    await scheduler.advance(20)
    expect(got.map((n) => str(n.payload))).toEqual([str(whole)])
    expect(server.received.filter((m) => m.code === Method.GET).map((m) => block(m, Option.BLOCK2)!.num)).toEqual([1])
  })

  it('RFC 7959 §2.6 a block-wise registration response is fetched whole; later blocks carry no Observe', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const client = node(net, scheduler)
    const server = new RawPeer(net, SERVER)
    const whole = text('0123456789abcdef' + 'rest')
    server.onMessage = (from, m) => {
      const b = block(m, Option.BLOCK2)
      const num = b?.num ?? 0
      const options = [...(num === 0 ? [opt(Option.OBSERVE, [1])] : []), opt(Option.BLOCK2, blockValue(num, num === 0, 0))]
      server.send(from, { type: 'ACK', code: Response.CONTENT, messageId: m.messageId, token: m.token, options, payload: whole.subarray(num * 16, num * 16 + 16) })
    }
    const observation = await scheduler.run(client.endpoint.observe(SERVER, { code: Method.GET, options: path('3') }, () => undefined))
    expect(observation.registered).toBe(true)
    expect(observation.response.payload).toEqual(whole)
    expect(observation.response.messages).toBe(2)
    expect(server.received.map((m) => has(m, Option.OBSERVE))).toEqual([true, false])
    expect(server.received[1]!.token).not.toEqual(server.received[0]!.token)
  })

  it('close() ends observations with reason "closed"', async () => {
    const { client, observation } = await observed()
    client.endpoint.close()
    expect(await observation.ended).toEqual({ reason: 'closed' })
  })

  it('a throwing notification callback does not stop later notifications', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const client = node(net, scheduler)
    const server = new RawPeer(net, SERVER)
    const seen: number[] = []
    const p = client.endpoint.observe(SERVER, { code: Method.GET, options: [] }, (n) => {
      seen.push(n.sequence)
      throw new Error('callback bug')
    })
    await scheduler.advance(5)
    const reg = server.received[0]!
    server.send(CLIENT, { type: 'ACK', code: Response.CONTENT, messageId: reg.messageId, token: reg.token, options: [opt(Option.OBSERVE, [1])], payload: NONE })
    await scheduler.run(p)
    for (const seq of [2, 3]) {
      server.send(CLIENT, { type: 'NON', code: Response.CONTENT, messageId: 50 + seq, token: reg.token, options: [opt(Option.OBSERVE, [seq])], payload: NONE })
    }
    await scheduler.advance(5)
    expect(seen).toEqual([2, 3])
    expect(client.events.filter((e) => e.type === 'internal-error')).toHaveLength(2)
  })
})
