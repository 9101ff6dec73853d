// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 1 at the CoAP layer: a peer that sends an Empty ACK and never the response must
// not hold the NSTART slot (RFC 7252 §4.7), a response after the deadline is "late" and answers
// nothing else (§5.3.2), and a request can be cancelled while in flight.
import { describe, expect, it } from 'vitest'
import { CancelSignal } from '../../../src-main/core/cancel'
import { CoapTimeoutError } from '../../../src-main/core/coap/errors'
import { EMPTY, Method, Response, type CoapMessage } from '../../../src-main/core/coap/message'
import { FakeScheduler } from './helpers/fake-scheduler'
import { CLIENT, eventsOf, node, path, SERVER, str, text } from './helpers/fixture'
import { LossyNetwork, RawPeer } from './helpers/lossy-network'

/** A device that sends an Empty ACK to every CON request and keeps its response (the misbehaving 1.1 client). */
function silentAfterAck(net: LossyNetwork): { peer: RawPeer; requests: CoapMessage[] } {
  const requests: CoapMessage[] = []
  const peer = new RawPeer(net, SERVER)
  peer.onMessage = (from, m) => {
    if (m.type !== 'CON' || m.code === EMPTY || m.code >= 64) return
    requests.push(m)
    peer.send(from, { type: 'ACK', code: EMPTY, messageId: m.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) })
  }
  return { peer, requests }
}

const GET = (p: string) => ({ code: Method.GET, options: path(...p.split('/')) })

describe('RFC 7252 §4.7 / §5.2.2: an Empty ACK frees the NSTART slot', () => {
  it('a second request goes out at once while the first awaits its separate response', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 3)
    const { requests } = silentAfterAck(net)
    let acked = 0
    const first = c.endpoint.request(SERVER, GET('3/0/1'), { timeoutMs: 30_000, onAck: () => acked++ }).catch((e: unknown) => e)
    await scheduler.advance(10)
    expect(acked).toBe(1)
    const second = c.endpoint.request(SERVER, GET('3/0/2'), { timeoutMs: 30_000 }).catch((e: unknown) => e)
    await scheduler.advance(10)
    // Before the fix the second request waited for the first's deadline (EXCHANGE_LIFETIME).
    expect(requests.map((r) => str(r.options.at(-1)!.value))).toEqual(['1', '2'])
    await scheduler.advance(30_000)
    expect(await first).toBeInstanceOf(CoapTimeoutError)
    expect(await second).toBeInstanceOf(CoapTimeoutError)
  })
})

describe('RFC 7252 §5.3.2: a response after the deadline is late', () => {
  it('is acknowledged, reported to onLate and never matched to another request', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 4)
    const { peer, requests } = silentAfterAck(net)
    const late: CoapMessage[] = []
    const first = c.endpoint.request(SERVER, GET('3/0/1'), { timeoutMs: 5_000, onLate: (m) => late.push(m) }).catch((e: unknown) => e)
    await scheduler.advance(5_001)
    expect(await first).toBeInstanceOf(CoapTimeoutError)
    // A second request is outstanding when the first one's answer finally comes.
    let secondAnswer: unknown = null
    void c.endpoint.request(SERVER, GET('3/0/2'), { timeoutMs: 5_000 }).then((r) => (secondAnswer = r), (e: unknown) => (secondAnswer = e))
    await scheduler.advance(10)
    const old = requests[0]!
    peer.send(CLIENT, { type: 'CON', code: Response.CONTENT, messageId: 999, token: old.token, options: [], payload: text('late value') })
    await scheduler.advance(10)
    expect(late.map((m) => str(m.payload))).toEqual(['late value'])
    expect(eventsOf(c.events, 'late')).toHaveLength(1)
    // Acknowledged, not reset: the device stops retransmitting it.
    expect(peer.received.filter((m) => m.messageId === 999).map((m) => m.type)).toEqual(['ACK'])
    await scheduler.advance(6_000)
    expect(secondAnswer).toBeInstanceOf(CoapTimeoutError)
  })
})

describe('cancelling a request in flight', () => {
  it('rejects with the reason, stops retransmitting and frees the slot', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 5)
    const nobody = new RawPeer(net, SERVER) // never answers: the CON is retransmitted
    const cancel = new CancelSignal()
    const p = c.endpoint.request(SERVER, GET('3/0/1'), { cancel }).catch((e: unknown) => e)
    await scheduler.advance(100)
    cancel.cancel(new Error('cancelled by the user'))
    expect(((await p) as Error).message).toBe('cancelled by the user')
    const sentBefore = nobody.received.length
    await scheduler.advance(60_000)
    expect(nobody.received.length).toBe(sentBefore)
    // A cancelled signal given to a new request rejects it before anything is sent.
    const again = await c.endpoint.request(SERVER, GET('3/0/2'), { cancel }).catch((e: unknown) => e)
    expect((again as Error).message).toBe('cancelled by the user')
    expect(nobody.received.length).toBe(sentBefore)
  })
  it('a request waiting for the NSTART slot can be cancelled before it is sent', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 6)
    const nobody = new RawPeer(net, SERVER)
    void c.endpoint.request(SERVER, GET('3/0/1'), { timeoutMs: 1_000 }).catch(() => undefined)
    const cancel = new CancelSignal()
    const queued = c.endpoint.request(SERVER, GET('3/0/2'), { cancel }).catch((e: unknown) => e)
    await scheduler.advance(10)
    cancel.cancel(new Error('withdrawn'))
    expect(((await queued) as Error).message).toBe('withdrawn')
    await scheduler.advance(2_000)
    expect(nobody.received.filter((m) => m.options.some((o) => str(o.value) === '2'))).toEqual([])
  })
})

describe('RFC 7252 §4.5: deduplication memory is bounded (issue 12 item 19)', () => {
  it('keeps at most maxDedupEntries and forgets expired entries without a timer each', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const s = node(net, scheduler, SERVER, 7, { maxDedupEntries: 1000 })
    s.endpoint.onRequest(() => ({ code: Response.CONTENT }))
    const raw = new RawPeer(net, CLIENT)
    for (let i = 0; i < 5000; i++)
      raw.send(SERVER, { type: 'NON', code: Method.GET, messageId: i, token: Uint8Array.of(i & 255), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(1)
    const layer = (s.endpoint as unknown as { messages: { dedupSize: number } }).messages
    expect(layer.dedupSize).toBeLessThanOrEqual(1000)
    // Within the bound, a duplicate is still recognised.
    raw.send(SERVER, { type: 'NON', code: Method.GET, messageId: 4999, token: Uint8Array.of(4999 & 255), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(1)
    expect(eventsOf(s.events, 'duplicate')).toHaveLength(1)
    // After NON_LIFETIME they are gone as soon as the next message arrives; no timer was kept per message.
    expect(scheduler.pending).toBeLessThan(100)
    await scheduler.advance(200_000)
    raw.send(SERVER, { type: 'NON', code: Method.GET, messageId: 60000, token: Uint8Array.of(1), options: [], payload: new Uint8Array(0) })
    await scheduler.advance(1)
    expect(layer.dedupSize).toBe(1)
  })
})
