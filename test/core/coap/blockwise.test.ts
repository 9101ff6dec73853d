// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { CoapBlockwiseError } from '../../../src-main/core/coap/errors'
import { Method, Option, Response, type CoapMessage } from '../../../src-main/core/coap/message'
import { FakeScheduler } from './helpers/fake-scheduler'
import { CLIENT, body, node, pair, path, SERVER, str, text } from './helpers/fixture'
import { LossyNetwork, RawPeer, scriptedServer } from './helpers/lossy-network'
import { block, blockValue, has, opt, uint } from './helpers/options'

/** Drops every `n`th datagram, both directions. */
const lossy = (n: number) => (d: { index: number }) => (d.index % n === n - 1 ? ('drop' as const) : ('deliver' as const))

const requestsFrom = (net: LossyNetwork, from = CLIENT): CoapMessage[] =>
  net.sentBy(from).filter((m) => m.code > 0 && m.code < 32)

/** Distinct requests (retransmissions folded by MID). */
const distinct = (ms: CoapMessage[]): CoapMessage[] => [...new Map(ms.map((m) => [m.messageId, m])).values()]

describe('RFC 7959 §2.4 Block2: responses of any size', () => {
  it('§2.2 block sizes below 16 (or NaN) mean the smallest block, not an error', async () => {
    const { scheduler, net, client, server } = pair({ server: { maxBlockSize: 4 } })
    const big = body(40)
    let got: Uint8Array | null = null
    server.endpoint.onRequest((req) => {
      got = req.payload
      return { code: Response.CHANGED, payload: big }
    })
    const r = await scheduler.run(
      client.endpoint.request(SERVER, { code: Method.PUT, options: path('x'), payload: big }, { block1Size: 8, block2Size: Number.NaN })
    )
    expect(got).toEqual(big)
    expect(r.payload).toEqual(big)
    const reqs = requestsFrom(net)
    expect(reqs.filter((m) => has(m, Option.BLOCK1)).map((m) => block(m, Option.BLOCK1)!.size)).toEqual([16, 16, 16])
    expect(distinct(net.sentBy(SERVER)).filter((m) => has(m, Option.BLOCK2)).every((m) => block(m, Option.BLOCK2)!.size === 16)).toBe(true)
  })

  it('§2.4 a 300 KB response arrives whole through 7 % loss; the handler runs once', async () => {
    const { scheduler, net, client, server } = pair()
    const big = body(300_000)
    let calls = 0
    server.endpoint.onRequest(() => {
      calls++
      return { code: Response.CONTENT, options: [opt(Option.CONTENT_FORMAT, [0x2d, 0x16])], payload: big }
    })
    net.policy = lossy(14)
    const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: path('5', '0', '0') }))
    expect(r.code).toBe(Response.CONTENT)
    expect(r.payload).toEqual(big)
    expect(r.messages).toBe(Math.ceil(300_000 / 1024))
    expect(calls).toBe(1)
    expect(uint(r, Option.CONTENT_FORMAT)).toBe(11542)
    expect(has(r as unknown as CoapMessage, Option.BLOCK2)).toBe(false)
    const reqs = distinct(requestsFrom(net))
    // §2.4: the first request has no Block2, the follow-ups ask for blocks 1, 2, ... in order.
    expect(block(reqs[0]!, Option.BLOCK2)).toBeUndefined()
    expect(reqs.slice(1).map((m) => block(m, Option.BLOCK2)!.num)).toEqual(Array.from({ length: 292 }, (_, i) => i + 1))
    // §2.4 and §4: every block carries the same ETag and Size2 = the whole size.
    const blocks = distinct(net.sentBy(SERVER).filter((m) => m.code === Response.CONTENT))
    expect(new Set(blocks.map((m) => uint(m, Option.ETAG))).size).toBe(1)
    expect(blocks.every((m) => uint(m, Option.SIZE2) === 300_000)).toBe(true)
  })

  it('§2.4 early negotiation: block2Size 256 is asked for from block 0 and used throughout', async () => {
    const { scheduler, net, client, server } = pair()
    const big = body(3000)
    server.endpoint.onRequest(() => ({ code: Response.CONTENT, payload: big }))
    const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: path('x') }, { block2Size: 256 }))
    expect(r.payload).toEqual(big)
    expect(r.messages).toBe(12)
    expect(requestsFrom(net).map((m) => block(m, Option.BLOCK2))).toEqual(
      Array.from({ length: 12 }, (_, num) => ({ num, more: false, size: 256 }))
    )
  })

  it('§2.4 late negotiation: the server starts at 1024, the client continues at 256 with NUM scaled', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const big = body(2000)
    // A first response of 1024, then whatever is asked for.
    scriptedServer(net, SERVER, (req) => {
      const b = block(req, Option.BLOCK2) ?? { num: 0, size: 1024 }
      const start = b.num * b.size
      const end = Math.min(start + b.size, big.length)
      return { code: Response.CONTENT, options: [opt(Option.BLOCK2, blockValue(b.num, end < big.length, Math.log2(b.size) - 4))], payload: big.subarray(start, end) }
    })
    const p = c.endpoint.request(SERVER, { code: Method.GET, options: [] })
    const r = await scheduler.run(p)
    expect(r.payload).toEqual(big)
    expect(r.messages).toBe(2)
    // Without a preference the server's size is adopted.
    expect(requestsFrom(net).map((m) => block(m, Option.BLOCK2)?.num)).toEqual([undefined, 1])
  })

  it('§2.4 an ETag change between blocks restarts the transfer from block 0', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const v1 = body(100, 1)
    const v2 = body(100, 2)
    scriptedServer(net, SERVER, (req, n) => {
      const b = block(req, Option.BLOCK2) ?? { num: 0, size: 64 }
      // The resource changes after the first response.
      const [etag, data] = n === 0 ? [1, v1] : [2, v2]
      const start = b.num * 64
      const end = Math.min(start + 64, 100)
      return {
        code: Response.CONTENT,
        options: [opt(Option.ETAG, [etag]), opt(Option.BLOCK2, blockValue(b.num, end < 100, 2))],
        payload: data.subarray(start, end)
      }
    })
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.GET, options: [] }))
    expect(r.payload).toEqual(v2)
    expect(requestsFrom(net).map((m) => block(m, Option.BLOCK2)?.num)).toEqual([undefined, 1, 0, 1])
  })

  it('§2.4 a block answered with an error fails the transfer with CoapBlockwiseError', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    scriptedServer(net, SERVER, (_req, n) =>
      n === 0
        ? { code: Response.CONTENT, options: [opt(Option.BLOCK2, blockValue(0, true, 0))], payload: body(16) }
        : { code: Response.NOT_FOUND }
    )
    const err = await scheduler.run(c.endpoint.request(SERVER, { code: Method.GET, options: [] })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapBlockwiseError)
    expect((err as CoapBlockwiseError).response?.code).toBe(Response.NOT_FOUND)
  })

  it('§2.4 a response body beyond maxBodySize is abandoned', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 1, { maxBodySize: 100 })
    // A peer that never stops saying "more".
    scriptedServer(net, SERVER, (req) => {
      const num = block(req, Option.BLOCK2)?.num ?? 0
      return { code: Response.CONTENT, options: [opt(Option.BLOCK2, blockValue(num, true, 0))], payload: body(16) }
    })
    const err = await scheduler.run(c.endpoint.request(SERVER, { code: Method.GET, options: [] })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapBlockwiseError)
    expect(net.sentBy(CLIENT).filter((m) => m.code === Method.GET).length).toBeLessThanOrEqual(8)
  })

  it('§2.2 a block with M=1 that is not full size is refused', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    scriptedServer(net, SERVER, () => ({ code: Response.CONTENT, options: [opt(Option.BLOCK2, blockValue(0, true, 2))], payload: body(10) }))
    const err = await scheduler.run(c.endpoint.request(SERVER, { code: Method.GET, options: [] })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapBlockwiseError)
  })

  it('§2.4 the server serves later blocks from its cache, at the size asked for', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const s = node(net, scheduler, SERVER)
    const big = body(5000)
    let calls = 0
    s.endpoint.onRequest(() => {
      calls++
      return { code: Response.CONTENT, payload: big }
    })
    const raw = new RawPeer(net, CLIENT)
    const ask = (mid: number, num: number, szx: number): void =>
      raw.send(SERVER, { type: 'CON', code: Method.GET, messageId: mid, token: Uint8Array.of(mid), options: [opt(Option.BLOCK2, blockValue(num, false, szx))], payload: new Uint8Array(0) })
    ask(1, 0, 6)
    await scheduler.advance(5)
    ask(2, 4, 4) // bytes 1024..1279 at size 256
    await scheduler.advance(5)
    expect(calls).toBe(1)
    const last = raw.received.at(-1)!
    expect(block(last, Option.BLOCK2)).toEqual({ num: 4, more: true, size: 256 })
    expect(last.payload).toEqual(big.subarray(1024, 1280))
  })
})

