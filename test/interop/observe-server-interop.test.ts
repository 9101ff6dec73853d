// SPDX-License-Identifier: Apache-2.0
// The Observe server side (RFC 7641) on real loopback UDP, watched by CoAP stacks no one here
// wrote: node-coap and libcoap's coap-client. The test server is our CoapEndpoint over UdpLink
// with the real clock and randomness; /counter changes every 150 ms, /big (3000 bytes, so
// Block2, RFC 7959 §2.6) changes when the test says so, after the client has the previous body.
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import coap from 'coap'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../src-main/core/bytes'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint, type ObserveAcceptance, type ObserveEndReason, type ObserveRelation } from '../../src-main/core/coap/endpoint'
import type { EndpointEvent } from '../../src-main/core/coap/events'
import { Method, Option, Response, type CoapMessage } from '../../src-main/core/coap/message'
import { blockOption } from '../../src-main/core/coap/block'
import { uintOption } from '../../src-main/core/coap/options'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { UdpLink } from '../../src-main/transports/udp'

const client = ['coap-client-notls', 'coap-client'].map((c) => `/usr/bin/${c}`).find((p) => existsSync(p)) ?? null

const until = async (what: string, f: () => boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const utf8 = new TextEncoder()
const utf8d = new TextDecoder()
const TEXT_PLAIN = { number: Option.CONTENT_FORMAT, value: new Uint8Array(0) }
/** Body n of /big: 3000 bytes that name their version, ending in a newline. */
const bigBody = (n: number): string =>
  `big ${n}:${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(90)}`.slice(0, 2999) + '\n'

interface Observed {
  readonly path: string
  readonly token: string
  readonly relation: ObserveRelation
  end: ObserveEndReason | null
}

/** A request the handler saw. */
interface Seen {
  readonly path: string
  readonly token: string
  readonly observe: number | null
}

/** A CoapEndpoint serving /counter and /big to observers. */
class ObservableServer {
  readonly observed: Observed[] = []
  readonly requests: Seen[] = []
  counter = 0
  big = 0
  private readonly ticker: ReturnType<typeof setInterval>

  private constructor(
    private readonly link: UdpLink,
    readonly endpoint: CoapEndpoint,
    /** Every message that reached the endpoint (once per MID), follow-ups served from the Block2 cache included. */
    readonly received: { readonly peer: string; readonly message: CoapMessage }[]
  ) {
    endpoint.onRequest((req) => {
      const path = req.options.filter((o) => o.number === Option.URI_PATH).map((o) => utf8d.decode(o.value)).join('/')
      this.requests.push({ path, token: toHex(req.token), observe: uintOption(req, Option.OBSERVE) })
      const observe = this.accept(path, toHex(req.token))
      if (path === 'counter') return { code: Response.CONTENT, options: [TEXT_PLAIN], payload: utf8.encode(`${this.counter}\n`), observe }
      if (path === 'big') return { code: Response.CONTENT, options: [TEXT_PLAIN], payload: utf8.encode(bigBody(this.big)), observe }
      return { code: Response.NOT_FOUND }
    })
    // The counter moves every 150 ms and every live observer of it hears.
    this.ticker = setInterval(() => {
      this.counter++
      for (const o of this.live('counter')) o.relation.notify({ code: Response.CONTENT, options: [TEXT_PLAIN], payload: utf8.encode(`${this.counter}\n`) })
    }, 150)
  }

  static async start(): Promise<ObservableServer> {
    const link = await UdpLink.open({ host: '127.0.0.1', port: 0 })
    const received: { peer: string; message: CoapMessage }[] = []
    const onEvent = (e: EndpointEvent): void => {
      // Duplicates (a retransmission on a stalled machine) are events too, but not new requests.
      if (e.type === 'received' && !received.some((r) => r.peer === e.peer.key && r.message.messageId === e.message.messageId)) {
        received.push({ peer: e.peer.key, message: e.message })
      }
    }
    const endpoint = new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom, onEvent })
    return new ObservableServer(link, endpoint, received)
  }

  get port(): number {
    return this.link.port
  }

  /** /big changes; its observers get the new 3000 bytes, block 0 first. */
  changeBig(): void {
    this.big++
    for (const o of this.live('big')) o.relation.notify({ code: Response.CONTENT, options: [TEXT_PLAIN], payload: utf8.encode(bigBody(this.big)) })
  }

  live(path: string): Observed[] {
    return this.observed.filter((o) => o.path === path && o.relation.active)
  }

  async close(): Promise<void> {
    clearInterval(this.ticker)
    this.endpoint.close()
    await this.link.close()
  }

  private accept(path: string, token: string): ObserveAcceptance {
    let record: Observed | null = null
    return {
      onStart: (relation) => {
        record = { path, token, relation, end: null }
        this.observed.push(record)
      },
      onEnd: (why) => {
        if (record !== null) record.end = why
      }
    }
  }
}

/**
 * A node-coap agent on a socket of our own: an agent with its own socket closes it when its last
 * request ends, which is before close(true) sends the deregistering GET.
 */
async function nodeCoapAgent(): Promise<{ agent: InstanceType<typeof coap.Agent>; close(): void }> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const agent = new coap.Agent({ socket: socket as never })
  return { agent, close: () => socket.close() }
}

function increasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!)
}

let server: ObservableServer

beforeAll(async () => {
  server = await ObservableServer.start()
})
afterAll(async () => {
  await server.close()
})

