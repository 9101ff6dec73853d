// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { CoapEndpoint } from '../../../src-main/core/coap/endpoint'
import { CoapClosedError, CoapResetError, CoapTimeoutError } from '../../../src-main/core/coap/errors'
import { EMPTY, Method, Response } from '../../../src-main/core/coap/message'
import { FakeScheduler } from './helpers/fake-scheduler'
import { garbage, jsonCodec } from './helpers/json-codec'
import { address, LossyNetwork, RawPeer } from './helpers/lossy-network'
import { CLIENT, eventsOf, node, pair, path, SERVER, str, text } from './helpers/fixture'
import { fixedRandom, seededRandom } from './helpers/seeded-random'

const GET = { code: Method.GET, options: path('3', '0') }
const NOBODY = address('nobody')

/** Times (fake ms) at which `from` put a request on the network. */
function sendTimes(net: LossyNetwork, from = CLIENT): number[] {
  return net.log.filter((d) => d.from.key === from.key && d.message?.code === Method.GET).map((d) => d.at)
}

describe('RFC 7252 §4.2 CON retransmission', () => {
  it('§4.2 seeded: first timeout in [2 s, 3 s], then doubling, 4 retransmissions, give up at 31 × the first', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    // The endpoint draws its first MID, then the 8 token bytes, then the first timeout.
    const mirror = seededRandom(99)
    mirror.next()
    mirror.bytes(8)
    const t1 = 2000 * (1 + mirror.next() * 0.5)
    const c = node(net, scheduler, CLIENT, 0, { random: seededRandom(99) })
    const err = await scheduler.run(c.endpoint.request(NOBODY, GET)).catch((e: unknown) => e)
    expect(t1).toBeGreaterThanOrEqual(2000)
    expect(t1).toBeLessThanOrEqual(3000)
    expect(sendTimes(net)).toEqual([0, t1, 3 * t1, 7 * t1, 15 * t1].map((t) => expect.closeTo(t, 6)))
    expect(err).toBeInstanceOf(CoapTimeoutError)
    expect((err as CoapTimeoutError).attempts).toBe(5)
    expect((err as CoapTimeoutError).waitingFor).toBe('ack')
    expect(scheduler.now()).toBeCloseTo(31 * t1, 6)
    expect(scheduler.now()).toBeLessThanOrEqual(93_000) // MAX_TRANSMIT_WAIT
    expect(eventsOf(c.events, 'retransmitted').map((e) => e.attempt)).toEqual([2, 3, 4, 5])
    expect(eventsOf(c.events, 'timeout')).toHaveLength(1)
  })

  it('§4.2 with the largest first timeout: sends at 0, 3, 9, 21, 45 s, give-up at 93 s', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 0, { random: fixedRandom(1) })
    const err = await scheduler.run(c.endpoint.request(NOBODY, GET)).catch((e: unknown) => e)
    expect(sendTimes(net)).toEqual([0, 3000, 9000, 21000, 45000])
    expect(err).toBeInstanceOf(CoapTimeoutError)
    expect(scheduler.now()).toBe(93_000)
  })

  it('§4.8 MAX_RETRANSMIT is configurable', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 0, { random: fixedRandom(0), params: { maxRetransmit: 1 } })
    const err = await scheduler.run(c.endpoint.request(NOBODY, GET)).catch((e: unknown) => e)
    expect(sendTimes(net)).toEqual([0, 2000])
    expect((err as CoapTimeoutError).attempts).toBe(2)
    expect(scheduler.now()).toBe(6000)
  })

  it('§4.2 a lost request is retransmitted and answered', async () => {
    const { scheduler, net, client, server } = pair()
    let calls = 0
    server.endpoint.onRequest(() => {
      calls++
      return { code: Response.CONTENT, payload: text('hi') }
    })
    net.dropNth(0)
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(str(r.payload)).toBe('hi')
    expect(calls).toBe(1)
    expect(sendTimes(net)).toHaveLength(2)
  })

  it('§4.5 a lost ACK: the retransmitted CON is not processed again, the cached ACK is replayed', async () => {
    const { scheduler, net, client, server } = pair()
    let calls = 0
    server.endpoint.onRequest(() => ({ code: Response.CONTENT, payload: text(`call ${++calls}`) }))
    net.dropNth(1) // the piggybacked ACK
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(str(r.payload)).toBe('call 1')
    expect(calls).toBe(1)
    const acks = net.sentBy(SERVER).filter((m) => m.type === 'ACK')
    expect(acks).toHaveLength(2)
    expect(jsonCodec.encode(acks[0]!)).toEqual(jsonCodec.encode(acks[1]!))
    expect(eventsOf(server.events, 'duplicate')).toHaveLength(1)
  })

  it('§4.5 a duplicated CON is answered twice with the same ACK and handled once', async () => {
    const { scheduler, net, client, server } = pair()
    let calls = 0
    server.endpoint.onRequest(() => ({ code: Response.CHANGED, payload: text(String(++calls)) }))
    net.policy = (d) => (d.index === 0 ? 'duplicate' : 'deliver')
    const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.POST, options: path('1') }))
    await scheduler.advance(10)
    expect(r.code).toBe(Response.CHANGED)
    expect(calls).toBe(1)
    const acks = net.sentBy(SERVER).filter((m) => m.type === 'ACK')
    expect(acks.map((a) => str(a.payload))).toEqual(['1', '1'])
  })

  it('§4.5 a duplicated NON request is handled once and not answered again', async () => {
    const { scheduler, net, client, server } = pair()
    let calls = 0
    server.endpoint.onRequest(() => ({ code: Response.CONTENT, payload: text(String(++calls)) }))
    net.policy = (d) => (d.index === 0 ? 'duplicate' : 'deliver')
    const r = await scheduler.run(client.endpoint.request(SERVER, { ...GET, confirmable: false }))
    await scheduler.advance(10)
    expect(calls).toBe(1)
    expect(str(r.payload)).toBe('1')
    // §5.2.3: a NON request gets a NON response.
    expect(net.sentBy(SERVER).map((m) => m.type)).toEqual(['NON'])
    expect(eventsOf(server.events, 'duplicate')).toHaveLength(1)
  })

  it('§4.5 the dedup memory lasts EXCHANGE_LIFETIME: the same MID after 247 s is new', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const server = node(net, scheduler, SERVER, 2)
    const raw = new RawPeer(net, CLIENT)
    let calls = 0
    server.endpoint.onRequest(() => ({ code: Response.CONTENT, payload: text(String(++calls)) }))
    const req = { type: 'CON' as const, code: Method.GET, messageId: 77, token: Uint8Array.of(1, 2, 3, 4), options: [], payload: new Uint8Array(0) }
    raw.send(SERVER, req)
    await scheduler.advance(246_000)
    raw.send(SERVER, req)
    await scheduler.advance(1_001)
    expect(calls).toBe(1)
    raw.send(SERVER, req)
    await scheduler.advance(10)
    expect(calls).toBe(2)
  })

  it('§4.4 reordered datagrams still match by MID and token', async () => {
    const { scheduler, net, client, server } = pair()
    server.endpoint.onRequest((req) => ({ code: Response.CONTENT, payload: req.options[1]!.value }))
    // The first request and the first response are held back, so the second exchange overtakes.
    net.policy = (d) => (d.index === 0 ? { delayMs: 50 } : 'deliver')
    const a = client.endpoint.request(SERVER, { code: Method.GET, options: path('x', 'a') })
    const b = client.endpoint.request(SERVER, { code: Method.GET, options: path('x', 'b') })
    const [ra, rb] = await scheduler.run(Promise.all([a, b]))
    expect([str(ra.payload), str(rb.payload)]).toEqual(['a', 'b'])
  })

  it('§4.2 an RST to a CON rejects the request with CoapResetError', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = new RawPeer(net, SERVER)
    const p = c.endpoint.request(SERVER, GET).catch((e: unknown) => e)
    await scheduler.advance(5)
    const sent = raw.received[0]!
    raw.send(CLIENT, { type: 'RST', code: EMPTY, messageId: sent.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) })
    const err = await scheduler.run(p)
    expect(err).toBeInstanceOf(CoapResetError)
    expect(scheduler.now()).toBeLessThan(2000) // no retransmission happened
    expect(raw.received).toHaveLength(1)
  })

  it('§4.3 an Empty CON (ping) is answered with RST echoing its MID', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    node(net, scheduler, SERVER)
    const raw = new RawPeer(net, CLIENT)
    raw.send(SERVER, { type: 'CON', code: EMPTY, messageId: 4242, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(5)
    expect(raw.received).toEqual([expect.objectContaining({ type: 'RST', code: EMPTY, messageId: 4242 })])
  })

  it('§4.2 a CON the codec rejects gets RST with its MID; an ignorable one gets nothing; neither crashes', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const s = node(net, scheduler, SERVER)
    let calls = 0
    s.endpoint.onRequest(() => ({ code: Response.CONTENT, payload: text(String(++calls)) }))
    const raw = new RawPeer(net, CLIENT)
    raw.sendBytes(SERVER, garbage('rst', 515))
    raw.sendBytes(SERVER, garbage('ignore'))
    raw.sendBytes(SERVER, text('not even json'))
    raw.sendBytes(SERVER, new Uint8Array(0))
    await scheduler.advance(5)
    expect(raw.received).toEqual([expect.objectContaining({ type: 'RST', messageId: 515 })])
    const malformed = eventsOf(s.events, 'malformed')
    expect(malformed.map((e) => e.action)).toEqual(['rst', 'ignore', 'ignore', 'ignore'])
    expect(malformed[0]!.violations[0]!.rule).toBe('test.garbage-rst')
    // Still serving afterwards.
    raw.send(SERVER, { type: 'CON', code: Method.GET, messageId: 1, token: Uint8Array.of(9, 9, 9, 9), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(5)
    expect(raw.received.at(-1)).toMatchObject({ type: 'ACK', code: Response.CONTENT, messageId: 1 })
  })

  it('§4.2 a codec that throws, or a listener that throws, is contained', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const events: string[] = []
    new CoapEndpoint({
      link: net.link(SERVER),
      codec: { ...jsonCodec, decode: () => { throw new Error('codec bug') } },
      scheduler,
      random: seededRandom(1),
      onEvent: (e) => {
        events.push(e.type)
        throw new Error('listener bug')
      }
    })
    const raw = new RawPeer(net, CLIENT)
    raw.sendBytes(SERVER, text('{}'))
    await scheduler.advance(5)
    expect(events).toEqual(['internal-error'])
  })

  it('§4.2 ACKs and RSTs that match nothing are ignored, never answered', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const s = node(net, scheduler, SERVER)
    const raw = new RawPeer(net, CLIENT)
    raw.send(SERVER, { type: 'ACK', code: Response.CONTENT, messageId: 5, token: Uint8Array.of(1), options: [], payload: new Uint8Array(0) })
    raw.send(SERVER, { type: 'RST', code: EMPTY, messageId: 6, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(5)
    expect(raw.received).toEqual([])
    expect(eventsOf(s.events, 'unmatched')).toHaveLength(2)
  })
})

