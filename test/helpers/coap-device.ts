// A small LwM2M test device on node-coap (an independent CoAP stack): it registers from the same
// UDP socket it serves its objects on, so the server's DM, Observe and bootstrap requests are
// answered by a stack no one here wrote. Payloads are built by hand (text, link format, SenML JSON
// with JSON.stringify), not with the workbench's own encoders.
import coap from 'coap'
import { createSocket, type Socket } from 'node:dgram'

export interface DeviceRequestLog {
  method: string
  url: string
  contentFormat: unknown
  payload: Buffer
}

type Value = string | number | boolean

export class NodeCoapDevice {
  readonly socket: Socket
  readonly server: InstanceType<typeof coap.Server>
  readonly agent: InstanceType<typeof coap.Agent>
  readonly log: DeviceRequestLog[] = []
  location = ''
  executed: string[] = []
  /** Opaque resources (firmware images and the like), e.g. /5/0/0. */
  readonly blobs = new Map<string, Buffer>()
  /** Attributes attached with Write-Attributes, per path. */
  readonly attributes = new Map<string, Map<string, string>>()
  /** /O/I/R → value */
  readonly values = new Map<string, Value>([
    ['/1/0/0', 101],
    ['/1/0/1', 300],
    ['/1/0/7', 'U'],
    ['/3/0/0', 'Acme Devices'],
    ['/3/0/1', 'Widget 2000'],
    ['/3/0/9', 87],
    ['/3303/0/5700', 21.5]
  ])
  /**
   * Bootstrap-Discover `/` answer (T §6.4.2), e.g. a BS account at /0/0. Unset: the generic
   * Discover below. Whatever it claims, this device accepts every Bootstrap-Write, its own BS
   * account included — a misbehaving client, so the server's own care is what gets tested.
   */
  bootstrapDiscover: string | null = null
  /** Paths this device never answers (node-coap still sends its Empty ACK): a silent device. */
  readonly silent = new Set<string>()
  /** Requests to silent paths, held so a test can answer them late (answerLate). */
  readonly #held: { path: string; res: { setOption(n: string, v: unknown): void; end(b?: string | Buffer): void } }[] = []
  #observers = new Map<string, { write(b: string | Buffer): void; setOption(n: string, v: unknown): void }>()

  private constructor(socket: Socket) {
    this.socket = socket
    this.server = coap.createServer({ type: 'udp4' })
    this.agent = new coap.Agent({ socket: socket as never })
  }

  static async start(): Promise<NodeCoapDevice> {
    const socket = createSocket('udp4')
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
    const d = new NodeCoapDevice(socket)
    d.server.on('request', (req: unknown, res: unknown) => d.handle(req as never, res as never))
    await new Promise<void>((r) => d.server.listen(socket as never, () => r()))
    return d
  }

  get port(): number {
    return this.socket.address().port
  }

