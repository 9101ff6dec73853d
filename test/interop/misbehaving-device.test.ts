// Issue 12 "Done when", over real UDP against the real `lwm2m-wb serve` and `call`: a hand-built
// CoAP device (raw dgram; the misbehaviour is the point, so no library client) that answers one
// request with an Empty ACK and never the response is still read within its deadline; its late
// answer lands on the server's timeline; the CLI's --timeout ends with the device's deadline, and
// when the CLI gives up on a sleeping device it cancels what it queued (items 1–3, 6, 10).
import { createSocket, type Socket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../src-main/core/coap/codec'
import { Option, type CoapMessage } from '../../src-main/core/coap/message'
import { runCliAsync, serve, type Served } from '../helpers/cli'
import { tempDir } from '../helpers/temp-dir'

let data: ReturnType<typeof tempDir>
let served: Served
let serverPort = 0
const call = async (method: string, params: unknown, extra: string[] = []) => runCliAsync(['call', method, JSON.stringify(params), '--data-dir', data.path, ...extra])
const ok = async (method: string, params: unknown) => {
  const r = await call(method, params)
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}
const text = (s: string) => new TextEncoder().encode(s)
const str = (b: Uint8Array) => new TextDecoder().decode(b)
const uriPath = (m: CoapMessage) => '/' + m.options.filter((o) => o.number === Option.URI_PATH).map((o) => str(o.value)).join('/')

/** A raw UDP device: registers, then answers by a script; FETCH gets only an Empty ACK. */
class StuckDevice {
  readonly socket: Socket = createSocket('udp4')
  fetchToken: Uint8Array | null = null
  // RFC 7252 §4.4: a random first Message ID. A fixed one made a device that got the port of a
  // closed one look like its retransmission within EXCHANGE_LIFETIME: the server's dedup answered
  // with the old device's cached 2.01 and registered nothing (CI saw 299 of 300).
  #mid = Math.floor(Math.random() * 0x10000)
  #waiters: ((m: CoapMessage) => void)[] = []
  async start(): Promise<void> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r))
    this.socket.on('message', (buf) => {
      const { message: m } = decodeMessage(new Uint8Array(buf))
      if (!m) return
      if (m.type === 'ACK') return this.#waiters.shift()?.(m)
      if (m.type !== 'CON') return
      if (m.code === 5) {
        // Read-Composite: acknowledge, then stay silent (the 1.1 client of the issue).
        this.fetchToken = m.token
        return this.send({ type: 'ACK', code: 0, messageId: m.messageId, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) })
      }
      const body = uriPath(m) === '/3/0/0' ? 'Acme' : '0'
      this.send({ type: 'ACK', code: 69, messageId: m.messageId, token: m.token, options: [{ number: Option.CONTENT_FORMAT, value: new Uint8Array(0) }], payload: text(body) })
    })
  }
  send(m: CoapMessage): void {
    this.socket.send(encodeMessage(m), serverPort, '127.0.0.1')
  }
  /** A CON request; resolves with its piggybacked answer. */
  request(path: string[], query: string[], payload = ''): Promise<CoapMessage> {
    const p = new Promise<CoapMessage>((r) => this.#waiters.push(r))
    const options = [
      ...path.map((s) => ({ number: Option.URI_PATH, value: text(s) })),
      ...(payload ? [{ number: Option.CONTENT_FORMAT, value: Uint8Array.of(40) }] : []),
      ...query.map((s) => ({ number: Option.URI_QUERY, value: text(s) }))
    ].sort((a, b) => a.number - b.number)
    const m: CoapMessage = { type: 'CON', code: 2, messageId: this.#mid++ & 0xffff, token: Uint8Array.of(9, this.#mid & 255), options, payload: text(payload) }
    this.send(m)
    // RFC 7252 §4.2 in miniature: a burst may lose datagrams on loopback too, so retransmit.
    let tries = 0
    const again = setInterval(() => (++tries > 5 ? clearInterval(again) : this.send(m)), 1000)
    return p.finally(() => clearInterval(again))
  }
  close(): void {
    this.socket.close()
  }
}

beforeAll(async () => {
  data = tempDir()
  served = await serve(data.path)
  const info = await ok('system.info', {})
  serverPort = info.capabilities.listeners.find((l: { role: string }) => l.role === 'LwM2M Server').port
})
afterAll(async () => {
  await served?.stop()
  data?.cleanup()
})

describe('a device that leaves a request unanswered after an Empty ACK (issue 12 item 1)', () => {
  it('is still read within its deadline; the stuck request ends at --timeout with the reason; a late answer is on the timeline', async () => {
    const dev = new StuckDevice()
    await dev.start()
    const reg = await dev.request(['rd'], ['ep=stuck', 'lt=60', 'lwm2m=1.1', 'b=U'], '</3/0>')
    expect(reg.code).toBe(65)
    const t0 = Date.now()
    const stuck = call('devices.readComposite', { endpoint: 'stuck', paths: ['/3/0/0'] }, ['--timeout', '3'])
    await new Promise((r) => setTimeout(r, 300))
    const read = await ok('devices.read', { endpoint: 'stuck', path: '/3/0/0' })
    expect(read).toMatchObject({ code: '2.05', records: [{ value: 'Acme' }] })
    expect(Date.now() - t0).toBeLessThan(2500) // before the stuck one's deadline, not after 247 s
    const s = await stuck
    expect(s.status).toBe(1)
    expect(s.stderr).toMatch(/devices\.timeout: the device acknowledged the request but sent no answer within 3 s/)
    // The answer finally comes, as a separate CON response.
    dev.send({ type: 'CON', code: 69, messageId: 4242, token: dev.fetchToken as Uint8Array, options: [], payload: text('late') })
    await new Promise((r) => setTimeout(r, 300))
    const tl = await ok('devices.timeline', { endpoint: 'stuck' })
    const kinds = tl.entries.map((e: { kind: string }) => e.kind)
    expect(kinds).toContain('late-response')
    expect(tl.entries.find((e: { kind: string }) => e.kind === 'late-response').text).toMatch(/late answer to Read-Composite/)
    // An answered request's line is written when read (issue 12 speed): it still reaches the contract.
    expect(tl.entries.find((e: { kind: string; code?: string }) => e.kind === 'request' && e.code === '2.05')).toMatchObject({ operation: 'Read', path: '/3/0/0', text: expect.stringMatching(/^Read \/3\/0\/0 → 2\.05 Content in \d+ ms$/) })
    dev.close()
  })
})

describe('the CLI never lies about the outcome (issue 12 item 3)', () => {
  it('when it gives up on a sleeping device, it cancels the queued request, which then never runs', async () => {
    const dev = new StuckDevice()
    await dev.start()
    expect((await dev.request(['rd'], ['ep=sleepy2', 'lt=600', 'lwm2m=1.1', 'b=U', 'Q'], '</3/0>')).code).toBe(65)
    await ok('settings.set', { key: 'server.queueAwakeSeconds', value: 1 }) // applies at once (item 17)
    await new Promise((r) => setTimeout(r, 1200))
    const r = await call('devices.write', { endpoint: 'sleepy2', path: '/3/0/14', records: [{ path: '/3/0/14', type: 'string', value: '+02' }] }, ['--timeout', '1'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/cli\.timeout: .*cancelled: cancelled before it was sent/)
    expect((await ok('devices.queue', { endpoint: 'sleepy2' })).queue).toEqual([])
    dev.close()
  })
})

describe('a burst of 300 registrations with lt=4 is gone after its lifetime (issue 12 item 6)', () => {
  it('over real UDP and real timers', async () => {
    const devs: StuckDevice[] = []
    for (let i = 0; i < 300; i++) {
      const d = new StuckDevice()
      await d.start()
      devs.push(d)
    }
    const answers = await Promise.all(devs.map((d, i) => d.request(['rd'], [`ep=burst-${i}`, 'lt=4', 'lwm2m=1.1'], '</3/0>')))
    expect(answers.every((a) => a.code === 65)).toBe(true)
    expect((await ok('devices.list', { filter: 'burst-' })).total).toBe(300)
    await new Promise((r) => setTimeout(r, 6000))
    expect((await ok('devices.list', { filter: 'burst-' })).total).toBe(0)
    for (const d of devs) d.close()
  }, 60_000)
})