describe('RFC 7252 §5.2 response styles', () => {
  it('§5.2.1 a quick handler is piggybacked in the ACK', async () => {
    const { scheduler, net, client, server } = pair()
    server.endpoint.onRequest(async () => ({ code: Response.CONTENT, payload: text('quick') }))
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(str(r.payload)).toBe('quick')
    expect(net.sentBy(SERVER).map((m) => `${m.type} ${m.code}`)).toEqual([`ACK ${Response.CONTENT}`])
  })

  it('§5.2.2 a slow handler: Empty ACK after ACK_TIMEOUT/2, then a CON response the client ACKs', async () => {
    const { scheduler, net, client, server } = pair()
    server.endpoint.onRequest(
      () => new Promise((resolve) => scheduler.schedule(5000, () => resolve({ code: Response.CONTENT, payload: text('slow') })))
    )
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(str(r.payload)).toBe('slow')
    const fromServer = net.log.filter((d) => d.from.key === SERVER.key)
    expect(fromServer.map((d) => [d.message!.type, d.message!.code, d.at])).toEqual([
      ['ACK', EMPTY, 1001],
      ['CON', Response.CONTENT, 5001]
    ])
    const fromClient = net.sentBy(CLIENT)
    expect(fromClient.map((m) => m.type)).toEqual(['CON', 'ACK'])
    expect(fromClient[1]!.messageId).toBe(fromServer[1]!.message!.messageId)
    // The client stopped retransmitting after the Empty ACK.
    await scheduler.advance(100_000)
    expect(net.sentBy(CLIENT)).toHaveLength(2)
  })

  it('§5.2.2 the separate CON response is retransmitted until the client ACKs it', async () => {
    const { scheduler, net, client, server } = pair()
    server.endpoint.onRequest(
      () => new Promise((resolve) => scheduler.schedule(5000, () => resolve({ code: Response.CONTENT })))
    )
    // Drop the separate response once.
    net.policy = (d) => (d.from.key === SERVER.key && d.message?.type === 'CON' && d.at < 6000 ? 'drop' : 'deliver')
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.CONTENT)
    expect(net.sentBy(SERVER).filter((m) => m.type === 'CON')).toHaveLength(2)
    expect(eventsOf(server.events, 'retransmitted')).toHaveLength(1)
  })

  it('§5.2.2 a separate response that overtakes the Empty ACK is accepted and stops retransmission', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = new RawPeer(net, SERVER)
    const p = c.endpoint.request(SERVER, GET)
    await scheduler.advance(5)
    const req = raw.received[0]!
    raw.send(CLIENT, { type: 'CON', code: Response.CONTENT, messageId: 900, token: req.token, options: [], payload: text('sep') })
    const r = await scheduler.run(p)
    expect(str(r.payload)).toBe('sep')
    await scheduler.advance(100_000)
    expect(raw.received.map((m) => [m.type, m.messageId])).toEqual([['CON', req.messageId], ['ACK', 900]])
  })

  it('§5.2.2 a retransmission while the handler works is answered with an Empty ACK at once', async () => {
    const { scheduler, net, client, server } = pair({ server: { ackDelayMs: 60_000 } })
    server.endpoint.onRequest(
      () => new Promise((resolve) => scheduler.schedule(10_000, () => resolve({ code: Response.CONTENT })))
    )
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.CONTENT)
    const fromServer = net.log.filter((d) => d.from.key === SERVER.key).map((d) => d.message!)
    expect(fromServer.map((m) => `${m.type} ${m.code}`)).toEqual(['ACK 0', `CON ${Response.CONTENT}`])
    // The Empty ACK answered the first retransmission, so the client sent exactly two copies.
    expect(sendTimes(net)).toHaveLength(2)
  })

  it('§5.3.2 a CON response with an unknown token is rejected with RST', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = new RawPeer(net, SERVER)
    raw.send(CLIENT, { type: 'CON', code: Response.CONTENT, messageId: 31, token: Uint8Array.of(7, 7, 7, 7), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(5)
    expect(raw.received).toEqual([expect.objectContaining({ type: 'RST', messageId: 31 })])
    expect(eventsOf(c.events, 'unmatched')).toHaveLength(1)
  })

  it('§5.3.2 a response from another peer with the right token does not match', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = new RawPeer(net, SERVER)
    const impostor = new RawPeer(net, address('impostor'))
    const p = c.endpoint.request(SERVER, GET, { timeoutMs: 60_000 })
    await scheduler.advance(5)
    const req = raw.received[0]!
    impostor.send(CLIENT, { type: 'ACK', code: Response.CONTENT, messageId: req.messageId, token: req.token, options: [], payload: text('fake') })
    await scheduler.advance(5)
    raw.send(CLIENT, { type: 'ACK', code: Response.CONTENT, messageId: req.messageId, token: req.token, options: [], payload: text('real') })
    expect(str((await scheduler.run(p)).payload)).toBe('real')
  })

  it('§5.2 a NON request with no response times out with CoapTimeoutError (response)', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const err = await scheduler.run(c.endpoint.request(NOBODY, { ...GET, confirmable: false }, { timeoutMs: 10_000 })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapTimeoutError)
    expect((err as CoapTimeoutError).waitingFor).toBe('response')
    expect((err as CoapTimeoutError).attempts).toBe(1)
    expect(scheduler.now()).toBe(10_000)
    expect(net.sentBy(CLIENT)).toHaveLength(1)
  })

  it('§5.2.2 acknowledged but never answered: times out at the request deadline', async () => {
    const { scheduler, client, server } = pair()
    server.endpoint.onRequest(() => new Promise(() => undefined))
    const err = await scheduler.run(client.endpoint.request(SERVER, GET, { timeoutMs: 30_000 })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapTimeoutError)
    expect((err as CoapTimeoutError).waitingFor).toBe('response')
    expect(scheduler.now()).toBe(30_000)
  })
})