  /** POST /rd from this device's own socket; resolves with the response code. */
  request(port: number, method: string, pathname: string, query: string, payload?: string, format?: string, accept?: string): Promise<{ code: string; payload: Buffer; options: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = coap.request({ hostname: '127.0.0.1', port, method, pathname, query, agent: this.agent, confirmable: true } as never)
      if (format) req.setOption('Content-Format', format)
      if (accept) req.setOption('Accept', accept)
      req.on('response', (res: { code: string; payload: Buffer; headers: Record<string, unknown>; options: { name: string | number; value: Buffer }[] }) => {
        const loc = res.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString())
        if (loc.length) this.location = '/' + loc.join('/')
        resolve({ code: res.code, payload: res.payload, options: res.headers })
      })
      req.on('error', reject)
      if (payload !== undefined) req.write(payload)
      req.end()
    })
  }

  register(serverPort: number, ep: string, extra = ''): Promise<{ code: string }> {
    return this.request(serverPort, 'POST', '/rd', `ep=${ep}&lt=120&lwm2m=1.1&b=U${extra}`, '</1>;ver=1.1,</1/0>,</3/0>,</3303/0>', 'application/link-format')
  }

  /** Answers the held requests to `path` now (after the server gave up: a late response). */
  answerLate(path: string): number {
    const due = this.#held.filter((h) => h.path === path)
    for (const h of due) {
      h.res.setOption('Content-Format', 'text/plain')
      h.res.end(String(this.values.get(path) ?? ''))
    }
    this.#held.splice(0, this.#held.length, ...this.#held.filter((h) => h.path !== path))
    return due.length
  }

  /** A new sensor value; observers of its path get a notification. */
  setValue(path: string, v: Value): void {
    this.values.set(path, v)
    this.#observers.get(path)?.write(String(v))
  }

  private handle(req: { method: string; url: string; headers: Record<string, unknown>; payload: Buffer; options: { name: string | number; value: Buffer }[] }, res: {
    code: string
    setOption(n: string, v: unknown): void
    end(b?: string | Buffer): void
    write(b: string | Buffer): void
    on(e: string, f: () => void): void
  }): void {
    // A gateway (Object 25) forwards /dev1/... to its end device, which here shares our objects.
    const path = (req.url.split('?')[0] as string).replace(/^\/dev1(?=\/)/, '')
    const query = req.url.includes('?') ? (req.url.split('?')[1] as string) : ''
    this.log.push({ method: req.method, url: req.url, contentFormat: req.headers['Content-Format'], payload: req.payload })
    const parts = path.split('/').filter(Boolean)
    if (this.silent.has(path)) {
      this.#held.push({ path, res })
      return
    }
    if (req.method === 'GET' && req.headers['Observe'] === 0 && this.values.has(path)) {
      res.setOption('Content-Format', 'text/plain')
      res.write(String(this.values.get(path)))
      this.#observers.set(path, res)
      res.on('finish', () => this.#observers.delete(path))
      return
    }
    if (this.bootstrapDiscover !== null && req.method === 'GET' && path === '/' && req.headers['Accept'] === 'application/link-format') {
      res.setOption('Content-Format', 'application/link-format')
      res.end(this.bootstrapDiscover)
      return
    }
    if (req.method === 'GET' && req.headers['Accept'] === 'application/link-format') {
      // Discover (T §6.4.4): the object, its instances and the resources present.
      const links = [...this.values.keys()].filter((k) => k.startsWith(path === '/' ? '/' : path + '/') || k === path)
      const objects = new Set(links.map((k) => '/' + k.split('/')[1] + '/' + k.split('/')[2]))
      res.setOption('Content-Format', 'application/link-format')
      res.end([`<${path}>` + (query.includes('depth') ? '' : ''), ...[...objects].map((o) => `<${o}>`), ...links.map((l) => `<${l}>`)].join(','))
      return
    }
    if (path === '/5/0/0' && req.method === 'GET' && this.blobs.has(path)) {
      res.setOption('Content-Format', 'application/octet-stream')
      res.end(this.blobs.get(path)) // node-coap sends it block-wise (Block2)
      return
    }
    if (req.method === 'GET') {
      if (parts.length === 3 && this.values.has(path)) {
        res.setOption('Content-Format', 'text/plain')
        res.end(String(this.values.get(path)))
        return
      }
      const under = [...this.values].filter(([k]) => k.startsWith(path + '/'))
      if (parts.length === 2 && under.length) {
        // SenML JSON (C §7.5.6), written with JSON.stringify.
        const pack = under.map(([k, v], i) => ({
          ...(i === 0 ? { bn: path + '/' } : {}),
          n: k.slice(path.length + 1),
          ...(typeof v === 'string' ? { vs: v } : typeof v === 'boolean' ? { vb: v } : { v })
        }))
        res.setOption('Content-Format', 'application/senml+json')
        res.end(JSON.stringify(pack))
        return
      }
      res.code = '4.04'
      res.end()
      return
    }
    if (req.method === 'FETCH' && path === '/') {
      // Read-Composite (C §6.3.2): the body names paths (SenML JSON, C §7.5.6); answer the known ones.
      let bn = ''
      const wanted = (JSON.parse(req.payload.toString()) as { bn?: string; n?: string }[]).map((r) => {
        if (r.bn !== undefined) bn = r.bn
        return bn + (r.n ?? '')
      })
      const pack = wanted.filter((p) => this.values.has(p)).map((p) => {
        const v = this.values.get(p) as Value
        return { n: p, ...(typeof v === 'string' ? { vs: v } : typeof v === 'boolean' ? { vb: v } : { v }) }
      })
      if (req.headers['Observe'] === 0) {
        res.setOption('Content-Format', 'application/senml+json')
        res.write(JSON.stringify(pack))
        return
      }
      res.setOption('Content-Format', 'application/senml+json')
      res.end(JSON.stringify(pack))
      return
    }
    if (req.method === 'iPATCH' && path === '/') {
      // Write-Composite (C §6.3.4): all or nothing.
      let bn = ''
      const recs = (JSON.parse(req.payload.toString()) as { bn?: string; n?: string; v?: number; vs?: string; vb?: boolean }[]).map((r) => {
        if (r.bn !== undefined) bn = r.bn
        return { path: bn + (r.n ?? ''), value: (r.v ?? r.vs ?? r.vb) as Value }
      })
      if (recs.some((r) => !this.values.has(r.path))) {
        res.code = '4.04'
        res.end()
        return
      }
      for (const r of recs) this.values.set(r.path, r.value)
      res.code = '2.04'
      res.end()
      return
    }
    // Write-Attributes (C §6.3.6): PUT with the attributes in the query and no payload; an
    // attribute named without a value is removed (C §5.1.2).
    if (req.method === 'PUT' && query && req.payload.length === 0) {
      const now = new Map(this.attributes.get(path) ?? [])
      for (const kv of query.split('&')) {
        const [k, v] = kv.split('=') as [string, string | undefined]
        if (v === undefined) now.delete(k)
        else now.set(k, v)
      }
      this.attributes.set(path, now)
      res.code = '2.04'
      res.end()
      return
    }
    if (path === '/5/0/0' && req.method === 'PUT') {
      this.blobs.set(path, Buffer.from(req.payload)) // node-coap reassembled the Block1 transfer
      res.code = '2.04'
      res.end()
      return
    }
    if (req.method === 'PUT' && parts.length === 3 && this.values.has(path)) {
      const old = this.values.get(path)
      const text = req.payload.toString()
      this.values.set(path, typeof old === 'number' ? Number(text) : text)
      res.code = '2.04'
      res.end()
      return
    }
    if (req.method === 'POST' && (path === '/1/0/8' || path === '/3/0/4' || path === '/3/0/5')) {
      this.executed.push(req.payload.toString())
      res.code = '2.04'
      res.end()
      return
    }
    if (req.method === 'DELETE' && path === '/3/0') {
      res.code = '4.05' // the Device object cannot be deleted (DMSE-01)
      res.end()
      return
    }
    // Bootstrap interface (T §6.4.2): accept what the Bootstrap Server sends.
    if (req.method === 'DELETE') {
      res.code = '2.02'
      res.end()
      return
    }
    if (req.method === 'PUT' || (req.method === 'POST' && path === '/bs')) {
      res.code = '2.04'
      res.end()
      return
    }
    res.code = '4.04'
    res.end()
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}
