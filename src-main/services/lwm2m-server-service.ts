// SPDX-License-Identifier: Apache-2.0
// The LwM2M Server listener behind devices.*: a UDP socket, a CoAP endpoint on it, the server
// role, and the translation of its results and events into the contract.
import type { CancelResultDto, DeviceDetail, DeviceSortKey, DevicesPage, ObservationDto, ObserveResultDto, OperationResultDto, QueuedRequestDto, TimelinePage } from '../contract/devices'
import { ServiceError } from '../contract/errors'
import type { Params } from '../contract/methods'
import type { Settings } from '../contract/settings'
import type { Listener } from '../contract/system'
import { CoapClosedError, CoapError, CoapResetError, CoapTimeoutError } from '../core/coap/errors'
import { parseAttributeQuery } from '../core/lwm2m/attributes'
import { parseExecuteArgs } from '../core/lwm2m/execute-args'
import { EncodeError } from '../core/lwm2m/codec'
import { resolveFormat, type ContentFormat } from '../core/lwm2m/content-format'
import { fromJsonRecord, type JsonRecord } from '../core/lwm2m/json-record'
import type { ModelLookup } from '../core/lwm2m/model'
import { parsePath, parseTarget, type Path } from '../core/lwm2m/path'
import type { Lwm2mRecord } from '../core/lwm2m/record'
import { coapDeviceLink, serveUplink } from '../core/lwm2m/server/coap-binding'
import { Lwm2mServer, OperationError, type ObserveOptions, type OperationResult, type RequestOptions, type ServerEvent } from '../core/lwm2m/server/lwm2m-server'
import { RequestError } from '../core/lwm2m/server/request-pipeline'
import type { Registration } from '../core/lwm2m/server/registry'
import type { TimelineEntry } from '../core/lwm2m/server/timeline'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { CoapListener } from './coap-listener'
import type { PeerAddress } from '../core/ports'
import { RoutedDeviceLink } from '../core/lwm2m/server/routed-device-link'
import type { RoleHandle } from './role-attachment'
import { detailDto, observationDto, queueDto, resultDto, summaryDto, timelineEntryDto, WallClock } from './device-dto'
import type { EventHub } from './event-hub'

export interface ServerListenOptions {
  readonly host: string
  readonly port: number
}

/** The settings the server reads; kept current from settings.changed so they apply at once. */
type ServerSettings = Pick<Settings, 'server.queueAwakeSeconds' | 'server.requestTimeoutSeconds' | 'server.maxRegistrations' | 'server.historyMinutes'>
export const SERVER_SETTING_KEYS = ['server.queueAwakeSeconds', 'server.requestTimeoutSeconds', 'server.maxRegistrations', 'server.historyMinutes'] as const

export class Lwm2mServerService {
  #listener: CoapListener | null = null
  #server: Lwm2mServer | null = null
  readonly #links = new RoutedDeviceLink()
  readonly #clock = new WallClock(nodeScheduler.now())
  #settings: ServerSettings
  /** Raw timeline entries for in-process counters (system.overview), before any DTO is built. */
  #timelineTaps: ((endpoint: string, entry: TimelineEntry) => void)[] = []

  constructor(
    private readonly events: EventHub,
    private readonly models: () => Promise<ModelLookup>,
    settings: () => ServerSettings
  ) {
    this.#settings = settings()
    events.subscribe((name, payload) => {
      if (name !== 'settings.changed') return
      const { key } = payload as { key: string }
      if ((SERVER_SETTING_KEYS as readonly string[]).includes(key)) this.#settings = settings()
    })
  }

  async start(opts: ServerListenOptions): Promise<void> {
    const models = await this.models()
    const listener = await CoapListener.open('LwM2M Server', opts)
    const endpoint = listener.endpoint
    this.#links.add('udp', coapDeviceLink(endpoint))
    const server = new Lwm2mServer({
      link: this.#links,
      scheduler: nodeScheduler,
      random: nodeRandom,
      models,
      awakeMs: () => this.#settings['server.queueAwakeSeconds'] * 1000,
      requestTimeoutMs: () => this.#settings['server.requestTimeoutSeconds'] * 1000,
      maxRegistrations: () => this.#settings['server.maxRegistrations'],
      historyMs: () => this.#settings['server.historyMinutes'] * 60_000,
      onEvent: (e) => this.forward(e)
    })
    serveUplink(endpoint, (req) => server.handle(req))
    this.#listener = listener
    this.#server = server
  }