describe('RFC 7252 §5.8 handler failures', () => {
  it('a handler that throws gives 5.00 and a handler-error event', async () => {
    const { scheduler, client, server } = pair()
    server.endpoint.onRequest(() => {
      throw new Error('boom')
    })
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.INTERNAL_SERVER_ERROR)
    const errs = eventsOf(server.events, 'handler-error')
    expect(errs).toHaveLength(1)
    expect((errs[0]!.error as Error).message).toBe('boom')
  })

  it('a handler whose promise rejects gives 5.00', async () => {
    const { scheduler, client, server } = pair()
    server.endpoint.onRequest(async () => {
      throw new Error('async boom')
    })
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.INTERNAL_SERVER_ERROR)
    expect(eventsOf(server.events, 'handler-error')).toHaveLength(1)
  })

  it('a handler returning something unsendable gives 5.00', async () => {
    const { scheduler, client, server } = pair()
    server.endpoint.onRequest(() => undefined as never)
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.INTERNAL_SERVER_ERROR)
  })

  it('§5.4.1 an unrecognised critical option gets 4.02 without calling the handler; an elective one is ignored', async () => {
    const { scheduler, client, server } = pair()
    let calls = 0
    server.endpoint.onRequest(() => {
      calls++
      return { code: Response.CONTENT }
    })
    const critical = await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: [{ number: 19, value: Uint8Array.of(1) }] }))
    expect(critical.code).toBe(Response.BAD_OPTION)
    expect(str(critical.payload)).toContain('19')
    expect(calls).toBe(0)
    const elective = await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: [{ number: 2048, value: Uint8Array.of(1) }] }))
    expect(elective.code).toBe(Response.CONTENT)
    expect(calls).toBe(1)
  })

  it('no handler: 4.04', async () => {
    const { scheduler, client } = pair()
    const r = await scheduler.run(client.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.NOT_FOUND)
  })
})

