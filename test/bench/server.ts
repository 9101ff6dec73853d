// SPDX-License-Identifier: Apache-2.0
// `npm run bench -- server`: the LwM2M Server on loopback UDP with 1 000 and 10 000 clients —
// registrations per second, Read round trips per second, heap per registration — each as a ratio
// to a raw UDP request/response loop measured in the same run (same sockets, same concurrency).
// Clients are plain dgram sockets speaking CoAP through the strict codec (no endpoint, no retries),
// so the figure is the server's cost; their Registers are encoded before the clock starts, Read
// answers are copied from a template (requests are still decoded strictly), and an unreported
// warm-up round runs first so the JIT's compile time is not counted.
// Run with Node 24: `npm run bench -- server [clients...]`.
import { createSocket, type Socket } from 'node:dgram'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../src-main/core/coap/endpoint'
import { Option, type CoapMessage } from '../../src-main/core/coap/message'
import { coapDeviceLink, serveUplink } from '../../src-main/core/lwm2m/server/coap-binding'
import { Lwm2mServer } from '../../src-main/core/lwm2m/server/lwm2m-server'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { UdpLink } from '../../src-main/transports/udp'

const CONCURRENCY = 200
const enc = new TextEncoder()
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const heap = () => (gc(), process.memoryUsage().heapUsed)

async function openSockets(n: number): Promise<Socket[]> {
  const out: Socket[] = []
  for (let i = 0; i < n; i++) {
    const s = createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    out.push(s)
  }
  return out
}

/** Runs `total` jobs with at most CONCURRENCY in flight; returns jobs per second. */
async function pump(total: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, total) }, async () => {
      while (next < total) await job(next++)
    })
  )
  return total / ((performance.now() - t0) / 1000)
}

/** Raw baseline: each client socket sends a datagram, an echo socket answers, the client waits. */
async function rawLoop(clients: Socket[], total: number): Promise<number> {
  const echo = createSocket('udp4')
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()))
  echo.on('message', (m, r) => echo.send(m, r.port, r.address))
  const port = echo.address().port
  const waiting = new Map<Socket, () => void>()
  for (const c of clients) c.on('message', () => waiting.get(c)?.())
  const payload = Buffer.alloc(40, 1)
  const rate = await pump(total, (i) => {
    const c = clients[i % clients.length] as Socket
    return new Promise<void>((resolve) => {
      waiting.set(c, resolve)
      c.send(payload, port, '127.0.0.1')
    })
  })
  for (const c of clients) c.removeAllListeners('message')
  echo.close()
  return rate
}

// The clients' answer to a Read: 2.05 "87" (text), piggybacked. Encoded once per token length
// and copied with the request's Message ID and token, as a device with a canned reply would.
const replyTemplates = new Map<number, Uint8Array>()
function readReply(m: CoapMessage): Uint8Array {
  let t = replyTemplates.get(m.token.length)
  if (t === undefined) {
    const reply: CoapMessage = { type: 'ACK', code: 69, messageId: 0, token: m.token, options: [{ number: Option.CONTENT_FORMAT, value: new Uint8Array() }], payload: enc.encode('87') }
    t = coapCodec.encode(reply)
    replyTemplates.set(m.token.length, t)
  }
  const out = t.slice()
  out[2] = m.messageId >> 8
  out[3] = m.messageId & 0xff
  out.set(m.token, 4)
  return out
}

/** Rounds per size: the VM this runs on swings by ±30 % from second to second, so each round
 * measures the raw loop and the server back to back and the ratio is the median over rounds. */
const ROUNDS = 5

