// SPDX-License-Identifier: Apache-2.0
// RFC 7641 Observe, server side: a CoapEndpoint serving an observable resource, watched by our
// own CoapEndpoint.observe() or by hand-made messages, on the fake clock and in-memory network.
import { describe, expect, it } from 'vitest'
import type {
  CoapEndpointOptions,
  CoapNotification,
  ObserveEndReason,
  ObserveRelation,
  OutgoingResponse
} from '../../../src-main/core/coap/endpoint'
import { EMPTY, Method, Option, Response, type CoapMessage } from '../../../src-main/core/coap/message'
import { body, CLIENT, pair, path, SERVER, str, text } from './helpers/fixture'
import { address, RawPeer, type LossyNetwork } from './helpers/lossy-network'
import { block, blockValue, has, opt, uint } from './helpers/options'

const NONE = new Uint8Array(0)

/** Responses (2.xx..5.xx) the server sent, retransmissions included, in order. */
const responsesFrom = (net: LossyNetwork): CoapMessage[] => net.sentBy(SERVER).filter((m) => m.code >= 64)
/** Notifications: responses not riding in an ACK. */
const notificationsFrom = (net: LossyNetwork): CoapMessage[] => responsesFrom(net).filter((m) => m.type !== 'ACK')

/** A server with one observable resource, /temp, whose value the test sets before notifying. */
function observable(serverOptions: Partial<CoapEndpointOptions> = {}) {
  const env = pair({ server: serverOptions })
  const relations: ObserveRelation[] = []
  const ends: ObserveEndReason[] = []
  const requests: { options: readonly { number: number; value: Uint8Array }[]; token: Uint8Array }[] = []
  const state = { value: 'v0' as string | Uint8Array, accept: true, code: Response.CONTENT as number }
  env.server.endpoint.onRequest((req): OutgoingResponse => {
    requests.push({ options: req.options, token: req.token })
    const payload = typeof state.value === 'string' ? text(state.value) : state.value
    const r: OutgoingResponse = { code: state.code, payload }
    if (!state.accept) return r
    return { ...r, observe: { onStart: (rel) => relations.push(rel), onEnd: (why) => ends.push(why) } }
  })
  return { ...env, relations, ends, requests, state }
}

/** `observable()` plus our own client observing /temp. */
async function observing(serverOptions: Partial<CoapEndpointOptions> = {}) {
  const env = observable(serverOptions)
  const got: CoapNotification[] = []
  const observation = await env.scheduler.run(
    env.client.endpoint.observe(SERVER, { code: Method.GET, options: path('temp') }, (n) => got.push(n))
  )
  const relation = env.relations[0]!
  const notify = async (value: string, confirmable = false): Promise<void> => {
    relation.notify({ code: Response.CONTENT, payload: text(value) }, { confirmable })
    await env.scheduler.advance(10)
  }
  return { ...env, got, observation, relation, notify, payloads: () => got.map((n) => str(n.payload)) }
}