describe('RFC 7252 §4.7 congestion control', () => {
  it('§4.7 NSTART = 1: a second request to the same peer waits until the first is acknowledged, not answered', async () => {
    const { scheduler, net, client, server } = pair()
    // The handler takes 3 s, so the server sends an Empty ACK after ackDelay and the response later.
    server.endpoint.onRequest(
      (req) => new Promise((resolve) => scheduler.schedule(3000, () => resolve({ code: Response.CONTENT, payload: req.options[0]!.value })))
    )
    const order: string[] = []
    const a = client.endpoint.request(SERVER, { code: Method.GET, options: path('a') }).then((r) => order.push(str(r.payload)))
    const b = client.endpoint.request(SERVER, { code: Method.GET, options: path('b') }).then((r) => order.push(str(r.payload)))
    await scheduler.run(Promise.all([a, b]))
    const requests = net.log.filter((d) => d.from.key === CLIENT.key && d.message?.code === Method.GET)
    expect(requests).toHaveLength(2)
    const firstAck = net.log.find((d) => d.from.key === SERVER.key && d.message?.type === 'ACK' && d.message.code === EMPTY)!
    const firstResponse = net.log.find((d) => d.from.key === SERVER.key && d.message?.code === Response.CONTENT)!
    // "An outstanding interaction is ... a CON for which an ACK has not yet been received": the
    // Empty ACK ends it, so b goes out before a's separate response.
    expect(requests[1]!.at).toBeGreaterThanOrEqual(firstAck.at)
    expect(requests[1]!.at).toBeLessThan(firstResponse.at)
    expect(order).toEqual(['a', 'b'])
  })

  it('§4.7 NSTART is per peer: another peer is not held up', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const other = address('other')
    c.endpoint.request(SERVER, GET).catch(() => undefined)
    c.endpoint.request(other, GET).catch(() => undefined)
    await scheduler.advance(1)
    expect(net.log.map((d) => d.to.key)).toEqual([SERVER.key, other.key])
  })

  it('§4.7 a higher NSTART lets that many run at once', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 1, { params: { nstart: 2 } })
    for (let i = 0; i < 3; i++) c.endpoint.request(SERVER, GET).catch(() => undefined)
    await scheduler.advance(1)
    expect(net.log).toHaveLength(2)
  })
})