describe('RFC 7959 §2.5 Block1: request bodies of any size', () => {
  it('§2.5 a 2 MB body goes up whole through 5 % loss, 2.31 per block, handler once', async () => {
    const { scheduler, net, client, server } = pair()
    const image = body(2 * 1024 * 1024, 3)
    const seen: Uint8Array[] = []
    server.endpoint.onRequest((req) => {
      seen.push(req.payload)
      return { code: Response.CHANGED }
    })
    net.policy = lossy(20)
    const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.PUT, options: path('5', '0', '0'), payload: image }))
    expect(r.code).toBe(Response.CHANGED)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toEqual(image)
    expect(r.messages).toBe(2048)
    const continues = distinct(net.sentBy(SERVER)).filter((m) => m.code === Response.CONTINUE)
    expect(continues).toHaveLength(2047)
    const reqs = distinct(requestsFrom(net))
    // §4: Size1 announces the whole size on the first block.
    expect(uint(reqs[0]!, Option.SIZE1)).toBe(image.length)
    expect(reqs.map((m) => block(m, Option.BLOCK1)!.num)).toEqual(Array.from({ length: 2048 }, (_, i) => i))
    // §2.3: the final response echoes the last block's Block1 with M = 0.
    expect(block(r, Option.BLOCK1)).toEqual({ num: 2047, more: false, size: 1024 })
  })

  it('§2.5 the SZX in 2.31 lowers the block size for the rest of the body', async () => {
    const { scheduler, net, client, server } = pair({ server: { maxBlockSize: 256 } })
    const data = body(3000)
    let got: Uint8Array | null = null
    server.endpoint.onRequest((req) => {
      got = req.payload
      return { code: Response.CHANGED }
    })
    await scheduler.run(client.endpoint.request(SERVER, { code: Method.POST, options: path('fw'), payload: data }))
    expect(got).toEqual(data)
    const sizes = requestsFrom(net).map((m) => [block(m, Option.BLOCK1)!.num, m.payload.length])
    expect(sizes[0]).toEqual([0, 1024])
    expect(sizes[1]).toEqual([4, 256]) // byte 1024 at size 256
    expect(sizes.at(-1)).toEqual([11, 3000 - 11 * 256])
  })

  it('§2.9.3 4.13 with a smaller SZX restarts the body at that size', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const data = body(1500)
    const raw = scriptedServer(net, SERVER, (req) => {
      const b = block(req, Option.BLOCK1)!
      if (b.size > 512) return { code: Response.REQUEST_ENTITY_TOO_LARGE, options: [opt(Option.BLOCK1, blockValue(0, false, 5))] }
      return b.more ? { code: Response.CONTINUE, options: [opt(Option.BLOCK1, blockValue(b.num, true, 5))] } : { code: Response.CHANGED }
    })
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: data }))
    expect(r.code).toBe(Response.CHANGED)
    const blocks = raw.received.map((m) => block(m, Option.BLOCK1)!)
    expect(blocks.map((b) => `${b.num}/${b.size}`)).toEqual(['0/1024', '0/512', '1/512', '2/512'])
    const uploaded = raw.received.slice(1).map((m) => m.payload)
    expect(Buffer.concat(uploaded)).toEqual(Buffer.from(data))
  })

  it('§2.9.3 4.13 to a single-message request switches to Block1', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = scriptedServer(net, SERVER, (req) => {
      const b = block(req, Option.BLOCK1)
      if (b === undefined) return { code: Response.REQUEST_ENTITY_TOO_LARGE, options: [opt(Option.SIZE1, [1, 0])] }
      return b.more ? { code: Response.CONTINUE, options: [opt(Option.BLOCK1, blockValue(b.num, true, Math.log2(b.size) - 4))] } : { code: Response.CHANGED }
    })
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: body(600) }))
    expect(r.code).toBe(Response.CHANGED)
    expect(raw.received.map((m) => block(m, Option.BLOCK1)?.size)).toEqual([undefined, 512, 512])
  })

  it('§2.9.2 4.08 makes the client start the body over', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    let refused = false
    const raw = scriptedServer(net, SERVER, (req) => {
      const b = block(req, Option.BLOCK1)!
      if (b.num === 2 && !refused) {
        refused = true
        return { code: Response.REQUEST_ENTITY_INCOMPLETE }
      }
      return b.more ? { code: Response.CONTINUE, options: [opt(Option.BLOCK1, blockValue(b.num, true, 6))] } : { code: Response.CHANGED }
    })
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: body(4000) }))
    expect(r.code).toBe(Response.CHANGED)
    expect(raw.received.map((m) => block(m, Option.BLOCK1)!.num)).toEqual([0, 1, 2, 0, 1, 2, 3])
  })

  it('§2.5 the server answers a gap with 4.08 and does not call the handler', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const s = node(net, scheduler, SERVER)
    let calls = 0
    s.endpoint.onRequest(() => {
      calls++
      return { code: Response.CHANGED }
    })
    const raw = new RawPeer(net, CLIENT)
    const put = (mid: number, num: number, more: boolean): void =>
      raw.send(SERVER, { type: 'CON', code: Method.PUT, messageId: mid, token: Uint8Array.of(mid), options: [opt(Option.BLOCK1, blockValue(num, more, 0))], payload: body(16) })
    put(1, 0, true)
    put(2, 2, false) // block 1 missing
    await scheduler.advance(10)
    expect(raw.received.map((m) => m.code)).toEqual([Response.CONTINUE, Response.REQUEST_ENTITY_INCOMPLETE])
    expect(calls).toBe(0)
  })

  it('§2.3 a Content-Format change between blocks is 4.08; §2.2 SZX 7 is 4.00', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    node(net, scheduler, SERVER).endpoint.onRequest(() => ({ code: Response.CHANGED }))
    const raw = new RawPeer(net, CLIENT)
    const put = (mid: number, num: number, cf: number, szx = 0): void =>
      raw.send(SERVER, {
        type: 'CON', code: Method.PUT, messageId: mid, token: Uint8Array.of(mid),
        options: [opt(Option.CONTENT_FORMAT, [cf]), opt(Option.BLOCK1, blockValue(num, true, szx))], payload: body(16 << szx)
      })
    put(1, 0, 0)
    put(2, 1, 42)
    put(3, 0, 0, 7)
    await scheduler.advance(10)
    expect(raw.received.map((m) => m.code)).toEqual([Response.CONTINUE, Response.REQUEST_ENTITY_INCOMPLETE, Response.BAD_REQUEST])
  })

  it('§2.9.3 a body over the server limit is refused with 4.13 and Size1', async () => {
    const { scheduler, client, server } = pair({ server: { maxBodySize: 4096 } })
    server.endpoint.onRequest(() => ({ code: Response.CHANGED }))
    const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: body(10_000) }))
    expect(r.code).toBe(Response.REQUEST_ENTITY_TOO_LARGE)
    expect(uint(r, Option.SIZE1)).toBe(4096)
  })

  it('§2.7 Block1 then Block2, with RFC 9175 Request-Tag on every request of the operation', async () => {
    const { scheduler, net, client, server } = pair()
    const up = body(5000, 1)
    const down = body(4000, 2)
    server.endpoint.onRequest((req) => ({ code: Response.CHANGED, payload: req.payload.length === up.length ? down : text('?') }))
    const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.POST, options: path('x'), payload: up }, { requestTag: true }))
    expect(r.payload).toEqual(down)
    expect(r.messages).toBe(5 + 3)
    const reqs = requestsFrom(net)
    const tags = new Set(reqs.map((m) => str(m.options.find((o) => o.number === Option.REQUEST_TAG)!.value)))
    expect(tags.size).toBe(1)
    // The Block2 phase carries no Block1 and no body.
    expect(reqs.slice(5).every((m) => !has(m, Option.BLOCK1) && m.payload.length === 0)).toBe(true)
    expect(reqs.slice(5).map((m) => block(m, Option.BLOCK2)!.num)).toEqual([1, 2, 3])
  })
})