describe('RFC 7641 Observe, server side', () => {
  it('§4.1 a 2.xx with observe registers: the response carries Observe, onStart gets the peer and token; notifications follow in order with increasing sequence numbers (§4.4)', async () => {
    const { net, observation, relation, ends, notify, got, payloads } = await observing()
    expect(observation.registered).toBe(true)
    expect(str(observation.response.payload)).toBe('v0')
    const registration = net.sentBy(CLIENT)[0]!
    expect(relation.peer.key).toBe(CLIENT.key)
    expect(relation.token).toEqual(registration.token)
    expect(relation.active).toBe(true)
    const first = uint(responsesFrom(net)[0]!, Option.OBSERVE)
    expect(first).toBeDefined()
    for (const v of ['v1', 'v2', 'v3']) await notify(v)
    expect(payloads()).toEqual(['v1', 'v2', 'v3'])
    const sequences = [first!, ...got.map((n) => n.sequence)]
    for (let i = 1; i < sequences.length; i++) expect(sequences[i]!).toBeGreaterThan(sequences[i - 1]!)
    // §4.5: NON unless asked otherwise; every notification has the registration's token.
    const sent = notificationsFrom(net)
    expect(sent.map((m) => m.type)).toEqual(['NON', 'NON', 'NON'])
    expect(sent.every((m) => str(m.token) === str(registration.token))).toBe(true)
    expect(ends).toEqual([])
  })

  it('§4.1 FETCH with Observe = 0 registers too', async () => {
    const { scheduler, client, relations } = observable()
    const o = await scheduler.run(client.endpoint.observe(SERVER, { code: Method.FETCH, options: path('temp'), payload: text('q') }, () => undefined))
    expect(o.registered).toBe(true)
    expect(relations).toHaveLength(1)
  })

  it('§4.1 observe is ignored (no Observe, no onStart, no onEnd) for an error, a request without Observe = 0, or a POST', async () => {
    const { scheduler, net, client, relations, ends, state } = observable()
    state.code = Response.NOT_FOUND
    const refused = await scheduler.run(client.endpoint.observe(SERVER, { code: Method.GET, options: path('temp') }, () => undefined))
    expect(refused.registered).toBe(false)
    state.code = Response.CONTENT
    const plainGet = await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: path('temp') }))
    const post = await scheduler.run(
      client.endpoint.request(SERVER, { code: Method.POST, options: [...path('temp'), opt(Option.OBSERVE, [])] })
    )
    expect(has(plainGet as unknown as CoapMessage, Option.OBSERVE)).toBe(false)
    expect(has(post as unknown as CoapMessage, Option.OBSERVE)).toBe(false)
    expect(responsesFrom(net).some((m) => has(m, Option.OBSERVE))).toBe(false)
    expect(relations).toEqual([])
    expect(ends).toEqual([])
  })

  it('§4.4 Observe is the endpoint\'s: one a handler sets is dropped', async () => {
    const { scheduler, net, client, server } = pair()
    server.endpoint.onRequest(() => ({ code: Response.CONTENT, options: [opt(Option.OBSERVE, [7])], payload: text('x') }))
    await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: path('a') }))
    expect(has(responsesFrom(net)[0]!, Option.OBSERVE)).toBe(false)
  })

  it('§3.6 GET with Observe = 1 and the same token deregisters (onEnd "deregistered"), then is served as a plain GET', async () => {
    const { scheduler, net, observation, relation, ends, requests, state } = await observing()
    state.value = 'last'
    await scheduler.run(observation.cancel('get'))
    expect(ends).toEqual(['deregistered'])
    expect(relation.active).toBe(false)
    // The handler saw the deregistration as a request, and its answer carries no Observe.
    expect(requests).toHaveLength(2)
    expect(uint(requests[1]!, Option.OBSERVE)).toBe(1)
    expect(str(requests[1]!.token)).toBe(str(relation.token))
    const answer = responsesFrom(net).at(-1)!
    expect(str(answer.payload)).toBe('last')
    expect(has(answer, Option.OBSERVE)).toBe(false)
    // Nothing goes out on an ended relation.
    const before = net.log.length
    relation.notify({ code: Response.CONTENT, payload: text('late') })
    await scheduler.advance(10)
    expect(net.log.length).toBe(before)
  })

  it('§3.6 an RST to a NON notification ends the relation ("reset")', async () => {
    const { net, observation, relation, ends, notify, payloads } = await observing()
    await observation.cancel('rst')
    await notify('v1')
    expect(net.sentBy(CLIENT).at(-1)).toMatchObject({ type: 'RST', code: EMPTY })
    expect(ends).toEqual(['reset'])
    expect(relation.active).toBe(false)
    expect(payloads()).toEqual([])
  })

  it('§4.5 an RST to a CON notification ends the relation ("reset")', async () => {
    const { net, observation, ends, notify } = await observing()
    await observation.cancel('rst')
    await notify('v1', true)
    const con = notificationsFrom(net).at(-1)!
    expect(con.type).toBe('CON')
    expect(net.sentBy(CLIENT).at(-1)).toMatchObject({ type: 'RST', messageId: con.messageId })
    expect(ends).toEqual(['reset'])
  })

  it('§4.5 a CON notification never acknowledged ends the relation after MAX_RETRANSMIT ("timeout")', async () => {
    const { scheduler, net, relation, ends } = await observing()
    net.policy = (d) => (d.from.key === CLIENT.key ? 'drop' : 'deliver')
    relation.notify({ code: Response.CONTENT, payload: text('v1') }, { confirmable: true })
    await scheduler.advance(60_000)
    expect(ends).toEqual([])
    await scheduler.advance(200_000)
    expect(ends).toEqual(['timeout'])
    expect(relation.active).toBe(false)
    // 1 + MAX_RETRANSMIT (4) transmissions of the same message.
    const cons = notificationsFrom(net)
    expect(cons).toHaveLength(5)
    expect(new Set(cons.map((m) => m.messageId)).size).toBe(1)
  })

  it('§4.5.2 while a CON is unacknowledged, newer notifications wait in one slot: only the newest goes out, after the ACK', async () => {
    const { scheduler, net, relation, got, payloads } = await observing()
    let dropped = false
    // The client's first ACK is lost: the CON is retransmitted about 2-3 s later.
    net.policy = (d) => (!dropped && d.from.key === CLIENT.key && d.message?.type === 'ACK' ? ((dropped = true), 'drop') : 'deliver')
    relation.notify({ code: Response.CONTENT, payload: text('con') }, { confirmable: true })
    await scheduler.advance(100)
    relation.notify({ code: Response.CONTENT, payload: text('a') })
    relation.notify({ code: Response.CONTENT, payload: text('b') })
    await scheduler.advance(100)
    expect(notificationsFrom(net).map((m) => str(m.payload))).toEqual(['con'])
    await scheduler.advance(5_000)
    expect(notificationsFrom(net).map((m) => [str(m.payload), m.type])).toEqual([['con', 'CON'], ['con', 'CON'], ['b', 'NON']])
    expect(payloads()).toEqual(['con', 'b'])
    expect(got[1]!.sequence).toBeGreaterThan(got[0]!.sequence)
  })

  it('§4.1 a registration with the same peer and token replaces the relation (old onEnd "replaced"); notifications go on with higher numbers', async () => {
    const { scheduler, net, relations, ends } = observable()
    const raw = new RawPeer(net, address('raw'))
    const token = Uint8Array.of(1, 2, 3, 4)
    const register = (mid: number): void =>
      raw.send(SERVER, { type: 'CON', code: Method.GET, messageId: mid, token, options: [opt(Option.OBSERVE, []), ...path('temp')], payload: NONE })
    register(1)
    await scheduler.advance(10)
    relations[0]!.notify({ code: Response.CONTENT, payload: text('one') })
    await scheduler.advance(10)
    register(2)
    await scheduler.advance(10)
    expect(ends).toEqual(['replaced'])
    expect(relations.map((r) => r.active)).toEqual([false, true])
    relations[0]!.notify({ code: Response.CONTENT, payload: text('old') })
    relations[1]!.notify({ code: Response.CONTENT, payload: text('new') })
    await scheduler.advance(10)
    const seen = raw.received.filter((m) => m.code === Response.CONTENT)
    expect(seen.map((m) => str(m.payload))).toEqual(['v0', 'one', 'v0', 'new'])
    const numbers = seen.map((m) => uint(m, Option.OBSERVE)!)
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]!).toBeGreaterThan(numbers[i - 1]!)
  })

  it('§4.1 a same-token registration the handler declines ends the old relation too ("replaced")', async () => {
    const { scheduler, net, relations, ends, state } = observable()
    const raw = new RawPeer(net, address('raw'))
    const token = Uint8Array.of(9, 9, 9, 9)
    const register = (mid: number): void =>
      raw.send(SERVER, { type: 'CON', code: Method.GET, messageId: mid, token, options: [opt(Option.OBSERVE, []), ...path('temp')], payload: NONE })
    register(1)
    await scheduler.advance(10)
    state.accept = false
    register(2)
    await scheduler.advance(10)
    expect(ends).toEqual(['replaced'])
    expect(relations).toHaveLength(1)
    expect(has(raw.received.at(-1)!, Option.OBSERVE)).toBe(false)
  })

  it('§4.2 an error notification goes out without Observe and ends the relation ("ended"); the client sees the end', async () => {
    const { scheduler, net, observation, relation, ends } = await observing()
    relation.notify({ code: Response.NOT_FOUND, options: [opt(Option.OBSERVE, [99])], payload: text('gone') })
    expect(relation.active).toBe(false)
    await scheduler.advance(10)
    const last = notificationsFrom(net).at(-1)!
    expect(last.code).toBe(Response.NOT_FOUND)
    expect(has(last, Option.OBSERVE)).toBe(false)
    expect(ends).toEqual(['ended'])
    const end = await observation.ended
    expect(end.reason === 'server' && end.response.code).toBe(Response.NOT_FOUND)
  })

  it('end() ends the relation from our side without sending anything ("ended")', async () => {
    const { scheduler, net, relation, ends } = await observing()
    const before = net.log.length
    relation.end()
    relation.end()
    await scheduler.advance(10)
    expect(ends).toEqual(['ended'])
    expect(net.log.length).toBe(before)
  })

  it('§4.5 at least one CON every observeConIntervalMs even when every notification asks for NON', async () => {
    const { scheduler, net, relation } = await observing({ observeConIntervalMs: 1_000 })
    for (let i = 1; i <= 8; i++) {
      await scheduler.advance(300)
      relation.notify({ code: Response.CONTENT, payload: text(`v${i}`) })
    }
    await scheduler.advance(10)
    // Notifications 300 ms apart: the 4th is 1.2 s after the registration, the 8th 1.2 s after the 4th.
    expect(notificationsFrom(net).map((m) => m.type)).toEqual(['NON', 'NON', 'NON', 'CON', 'NON', 'NON', 'NON', 'CON'])
  })

  it('RFC 7959 §2.6 a notification larger than a block goes out as block 0 with Observe; the client fetches the rest with plain GETs and gets it whole', async () => {
    const { scheduler, net, relation, got } = await observing()
    const big = body(3000)
    relation.notify({ code: Response.CONTENT, payload: big })
    await scheduler.advance(100)
    expect(got).toHaveLength(1)
    expect(got[0]!.payload).toEqual(big)
    const first = notificationsFrom(net)[0]!
    expect(block(first, Option.BLOCK2)).toEqual({ num: 0, more: true, size: 1024 })
    expect(uint(first, Option.OBSERVE)).toBe(got[0]!.sequence)
    expect(uint(first, Option.SIZE2)).toBe(3000)
    // §2.6: the follow-ups carry no Observe and a token of their own; so do their answers.
    const followUps = net.sentBy(CLIENT).filter((m) => m.code === Method.GET).slice(1)
    expect(followUps.map((m) => block(m, Option.BLOCK2)!.num)).toEqual([1, 2])
    expect(followUps.some((m) => has(m, Option.OBSERVE) || str(m.token) === str(relation.token))).toBe(false)
    const blocks = responsesFrom(net).filter((m) => m.type === 'ACK' && has(m, Option.BLOCK2))
    expect(blocks.map((m) => [block(m, Option.BLOCK2)!.num, has(m, Option.OBSERVE)])).toEqual([[1, false], [2, false]])
  })

  it('RFC 7959 §2.6 a large registration response is sliced with Observe in block 0, and the next notifications still arrive', async () => {
    const { scheduler, net, client, relations, state } = observable()
    const big = body(2500, 3)
    state.value = big
    const got: CoapNotification[] = []
    const o = await scheduler.run(client.endpoint.observe(SERVER, { code: Method.GET, options: path('temp') }, (n) => got.push(n)))
    expect(o.registered).toBe(true)
    expect(o.response.payload).toEqual(big)
    const block0 = responsesFrom(net)[0]!
    expect(has(block0, Option.OBSERVE)).toBe(true)
    expect(block(block0, Option.BLOCK2)).toMatchObject({ num: 0, more: true })
    relations[0]!.notify({ code: Response.CONTENT, payload: text('small') })
    await scheduler.advance(10)
    expect(got.map((n) => str(n.payload))).toEqual(['small'])
  })

  it('RFC 7959 §2.6 a follow-up that repeats Observe = 0 and the token (as node-coap sends) gets the notification\'s block with its Observe, and does not re-register', async () => {
    const { scheduler, net, relations, ends, requests } = observable()
    const raw = new RawPeer(net, address('raw'))
    const token = Uint8Array.of(5, 6, 7, 8)
    const options = [opt(Option.OBSERVE, []), ...path('temp')]
    raw.send(SERVER, { type: 'CON', code: Method.GET, messageId: 1, token, options, payload: NONE })
    await scheduler.advance(10)
    const big = body(1500)
    relations[0]!.notify({ code: Response.CONTENT, payload: big })
    await scheduler.advance(10)
    const n = raw.received.at(-1)!
    raw.send(SERVER, { type: 'CON', code: Method.GET, messageId: 2, token, options: [...options, opt(Option.BLOCK2, blockValue(1, false, 6))], payload: NONE })
    await scheduler.advance(10)
    const rest = raw.received.at(-1)!
    expect(rest.payload).toEqual(big.subarray(1024))
    expect(uint(rest, Option.OBSERVE)).toBe(uint(n, Option.OBSERVE))
    expect(uint(rest, Option.ETAG)).toBe(uint(n, Option.ETAG))
    expect(requests).toHaveLength(1)
    expect(ends).toEqual([])
    expect(relations[0]!.active).toBe(true)
  })

  it('close() ends every relation with "closed"', async () => {
    const { scheduler, server, client, relations, ends } = await observing()
    await scheduler.run(client.endpoint.observe(SERVER, { code: Method.GET, options: path('temp') }, () => undefined))
    expect(relations).toHaveLength(2)
    server.endpoint.close()
    expect(ends).toEqual(['closed', 'closed'])
    expect(relations.every((r) => !r.active)).toBe(true)
  })

  it('a throwing onStart or onEnd is reported, not thrown into the endpoint', async () => {
    const { scheduler, client, server } = pair()
    server.endpoint.onRequest(() => ({
      code: Response.CONTENT,
      observe: {
        onStart: () => {
          throw new Error('start bug')
        },
        onEnd: () => {
          throw new Error('end bug')
        }
      }
    }))
    const o = await scheduler.run(client.endpoint.observe(SERVER, { code: Method.GET, options: path('x') }, () => undefined))
    expect(o.registered).toBe(true)
    server.endpoint.close()
    expect(server.events.filter((e) => e.type === 'internal-error')).toHaveLength(2)
  })
})