describe('encoding failures', () => {
  it('a request the codec cannot encode is rejected with its error and frees the NSTART slot', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const codec = {
      ...jsonCodec,
      encode: (m: Parameters<typeof jsonCodec.encode>[0]) => {
        if (m.code === Method.PUT) throw new RangeError('option too long')
        return jsonCodec.encode(m)
      }
    }
    const c = node(net, scheduler, CLIENT, 1, { codec })
    const bad = c.endpoint.request(SERVER, { code: Method.PUT, options: [] })
    const good = c.endpoint.request(SERVER, GET, { timeoutMs: 1000 }).catch((e: unknown) => e)
    await expect(bad).rejects.toThrow('option too long')
    await scheduler.advance(5)
    expect(net.sentBy(CLIENT).map((m) => m.code)).toEqual([Method.GET])
    expect(await scheduler.run(good)).toBeInstanceOf(CoapTimeoutError)
  })

  it('a response the codec cannot encode becomes 5.00 and a handler-error event', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const codec = {
      ...jsonCodec,
      encode: (m: Parameters<typeof jsonCodec.encode>[0]) => {
        if (m.code === Response.CONTENT) throw new RangeError('cannot write this')
        return jsonCodec.encode(m)
      }
    }
    const s = node(net, scheduler, SERVER, 2, { codec })
    s.endpoint.onRequest(() => ({ code: Response.CONTENT }))
    const c = node(net, scheduler)
    const r = await scheduler.run(c.endpoint.request(SERVER, GET))
    expect(r.code).toBe(Response.INTERNAL_SERVER_ERROR)
    expect((eventsOf(s.events, 'handler-error')[0]!.error as Error).message).toBe('cannot write this')
  })
})

describe('close()', () => {
  it('rejects pending and queued requests with CoapClosedError and leaves no timer behind', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const a = c.endpoint.request(NOBODY, GET).catch((e: unknown) => e)
    const b = c.endpoint.request(NOBODY, GET).catch((e: unknown) => e)
    await scheduler.advance(100)
    c.endpoint.close()
    expect(await a).toBeInstanceOf(CoapClosedError)
    expect(await b).toBeInstanceOf(CoapClosedError)
    expect(scheduler.pending).toBe(net.inFlight)
    await scheduler.advance(100_000)
    expect(net.log).toHaveLength(1)
    expect(await c.endpoint.request(NOBODY, GET).catch((e: unknown) => e)).toBeInstanceOf(CoapClosedError)
  })
})

describe('RFC 7252 §5.8 request codes', () => {
  it('request() refuses a response code or Empty as the method, sending nothing', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    await expect(c.endpoint.request(SERVER, { code: Response.CONTENT, options: [] })).rejects.toThrow(TypeError)
    await expect(c.endpoint.request(SERVER, { code: EMPTY, options: [] })).rejects.toThrow(TypeError)
    await scheduler.advance(10)
    expect(net.log).toHaveLength(0)
  })
})