describe('RFC 7959 §2.3 Block1 answers that end early', () => {
  it('§2.3 a 2.04 with Block1 M = 1 (non-atomic server) continues the upload', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = scriptedServer(net, SERVER, (req) => {
      const b = block(req, Option.BLOCK1)!
      return { code: Response.CHANGED, options: [opt(Option.BLOCK1, blockValue(b.num, b.more, 6))] }
    })
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: body(2500) }))
    expect(r.code).toBe(Response.CHANGED)
    expect(raw.received.map((m) => block(m, Option.BLOCK1)!.num)).toEqual([0, 1, 2])
  })

  it('§2.3 a final 2.04 before the last block is an error, not a success', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    scriptedServer(net, SERVER, () => ({ code: Response.CHANGED }))
    const err = await scheduler.run(c.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: body(2500) })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapBlockwiseError)
  })

  it('§2.5 an error on a middle block is returned as the response', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    scriptedServer(net, SERVER, (req) => {
      const b = block(req, Option.BLOCK1)!
      return b.num === 1 ? { code: Response.FORBIDDEN } : { code: Response.CONTINUE, options: [opt(Option.BLOCK1, blockValue(b.num, true, 6))] }
    })
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.PUT, options: [], payload: body(2500) }))
    expect(r.code).toBe(Response.FORBIDDEN)
    expect(r.messages).toBe(2)
  })
})

describe('RFC 7959 §4 Size2', () => {
  it('§4 a Size2 above maxBodySize stops the transfer before fetching more', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler, CLIENT, 1, { maxBodySize: 1000 })
    scriptedServer(net, SERVER, () => ({
      code: Response.CONTENT,
      options: [opt(Option.BLOCK2, blockValue(0, true, 0)), opt(Option.SIZE2, [0x10, 0])],
      payload: body(16)
    }))
    const err = await scheduler.run(c.endpoint.request(SERVER, { code: Method.GET, options: [] })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CoapBlockwiseError)
    expect(net.sentBy(CLIENT).filter((m) => m.code === Method.GET)).toHaveLength(1)
  })
})
