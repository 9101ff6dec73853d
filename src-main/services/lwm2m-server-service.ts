// SPDX-License-Identifier: Apache-2.0
// The LwM2M Server listener behind devices.*: a UDP socket, a CoAP endpoint on it, the server
// role, and the translation of its results and events into the contract.
import type { DeviceDetail, DevicesPage, ObserveResultDto, OperationResultDto, QueuedRequestDto } from '../contract/devices'
import { ServiceError } from '../contract/errors'
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
import { Lwm2mServer, OperationError, type OperationResult, type ServerEvent } from '../core/lwm2m/server/lwm2m-server'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { CoapListener } from './coap-listener'
import { detailDto, queueDto, resultDto, summaryDto, WallClock } from './device-dto'
import type { EventHub } from './event-hub'

export interface ServerListenOptions {
  readonly host: string
  readonly port: number
}

export class Lwm2mServerService {
  #listener: CoapListener | null = null
  #server: Lwm2mServer | null = null
  readonly #clock = new WallClock(nodeScheduler.now())

  constructor(
    private readonly events: EventHub,
    private readonly models: () => Promise<ModelLookup>,
    /** Seconds a queue-mode device counts as awake after its last message (setting). */
    private readonly awakeSeconds: () => number = () => 93
  ) {}

  async start(opts: ServerListenOptions): Promise<void> {
    const models = await this.models()
    const listener = await CoapListener.open('LwM2M Server', opts)
    const endpoint = listener.endpoint
    const server = new Lwm2mServer({
      link: coapDeviceLink(endpoint),
      scheduler: nodeScheduler,
      random: nodeRandom,
      models,
      awakeMs: this.awakeSeconds() * 1000,
      onEvent: (e) => this.forward(e)
    })
    serveUplink(endpoint, (req) => server.handle(req))
    this.#listener = listener
    this.#server = server
  }

  listener(): Listener | null {
    return this.#listener?.describe() ?? null
  }

  async close(): Promise<void> {
    this.#server?.close()
    await this.#listener?.close()
    this.#listener = null
  }

  list(cursor = 0, limit = 200, filter?: string): DevicesPage {
    const s = this.server()
    const f = filter?.trim().toLowerCase() ?? ''
    const all = s.registrations
      .all()
      .filter((r) => !f || r.endpoint.toLowerCase().includes(f) || r.peer.display.includes(f))
      .sort((a, b) => a.endpoint.localeCompare(b.endpoint))
    return { devices: all.slice(cursor, cursor + limit).map((r) => this.summary(r.endpoint)), total: all.length, cursor }
  }