describe('RFC 7641 Observe served to node-coap', () => {
  it('§3.1/§4.2 node-coap registers, gets several notifications with increasing values, and deregisters with GET Observe = 1 (§3.6)', async () => {
    const { agent, close } = await nodeCoapAgent()
    const values: number[] = []
    let stream: { close(deregister?: boolean): void } | null = null
    const req = coap.request({ hostname: '127.0.0.1', port: server.port, pathname: '/counter', observe: true, agent })
    req.on('response', (res: { on(e: 'data', f: (chunk: Buffer) => void): void; close(deregister?: boolean): void }) => {
      stream = res
      res.on('data', (chunk) => values.push(Number(chunk.toString().trim())))
    })
    req.end()
    try {
      await until('five values at node-coap', () => values.length >= 5)
      expect(increasing(values)).toBe(true)
      const mine = server.observed.filter((o) => o.path === 'counter' && o.end === null)
      expect(mine).toHaveLength(1)
      stream!.close(true)
      await until('the deregistration', () => mine[0]!.end !== null)
      expect(mine[0]!.end).toBe('deregistered')
      expect(server.requests.some((r) => r.token === mine[0]!.token && r.observe === 1)).toBe(true)
    } finally {
      close()
    }
  })

  it('RFC 7959 §2.6 3000-byte notifications reach node-coap whole, through Block2', async () => {
    const { agent, close } = await nodeCoapAgent()
    const bodies: string[] = []
    const req = coap.request({ hostname: '127.0.0.1', port: server.port, pathname: '/big', observe: true, agent })
    req.on('response', (res: { on(e: 'data', f: (chunk: Buffer) => void): void }) => {
      res.on('data', (chunk) => bodies.push(chunk.toString()))
    })
    req.end()
    try {
      const first = server.big
      await until('the registration body', () => bodies.length >= 1)
      for (let i = 1; i <= 3; i++) {
        server.changeBig()
        await until(`notification ${i}`, () => bodies.length >= i + 1)
      }
      expect(bodies).toEqual([first, first + 1, first + 2, first + 3].map(bigBody))
      // node-coap fetched blocks 1 and 2 of each body (1024 bytes a block) from the Block2
      // cache: the handler saw only the registration.
      const token = server.observed.find((o) => o.path === 'big' && o.end === null)!.token
      // node-coap repeats Observe = 0 and the observation's token in them.
      const followUps = server.received
        .map((r) => r.message)
        .filter((m) => m.code === Method.GET && (blockOption(m, Option.BLOCK2)?.num ?? 0) > 0 && toHex(m.token) === token)
      expect(followUps.map((m) => blockOption(m, Option.BLOCK2)!.num)).toEqual([1, 2, 1, 2, 1, 2, 1, 2])
      expect(followUps.every((m) => uintOption(m, Option.OBSERVE) === 0)).toBe(true)
      expect(server.requests.filter((r) => r.token === token)).toHaveLength(1)
    } finally {
      for (const o of server.live('big')) o.relation.end()
      close()
    }
  })
})

const libcoapTitle = `RFC 7641 Observe served to ${client ?? 'coap-client (skipped: libcoap3-bin is not installed)'}`

describe.skipIf(client === null)(libcoapTitle, () => {
  function run(args: string[]): { proc: ChildProcess; out: () => string; done: Promise<number | null> } {
    let stdout = ''
    const proc = spawn(client!, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
    const done = new Promise<number | null>((resolve, reject) => {
      proc.on('error', reject)
      proc.on('close', (code) => resolve(code))
    })
    return { proc, out: () => stdout, done }
  }

  it('§3.1/§4.2 coap-client -s 3 prints several notifications with increasing values', async () => {
    const c = run(['-m', 'get', '-s', '3', `coap://127.0.0.1:${server.port}/counter`])
    const code = await c.done
    expect(code).toBe(0)
    const values = c.out().split('\n').filter((l) => l.trim() !== '').map(Number)
    expect(values.length).toBeGreaterThanOrEqual(4)
    expect(values.every(Number.isInteger)).toBe(true)
    expect(increasing(values)).toBe(true)
  })

  it('RFC 7959 §2.6 3000-byte notifications reach coap-client whole, through Block2', async () => {
    const first = server.big
    const c = run(['-m', 'get', '-s', '30', `coap://127.0.0.1:${server.port}/big`])
    try {
      await until('the registration body', () => c.out().includes(bigBody(first)))
      for (let i = 1; i <= 2; i++) {
        server.changeBig()
        await until(`notification ${i}`, () => c.out().includes(bigBody(first + i)))
      }
      expect(c.out()).toBe([first, first + 1, first + 2].map(bigBody).join(''))
      // libcoap asks for the later blocks with plain GETs (no Observe, a fresh token each), as
      // §2.6 describes; they were served from the Block2 cache, not by the handler.
      const mine = server.observed.filter((o) => o.path === 'big').at(-1)!
      const followUps = server.received.filter((r) => r.peer === mine.relation.peer.key && (blockOption(r.message, Option.BLOCK2)?.num ?? 0) > 0)
      expect(followUps.map((r) => blockOption(r.message, Option.BLOCK2)!.num)).toEqual([1, 2, 1, 2, 1, 2])
      expect(followUps.some((r) => uintOption(r.message, Option.OBSERVE) !== null || toHex(r.message.token) === mine.token)).toBe(false)
      expect(server.requests.filter((r) => r.token === mine.token && r.path === 'big')).toHaveLength(1)
    } finally {
      c.proc.kill()
      await c.done
      for (const o of server.live('big')) o.relation.end()
    }
  })
})