async function run(n: number, report = true): Promise<void> {
  const clients = await openSockets(n)
  const link = await UdpLink.open({ host: '127.0.0.1', port: 0 })
  const endpoint = new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
  const server = new Lwm2mServer({ link: coapDeviceLink(endpoint), scheduler: nodeScheduler, random: nodeRandom, models: { get: () => undefined } })
  serveUplink(endpoint, (req) => server.handle(req))
  const port = link.port

  // Each client: answers the server's GETs with 2.05 "87", and resolves its own pending Register.
  // Attached only while the server is measured, so the raw loop's sockets carry nothing else.
  const pending = new Map<Socket, (m: CoapMessage) => void>()
  let mid = 1
  const attach = () =>
    clients.forEach((c) => {
      c.on('message', (buf) => {
        const d = coapCodec.decode(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength))
        const m = d.message
        if (!m || d.reject) return
        if (m.type === 'CON' && m.code === 1 && m.options.some((o) => o.number === Option.URI_PATH)) {
          c.send(readReply(m), port, '127.0.0.1')
          return
        }
        pending.get(c)?.(m)
      })
    })
  const detach = () => clients.forEach((c) => c.removeAllListeners('message'))

  const ratios: { reg: number; read: number; raw: number; regRate: number; readRate: number }[] = []
  let perReg = 0
  for (let round = 0; round < ROUNDS; round++) {
    const raw = await rawLoop(clients, Math.max(20_000, n * 2))
    // Each client's Register is encoded before the clock starts: a device sends bytes it has
    // ready, and the raw loop does not encode either. Answers are still decoded strictly below.
    // A new set of endpoints per round, so every round measures fresh registrations.
    const registers = clients.map((_, i) =>
      coapCodec.encode({
        type: 'CON',
        code: 2,
        messageId: mid++ & 0xffff,
        token: Uint8Array.of(i & 255, (i >> 8) & 255, round, 7),
        options: [
          { number: Option.URI_PATH, value: enc.encode('rd') },
          { number: Option.CONTENT_FORMAT, value: Uint8Array.of(40) },
          { number: Option.URI_QUERY, value: enc.encode(`ep=bench-${round}-${i}`) },
          { number: Option.URI_QUERY, value: enc.encode('lt=3600') },
          { number: Option.URI_QUERY, value: enc.encode('lwm2m=1.1') }
        ],
        payload: enc.encode('</1/0>,</3/0>,</3303/0>')
      })
    )
    const register = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const c = clients[i] as Socket
        pending.set(c, (m) => (m.type === 'ACK' && m.code === 65 ? resolve() : reject(new Error(`Register answered ${m.type} ${m.code}`))))
        c.send(registers[i] as Uint8Array, port, '127.0.0.1')
      })
    attach()
    const before = heap()
    const regRate = await pump(n, register)
    if (round === 0) perReg = (heap() - before) / n
    if (server.registrations.size !== n * (round + 1)) throw new Error(`only ${server.registrations.size} registered`)
    const reads = Math.max(20_000, n * 2)
    const readRate = await pump(reads, async (i) => {
      const r = await server.read(`bench-${round}-${i % n}`, [3, 0, 9])
      if (r.code !== 69) throw new Error(`read answered ${r.codeText}`)
    })
    detach()
    ratios.push({ reg: regRate / raw, read: readRate / raw, raw, regRate, readRate })
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number
  const min = (xs: number[]) => Math.min(...xs)
  if (report)
    console.log(
      `${String(n).padStart(6)} clients | raw UDP ${median(ratios.map((r) => r.raw)).toFixed(0).padStart(6)} round trips/s | ` +
        `Register ${median(ratios.map((r) => r.regRate)).toFixed(0).padStart(6)}/s (${median(ratios.map((r) => r.reg)).toFixed(2)} × raw, min ${min(ratios.map((r) => r.reg)).toFixed(2)}) | ` +
        `Read ${median(ratios.map((r) => r.readRate)).toFixed(0).padStart(6)}/s (${median(ratios.map((r) => r.read)).toFixed(2)} × raw, min ${min(ratios.map((r) => r.read)).toFixed(2)}) | ` +
        `${(perReg / 1024).toFixed(1)} KiB heap per registration  [median of ${ROUNDS} rounds]`
    )
  server.close()
  endpoint.close()
  await link.close()
  for (const c of clients) c.close()
}

const sizes = process.argv.slice(3).map(Number).filter((x) => x > 0)
console.log(`LwM2M Server on loopback UDP, ${CONCURRENCY} requests in flight, Node ${process.version}`)
// One unreported round first, so that every figure below is steady state: without it the first
// size measured the JIT compiling the server (1 000 Registers take ~0.1 s), not the server.
await run(2000, false)
for (const n of sizes.length ? sizes : [1000, 10_000]) await run(n)
process.exit(0)