  get(endpoint: string): DeviceDetail {
    const s = this.server()
    const r = s.registrations.byEndpoint(endpoint)
    if (!r) throw notRegistered(endpoint)
    return detailDto(r, this.summary(endpoint), s.observations(endpoint), queueDto(s.queue(endpoint), this.#clock))
  }

  read(endpoint: string, path: string, format?: string) {
    const t = target(path)
    return this.run(() => this.server().read(endpoint, t.path, formatOf(format), t.prefix))
  }
  readComposite(endpoint: string, paths: readonly string[], format?: string) {
    return this.run(() => this.server().readComposite(endpoint, paths.map(lwm2mPath), formatOf(format)))
  }
  writeComposite(endpoint: string, records: readonly JsonRecord[], format?: string) {
    return this.run(() => this.server().writeComposite(endpoint, parseRecords(records), formatOf(format)))
  }
  async observeComposite(endpoint: string, paths: readonly string[], attributes?: string, format?: string, force = false): Promise<ObserveResultDto> {
    if (!force && attributes) this.checkAttributes(endpoint, [], attributes)
    try {
      const o = await this.server().observeComposite(endpoint, paths.map(lwm2mPath), attributes ?? '', formatOf(format))
      return { ...resultDto(o.result, this.#clock), observationId: o.observationId }
    } catch (e) {
      throw mapError(e)
    }
  }
  discover(endpoint: string, path: string, depth?: number) {
    const t = target(path)
    return this.run(() => this.server().discover(endpoint, t.path, depth, t.prefix))
  }
  write(endpoint: string, path: string, records: readonly JsonRecord[], format?: string, partial?: boolean) {
    const t = target(path)
    return this.run(() => this.server().write(endpoint, t.path, parseRecords(records), { format: formatOf(format), partial, prefix: t.prefix }))
  }
  writeAttributes(endpoint: string, path: string, attributes: string, force = false) {
    const p = lwm2mPath(path)
    if (!force) this.checkAttributes(endpoint, p, attributes)
    return this.run(() => this.server().writeAttributes(endpoint, p, attributes))
  }
  execute(endpoint: string, path: string, args?: string, force = false) {
    const t = target(path)
    if (args && !force) {
      // C §6.3.5 argument syntax: digit[='text'], comma-separated, each digit once.
      const { violations } = parseExecuteArgs(args)
      if (violations.length > 0)
        throw new ServiceError('devices.invalid_request', `Execute arguments: ${violations.map((v) => v.message).join('; ')} (send with force to try the device anyway)`, { violations })
    }
    return this.run(() => this.server().execute(endpoint, t.path, args, t.prefix))
  }
  create(endpoint: string, path: string, records: readonly JsonRecord[], format?: string) {
    return this.run(() => this.server().create(endpoint, lwm2mPath(path), parseRecords(records), formatOf(format)))
  }
  delete(endpoint: string, path: string) {
    const t = target(path)
    return this.run(() => this.server().delete(endpoint, t.path, t.prefix))
  }

  async observe(endpoint: string, path: string, attributes?: string, format?: string, force = false): Promise<ObserveResultDto> {
    const t = target(path)
    if (!force && attributes) this.checkAttributes(endpoint, t.path, attributes)
    try {
      const o = await this.server().observe(endpoint, t.path, attributes ?? '', formatOf(format), t.prefix)
      return { ...resultDto(o.result, this.#clock), observationId: o.observationId }
    } catch (e) {
      throw mapError(e)
    }
  }

  async cancelObservation(id: string, mode: 'get' | 'rst' = 'get'): Promise<{ cancelled: true }> {
    try {
      await this.server().cancelObservation(id, mode)
      return { cancelled: true }
    } catch (e) {
      throw mapError(e)
    }
  }

  queue(endpoint: string): { queue: QueuedRequestDto[] } {
    if (!this.server().registrations.byEndpoint(endpoint)) throw notRegistered(endpoint)
    return { queue: queueDto(this.server().queue(endpoint), this.#clock) }
  }

  cancelQueued(endpoint: string, requestId: string): { cancelled: boolean } {
    return { cancelled: this.server().cancelQueued(endpoint, requestId) }
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

  private summary(endpoint: string) {
    const s = this.server()
    const r = s.registrations.byEndpoint(endpoint)
    if (!r) throw notRegistered(endpoint)
    return summaryDto(r, s.isAwake(r), s.queue(endpoint).length, this.#clock)
  }

  private server(): Lwm2mServer {
    if (!this.#server) throw new ServiceError('server.not_running', 'the LwM2M Server is not listening (started with --no-coap?)')
    return this.#server
  }

  private forward(e: ServerEvent): void {
    const s = this.#server
    switch (e.type) {
      case 'registered':
        if (s) this.events.emit('devices.registered', { device: this.summary(e.registration.endpoint), replaced: e.replaced })
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
        this.events.emit('devices.queue', { endpoint: e.endpoint, queue: queueDto(e.pending, this.#clock) })
        return
    }
  }
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
  if (e instanceof OperationError)
    return new ServiceError(e.code === 'device.not_registered' ? 'devices.not_registered' : e.code === 'device.request_cancelled' ? 'devices.cancelled' : 'devices.invalid_request', e.message)
  if (e instanceof EncodeError) return new ServiceError('devices.invalid_request', `cannot encode: ${e.message}`, { rule: e.rule })
  if (e instanceof CoapTimeoutError) return new ServiceError('devices.timeout', `the device did not answer: ${e.message}`)
  if (e instanceof CoapResetError) return new ServiceError('devices.unreachable', `the device reset the request (RST): ${e.message}`)
  if (e instanceof CoapClosedError) return new ServiceError('devices.cancelled', e.message)
  if (e instanceof CoapError) return new ServiceError('devices.unreachable', e.message)
  return e as Error
}