  listener(): Listener | null {
    return this.#listener?.describe() ?? null
  }

  /** A device's session moved without a Register/Update (DTLS CID across a NAT rebinding). */
  peerMoved(peer: PeerAddress, how: string): void {
    this.#server?.peerMoved(peer, how)
  }

  /** The role for other transports (DTLS, serial) to attach to; null while not running. */
  role(): RoleHandle | null {
    const server = this.#server
    return server ? { handle: (req) => server.handle(req), links: this.#links } : null
  }

  /** Live registrations against the cap, for system.info. */
  registrations(): { count: number; max: number } | null {
    return this.#server ? { count: this.#server.registrations.size, max: this.#settings['server.maxRegistrations'] } : null
  }

  /** Sees every timeline entry as it is appended (cheap: no DTO, no event). */
  tapTimeline(tap: (endpoint: string, entry: TimelineEntry) => void): void {
    this.#timelineTaps.push(tap)
  }

  /** Live and sleeping (queue mode, not awake) registrations, for system.overview; null without the server. */
  liveCounts(): { registered: number; sleeping: number } | null {
    const s = this.#server
    if (!s) return null
    let sleeping = 0
    for (const r of s.registrations.all()) if (r.queueMode && !s.isAwake(r)) sleeping++
    return { registered: s.registrations.size, sleeping }
  }

  /** Scheduler time now (the clock timeline entries use). */
  now(): number {
    return nodeScheduler.now()
  }

  /** Scheduler time → ISO wall time. */
  iso(t: number): string {
    return this.#clock.iso(t)
  }

  async close(): Promise<void> {
    this.#server?.close()
    await this.#listener?.close()
    this.#listener = null
  }

  /**
   * One window of the list, sorted and filtered here because the UI holds only the window. Live
   * registrations by default; `state` lists those that ended within server.historyMinutes. Sorting
   * runs on the registrations themselves and only the window becomes DTOs.
   */
  list(p: Pick<Params<'devices.list'>, 'cursor' | 'limit' | 'filter' | 'sort' | 'order' | 'state'> = {}): DevicesPage {
    const s = this.server()
    const { cursor = 0, limit = 200 } = p
    const f = p.filter?.trim().toLowerCase() ?? ''
    const match = (r: Registration) => !f || r.endpoint.toLowerCase().includes(f) || r.peer.display.toLowerCase().includes(f)
    const now = nodeScheduler.now()
    type Row = { r: Registration; ended: 'expired' | 'deregistered' | null }
    const rows: Row[] = []
    if (p.state) {
      const want = p.state === 'expired' ? 'expired' : 'de-register'
      for (const h of s.timeline.endedDevices(now))
        if (h.registration && h.ended?.reason === want && match(h.registration)) rows.push({ r: h.registration, ended: p.state })
    } else for (const r of s.registrations.all()) if (match(r)) rows.push({ r, ended: null })
    const key = sortKey(p.sort ?? 'endpoint', (r) => s.isAwake(r), (ep) => s.queuedCount(ep))
    const dir = p.order === 'desc' ? -1 : 1
    const keyed = rows.map((x) => ({ x, k: key(x.r, x.ended) }))
    keyed.sort((a, b) => dir * (compareKeys(a.k, b.k) || collator.compare(a.x.r.endpoint, b.x.r.endpoint)))
    const devices = keyed
      .slice(cursor, cursor + limit)
      .map(({ x }) => (x.ended ? summaryDto(x.r, false, 0, this.#clock, x.ended) : this.summary(x.r.endpoint)))
    return { devices, total: keyed.length, cursor }
  }

  get(endpoint: string): DeviceDetail {
    const s = this.server()
    const r = s.registrations.byEndpoint(endpoint)
    if (!r) {
      // Ended within the history period: the last registration, marked ended, so a page opened
      // afterwards still shows what the device was (and never as live).
      const h = s.timeline.history(endpoint, nodeScheduler.now())
      if (!h?.registration || !h.ended) throw notRegistered(endpoint)
      const state = h.ended.reason === 'expired' ? 'expired' : 'deregistered'
      return { ...detailDto(h.registration, summaryDto(h.registration, false, 0, this.#clock, state), [], []), endedAt: this.#clock.iso(h.ended.at) }
    }
    return detailDto(r, this.summary(endpoint), s.observations(endpoint), this.queueOf(endpoint))
  }

  read(p: Params<'devices.read'>) {
    const t = target(p.path)
    return this.run(() => this.server().read(p.endpoint, t.path, formatOf(p.format), t.prefix, perRequest(p)))
  }
  readComposite(p: Params<'devices.readComposite'>) {
    return this.run(() => this.server().readComposite(p.endpoint, p.paths.map(lwm2mPath), formatOf(p.format), perRequest(p)))
  }
  writeComposite(p: Params<'devices.writeComposite'>) {
    return this.run(() => this.server().writeComposite(p.endpoint, parseRecords(p.records as JsonRecord[]), formatOf(p.format), perRequest(p)))
  }
  async observeComposite(p: Params<'devices.observeComposite'>): Promise<ObserveResultDto> {
    if (!p.force && p.attributes) this.checkAttributes(p.endpoint, [], p.attributes)
    try {
      const o = await this.server().observeComposite(p.endpoint, p.paths.map(lwm2mPath), p.attributes ?? '', observeOptions(p))
      return { ...resultDto(o.result, this.#clock), observationId: o.observationId }
    } catch (e) {
      throw mapError(e)
    }
  }
  discover(p: Params<'devices.discover'>) {
    const t = target(p.path)
    return this.run(() => this.server().discover(p.endpoint, t.path, p.depth, t.prefix, perRequest(p)))
  }
  write(p: Params<'devices.write'>) {
    const t = target(p.path)
    const records = parseRecords(p.records as JsonRecord[])
    return this.run(() => this.server().write(p.endpoint, t.path, records, { format: formatOf(p.format), partial: p.partial, prefix: t.prefix, ...perRequest(p) }))
  }
  writeAttributes(p: Params<'devices.writeAttributes'>) {
    const path = lwm2mPath(p.path)
    if (!p.force) this.checkAttributes(p.endpoint, path, p.attributes)
    return this.run(() => this.server().writeAttributes(p.endpoint, path, p.attributes, perRequest(p)))
  }
  execute(p: Params<'devices.execute'>) {
    const t = target(p.path)
    if (p.args && !p.force) {
      // C §6.3.5 argument syntax: digit[='text'], comma-separated, each digit once.
      const { violations } = parseExecuteArgs(p.args)
      if (violations.length > 0)
        throw new ServiceError('devices.invalid_request', `Execute arguments: ${violations.map((v) => v.message).join('; ')} (send with force to try the device anyway)`, { violations })
    }
    return this.run(() => this.server().execute(p.endpoint, t.path, p.args, t.prefix, perRequest(p)))
  }
  create(p: Params<'devices.create'>) {
    return this.run(() => this.server().create(p.endpoint, lwm2mPath(p.path), parseRecords(p.records as JsonRecord[]), formatOf(p.format), perRequest(p)))
  }
  delete(p: Params<'devices.delete'>) {
    const t = target(p.path)
    return this.run(() => this.server().delete(p.endpoint, t.path, t.prefix, perRequest(p)))
  }

  async observe(p: Params<'devices.observe'>): Promise<ObserveResultDto> {
    const t = target(p.path)
    if (!p.force && p.attributes) this.checkAttributes(p.endpoint, t.path, p.attributes)
    try {
      const o = await this.server().observe(p.endpoint, t.path, p.attributes ?? '', { ...observeOptions(p), ...(t.prefix ? { prefix: t.prefix } : {}) })
      return { ...resultDto(o.result, this.#clock), observationId: o.observationId }
    } catch (e) {
      throw mapError(e)
    }
  }

  async cancelObservation(id: string, mode: 'get' | 'rst' = 'get', clearAttributes = false): Promise<{ cancelled: true; cleared: OperationResultDto[] }> {
    try {
      const { cleared } = await this.server().cancelObservation(id, mode, clearAttributes)
      return { cancelled: true, cleared: cleared.map((r) => resultDto(r, this.#clock)) }
    } catch (e) {
      throw mapError(e)
    }
  }

  observations(endpoint: string): { observations: ObservationDto[] } {
    const s = this.server()
    if (!s.registrations.byEndpoint(endpoint)) throw notRegistered(endpoint)
    return { observations: s.observationTable.list(endpoint).map((o) => observationDto(o, this.#clock)) }
  }

  queue(endpoint: string): { queue: QueuedRequestDto[] } {
    if (!this.server().registrations.byEndpoint(endpoint)) throw notRegistered(endpoint)
    return { queue: this.queueOf(endpoint) }
  }

  cancel(endpoint: string, requestId: string): CancelResultDto {
    if (!this.server().registrations.byEndpoint(endpoint)) throw notRegistered(endpoint)
    return this.server().cancel(endpoint, requestId)
  }

  timeline(endpoint: string, cursor = -1, limit = 200): TimelinePage {
    const s = this.server()
    const page = s.timeline.page(endpoint, nodeScheduler.now(), cursor, limit)
    if (!page) throw new ServiceError('devices.not_found', `no device "${endpoint}" is registered or was recently`, { endpoint })
    return {
      endpoint,
      entries: page.entries.map((e) => timelineEntryDto(e, this.#clock)),
      nextCursor: page.nextCursor,
      total: page.total,
      live: s.registrations.byEndpoint(endpoint) !== undefined
    }
  }

  /** INFO-01/03: observation attributes checked against C §5.1.2 and the resource's type first. */
  private checkAttributes(endpoint: string, path: Path, attributes: string): void {
    const r = this.server().registrations.byEndpoint(endpoint)
    if (!r) throw notRegistered(endpoint)
    const model = path.length > 0 ? this.server().modelsFor(r).get(path[0] as number) : undefined
    const { violations } = parseAttributeQuery(attributes, { path, ...(model ? { model } : {}) })
    if (violations.length > 0)
      throw new ServiceError(
        'devices.invalid_request',
        `attributes: ${violations.map((v) => v.message).join('; ')} (send with force to try the device anyway)`,
        { violations }
      )
  }

  private async run(op: () => Promise<OperationResult>): Promise<OperationResultDto> {
    try {
      return resultDto(await op(), this.#clock)
    } catch (e) {
      throw mapError(e)
    }
  }

  private queueOf(endpoint: string): QueuedRequestDto[] {
    return queueDto(this.server().queue(endpoint), this.#clock, nodeScheduler.now())
  }

  private summary(endpoint: string) {
    const s = this.server()
    const r = s.registrations.byEndpoint(endpoint)
    if (!r) throw notRegistered(endpoint)
    return summaryDto(r, s.isAwake(r), s.queuedCount(endpoint), this.#clock)
  }

  private server(): Lwm2mServer {
    if (!this.#server) throw new ServiceError('server.not_running', 'the LwM2M Server is not listening (started with --no-coap?)')
    return this.#server
  }

  private forward(e: ServerEvent): void {
    const s = this.#server
    switch (e.type) {
      case 'registered':
        if (s)
          this.events.emit('devices.registered', {
            device: this.summary(e.registration.endpoint),
            replaced: e.replaced,
            ...(e.previousAddress ? { previousAddress: e.previousAddress } : {})
          })
        return
      case 'updated':
        if (s) this.events.emit('devices.updated', { device: this.summary(e.registration.endpoint) })
        return
      case 'deregistered':
        if (e.reason !== 'replaced') this.events.emit('devices.deregistered', { endpoint: e.registration.endpoint, reason: e.reason })
        return
      case 'notification':
        this.events.emit('devices.notification', { endpoint: e.endpoint, observationId: e.observationId, result: resultDto(e.result, this.#clock) })
        return
      case 'observationEnded':
        this.events.emit('devices.observationEnded', { endpoint: e.endpoint, observationId: e.observationId, reason: e.reason })
        return
      case 'send':
        this.events.emit('devices.send', { endpoint: e.endpoint, result: resultDto(e.result, this.#clock) })
        return
      case 'queue':
        // Only when someone listens: a burst of Registers must not pay for DTOs nobody reads.
        if (this.events.size > 0) this.events.emit('devices.queue', { endpoint: e.endpoint, queue: queueDto(e.pending, this.#clock, nodeScheduler.now()) })
        return
      case 'timeline':
        for (const tap of this.#timelineTaps) tap(e.endpoint, e.entry)
        if (this.events.size > 0) this.events.emit('devices.timelineAppended', { endpoint: e.endpoint, entry: timelineEntryDto(e.entry, this.#clock) })
        return
    }
  }
}

const collator = new Intl.Collator('en', { numeric: true })

/** The value a row sorts by: a number or a string; no expiry sorts last. */
function sortKey(
  key: DeviceSortKey,
  awake: (r: Registration) => boolean,
  pending: (endpoint: string) => number
): (r: Registration, ended: 'expired' | 'deregistered' | null) => number | string {
  switch (key) {
    case 'endpoint':
      return (r) => r.endpoint
    case 'state':
      return (r, ended) => (ended === 'expired' ? 2 : ended === 'deregistered' ? 3 : r.queueMode && !awake(r) ? 1 : 0)
    case 'lwm2mVersion':
      return (r) => r.lwm2mVersion
    case 'binding':
      return (r) => r.binding
    case 'address':
      return (r) => r.peer.display
    case 'lifetime':
      return (r) => r.lifetime
    case 'expiresAt':
      return (r) => r.expiresAt ?? Number.MAX_SAFE_INTEGER
    case 'pending':
      return (r, ended) => (ended ? 0 : pending(r.endpoint))
    case 'registeredAt':
      return (r) => r.registeredAt
    case 'lastSeen':
      return (r) => r.lastSeen
  }
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return collator.compare(String(a), String(b))
}

function perRequest(p: { requestId?: string; timeoutMs?: number }): RequestOptions {
  return { ...(p.requestId !== undefined ? { requestId: p.requestId } : {}), ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}) }
}

function observeOptions(p: { requestId?: string; timeoutMs?: number; format?: string; attributesRoute?: 'query' | 'write-attributes' }): ObserveOptions {
  const accept = formatOf(p.format)
  return { ...perRequest(p), ...(accept !== undefined ? { accept } : {}), ...(p.attributesRoute ? { attributesRoute: p.attributesRoute } : {}) }
}

function notRegistered(endpoint: string): ServiceError {
  return new ServiceError('devices.not_registered', `no device "${endpoint}" is registered`, { endpoint })
}

function lwm2mPath(text: string): Path {
  const p = parsePath(text)
  if (!p.ok) throw new ServiceError('devices.invalid_request', `path: ${p.reason}`)
  return p.path
}

/** "/3/0/1", or "/dev1/3/0/1" for an end device behind a gateway (Object 25 prefix). */
function target(text: string): { path: Path; prefix?: string } {
  const t = parseTarget(text)
  if (!t.ok || !t.target) throw new ServiceError('devices.invalid_request', `path: ${t.ok ? 'not a path' : t.reason}`)
  return t.target.prefix ? { path: t.target.path, prefix: t.target.prefix } : { path: t.target.path }
}

function formatOf(name: string | undefined): ContentFormat | undefined {
  if (name === undefined) return undefined
  const cf = resolveFormat(name)
  if (cf === null) throw new ServiceError('devices.invalid_request', `unknown content format "${name}"`)
  return cf
}

function parseRecords(records: readonly JsonRecord[]): Lwm2mRecord[] {
  return records.map((r, i) => {
    const p = fromJsonRecord(r)
    if (!p.ok) throw new ServiceError('devices.invalid_request', `records[${i}]: ${p.reason}`)
    return p.record
  })
}

function mapError(e: unknown): Error {
  if (e instanceof ServiceError) return e
  if (e instanceof RequestError)
    return new ServiceError(e.code === 'device.timeout' ? 'devices.timeout' : e.code === 'device.request_cancelled' ? 'devices.cancelled' : 'devices.invalid_request', e.message, e.details)
  if (e instanceof OperationError)
    return new ServiceError(e.code === 'device.not_registered' ? 'devices.not_registered' : e.code === 'device.request_cancelled' ? 'devices.cancelled' : 'devices.invalid_request', e.message)
  if (e instanceof EncodeError) return new ServiceError('devices.invalid_request', `cannot encode: ${e.message}`, { rule: e.rule })
  if (e instanceof CoapTimeoutError)
    return new ServiceError('devices.timeout', e.waitingFor === 'ack' ? `no answer from the device: ${e.message}` : `the device did not answer: ${e.message}`, { attempts: e.attempts })
  if (e instanceof CoapResetError) return new ServiceError('devices.unreachable', `the device reset the request (RST): ${e.message}`)
  if (e instanceof CoapClosedError) return new ServiceError('devices.cancelled', e.message)
  if (e instanceof CoapError) return new ServiceError('devices.unreachable', e.message)
  return e as Error
}
