// SPDX-License-Identifier: Apache-2.0
// The LwM2M Server role (C §6.2–§6.4): answers Register/Update/De-register and Send, keeps the
// registrations with their lifetimes, and drives devices with Device Management and Information
// Reporting operations. Queue-mode devices (T §6.5) get their requests queued while they sleep and
// sent one at a time after their next message. It sees devices only through a DeviceLink, so it
// does not know whether UDP, DTLS, TCP or anything else carries the messages.
import type { PeerAddress, Random, Scheduler } from '../../ports'
import { CF, type ContentFormat } from '../content-format'
import { decodePayload, encodePayload } from '../formats/all'
import type { ModelLookup, ObjectModel } from '../model'
import { formatPath, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import type { Violation } from '../../violation'
import { codeMeaning, codeText, type DeviceLink, type DownlinkRequest, type DownlinkResponse, type UplinkRequest, type UplinkResponse } from './messages'
import { RegistrationTable, type Registration } from './registry'
import { BAD_REQUEST, CONFLICT, parseObjectList, parseRegisterQuery, parseUpdateQuery } from './registration'

const CREATED = 65
const DELETED = 66
const CHANGED = 68
const NOT_FOUND = 132

/** After a queue-mode device's last message it is assumed awake this long (T §6.5: MAX_TRANSMIT_WAIT). */
export const DEFAULT_AWAKE_MS = 93_000

export type ServerEvent =
  | { readonly type: 'registered'; readonly registration: Registration; readonly replaced: boolean }
  | { readonly type: 'updated'; readonly registration: Registration }
  | { readonly type: 'deregistered'; readonly registration: Registration; readonly reason: 'de-register' | 'expired' | 'replaced' }
  | { readonly type: 'notification'; readonly endpoint: string; readonly observationId: string; readonly result: OperationResult }
  | { readonly type: 'observationEnded'; readonly endpoint: string; readonly observationId: string; readonly reason: string }
  | { readonly type: 'send'; readonly endpoint: string; readonly result: OperationResult }
  | { readonly type: 'queue'; readonly endpoint: string; readonly pending: readonly QueuedRequest[] }

/** What an operation brought back, decoded for people and for the contract. */
export interface OperationResult {
  readonly code: number
  readonly codeText: string
  readonly meaning: string
  readonly contentFormat: ContentFormat | null
  readonly records: readonly Lwm2mRecord[]
  readonly violations: readonly Violation[]
  readonly payload: Uint8Array
  readonly locationPath?: readonly string[]
  readonly at: number
}

export interface QueuedRequest {
  readonly id: string
  readonly operation: string
  readonly path: string
  readonly enqueuedAt: number
}

export interface ServerOptions {
  readonly link: DeviceLink
  readonly scheduler: Scheduler
  readonly random: Random
  readonly models: ModelLookup
  readonly onEvent?: (e: ServerEvent) => void
  /** Profile IDs (LwM2M-Ident) whose object list this server knows; others need a payload. */
  readonly knownProfiles?: ReadonlySet<string>
  readonly awakeMs?: number
}

export class OperationError extends Error {
  constructor(
    readonly code: 'device.not_registered' | 'device.request_cancelled' | 'device.invalid_request',
    message: string
  ) {
    super(message)
    this.name = 'OperationError'
  }
}

interface Pending extends QueuedRequest {
  readonly run: () => Promise<void>
  readonly cancel: (why: string) => void
}

export class Lwm2mServer {
  readonly registrations = new RegistrationTable()
  readonly #expiry = new Map<string, () => void>()
  readonly #queues = new Map<string, Pending[]>()
  readonly #busy = new Set<string>()
  readonly #observations = new Map<string, { endpoint: string; cancel: (how: 'get' | 'rst') => Promise<void> }>()
  #seq = 0

  constructor(private readonly opts: ServerOptions) {}

  // ---- Client Registration interface (uplink) -------------------------------------------------

  /** Answers a request a device sent to this server. Never throws: bad input is a 4.xx answer. */
  handle(req: UplinkRequest): UplinkResponse {
    const [first, second, ...rest] = req.path
    if (first === 'rd' && second === undefined && req.method === 'POST') return this.register(req)
    if (first === 'rd' && second !== undefined && rest.length === 0) {
      if (req.method === 'POST') return this.update(second, req)
      if (req.method === 'DELETE') return this.deregister(second)
    }
    if (first === 'dp' && second === undefined && req.method === 'POST') return this.send(req)
    return { code: NOT_FOUND, payload: text(`no ${req.method} ${'/' + req.path.join('/')} on this server`) }
  }

  private register(req: UplinkRequest): UplinkResponse {
    const q = parseRegisterQuery(req.query)
    if (!q.ok) return { code: q.code, payload: text(q.reason) }
    if (req.payload.length > 0 && req.contentFormat !== null && req.contentFormat !== CF.LINK)
      return { code: BAD_REQUEST, payload: text(`the object list must be link format (40), not ${req.contentFormat}`) }
    const list = parseObjectList(new TextDecoder().decode(req.payload))
    if (list.objects.length === 0) {
      // LwM2M-Ident-02: a known profile ID stands for the object list; otherwise we cannot know it.
      const known = q.params.profileId !== null && (this.opts.knownProfiles?.has(q.params.profileId) ?? false)
      if (!known)
        return {
          code: CONFLICT,
          payload: text(q.params.profileId ? `unknown profile ID "${q.params.profileId}" and no object list` : 'no object list')
        }
    }
    const now = this.opts.scheduler.now()
    const id = this.newId()
    const registration: Registration = {
      ...q.params,
      id,
      peer: req.peer,
      objects: list.objects,
      alternatePath: list.alternatePath,
      contentFormats: list.contentFormats,
      registeredAt: now,
      updatedAt: now,
      lastSeen: now,
      expiresAt: q.params.lifetime === 0 ? null : now + q.params.lifetime * 1000
    }
    const replaced = this.registrations.put(registration)
    if (replaced) {
      this.endRegistration(replaced, 'replaced')
    }
    this.armExpiry(registration)
    this.emit({ type: 'registered', registration, replaced: replaced !== undefined })
    this.deviceSeen(registration.endpoint)
    return { code: CREATED, locationPath: ['rd', id] }
  }

  private update(id: string, req: UplinkRequest): UplinkResponse {
    const r = this.registrations.byId(id)
    // 4.04 tells the client to register again (T Tbl 6.7-2).
    if (!r) return { code: NOT_FOUND, payload: text(`no registration ${id}`) }
    const q = parseUpdateQuery(req.query, r.lwm2mVersion)
    if (!q.ok) return { code: q.code, payload: text(q.reason) }
    const now = this.opts.scheduler.now()
    const list = req.payload.length > 0 ? parseObjectList(new TextDecoder().decode(req.payload)) : null
    const lifetime = q.params.lifetime ?? r.lifetime
    const updated: Registration = {
      ...r,
      ...q.params,
      peer: req.peer, // the device may come back from another address (NAT, sleep)
      objects: list ? list.objects : r.objects,
      alternatePath: list ? list.alternatePath : r.alternatePath,
      contentFormats: list && list.contentFormats.length ? list.contentFormats : r.contentFormats,
      updatedAt: now,
      lastSeen: now,
      expiresAt: lifetime === 0 ? null : now + lifetime * 1000
    }
    this.registrations.put(updated)
    this.armExpiry(updated)
    this.emit({ type: 'updated', registration: updated })
    this.deviceSeen(updated.endpoint)
    return { code: CHANGED }
  }

  private deregister(id: string): UplinkResponse {
    const r = this.registrations.remove(id)
    if (!r) return { code: NOT_FOUND, payload: text(`no registration ${id}`) }
    this.endRegistration(r, 'de-register')
    return { code: DELETED }
  }

  private send(req: UplinkRequest): UplinkResponse {
    const r = this.registrationByPeer(req.peer)
    if (!r) return { code: NOT_FOUND, payload: text('Send from a device that is not registered') }
    if (req.contentFormat === null) return { code: BAD_REQUEST, payload: text('Send needs a Content-Format (110, 112 or 11544)') }
    const result = this.decodeResult(r, { code: CHANGED, contentFormat: req.contentFormat, payload: req.payload, observe: null, locationPath: [] }, [])
    this.emit({ type: 'send', endpoint: r.endpoint, result })
    this.deviceSeen(r.endpoint)
    return { code: CHANGED }
  }

  /** Any message from a device (also notifications and responses) shows it is awake. */
  deviceSeen(endpoint: string): void {
    const r = this.registrations.byEndpoint(endpoint)
    if (!r) return
    const now = this.opts.scheduler.now()
    if (now !== r.lastSeen) this.registrations.put({ ...r, lastSeen: now })
    void this.pump(endpoint)
  }

  // ---- Device Management and Information Reporting (downlink) --------------------------------

  /** `prefix` addresses an end device behind an Object 25 gateway ("/dev1/3/0", Gw-Enab-01). */
  read(endpoint: string, path: Path, accept?: ContentFormat, prefix?: string): Promise<OperationResult> {
    return this.operate(endpoint, 'Read', path, { method: 'GET', path: routed(path, prefix), accept })
  }

  discover(endpoint: string, path: Path, depth?: number, prefix?: string): Promise<OperationResult> {
    const query = depth === undefined ? [] : [`depth=${depth}`]
    return this.operate(endpoint, 'Discover', path, { method: 'GET', path: routed(path, prefix), query, accept: CF.LINK })
  }

  write(endpoint: string, path: Path, records: readonly Lwm2mRecord[], opts: { format?: ContentFormat; partial?: boolean; prefix?: string } = {}): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const format = opts.format ?? this.hierarchicalFormat(r, path, records)
    const payload = encodePayload(format, records, { path, models: this.modelsFor(r) })
    return this.operate(endpoint, opts.partial ? 'Write (partial update)' : 'Write', path, {
      method: opts.partial ? 'POST' : 'PUT',
      path: routed(path, opts.prefix),
      contentFormat: format,
      payload
    })
  }

  /** Read-Composite (C §6.3.2): FETCH / with the paths as a SenML(-ETCH) Fetch Pack. */
  readComposite(endpoint: string, paths: readonly Path[], accept?: ContentFormat): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const body = this.compositeBody(r, paths)
    return this.operate(endpoint, 'Read-Composite', [], { method: 'FETCH', path: [], ...body, accept: accept ?? this.compositeAccept(r) })
  }

  /** Write-Composite (C §6.3.4): iPATCH / with the records; atomic on the device. */
  writeComposite(endpoint: string, records: readonly Lwm2mRecord[], format?: ContentFormat): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const cf = format ?? this.compositeAccept(r)
    const payload = encodePayload(cf, records, { path: [], models: this.modelsFor(r) })
    return this.operate(endpoint, 'Write-Composite', [], { method: 'IPATCH', path: [], contentFormat: cf, payload })
  }

  writeAttributes(endpoint: string, path: Path, query: string): Promise<OperationResult> {
    const q = query.replace(/^\?/, '')
    return this.operate(endpoint, 'Write-Attributes', path, { method: 'PUT', path: segments(path), query: q ? q.split('&') : [] })
  }

  execute(endpoint: string, path: Path, args?: string, prefix?: string): Promise<OperationResult> {
    if (path.length !== 3) throw new OperationError('device.invalid_request', 'Execute targets a resource /O/I/R (C §6.3.5)')
    return this.operate(endpoint, 'Execute', path, {
      method: 'POST',
      path: routed(path, prefix),
      ...(args ? { contentFormat: CF.TEXT, payload: new TextEncoder().encode(args) } : {})
    })
  }

  /** Create at /O (DMSE-02: any subset of resources; instance id optional). */
  create(endpoint: string, path: Path, records: readonly Lwm2mRecord[], format?: ContentFormat): Promise<OperationResult> {
    if (path.length !== 1) throw new OperationError('device.invalid_request', 'Create targets an object /O (C §6.3.7)')
    const r = this.requireRegistration(endpoint)
    const cf = format ?? this.hierarchicalFormat(r, path, records)
    const payload = encodePayload(cf, records, { path, models: this.modelsFor(r) })
    return this.operate(endpoint, 'Create', path, { method: 'POST', path: segments(path), contentFormat: cf, payload })
  }

  delete(endpoint: string, path: Path, prefix?: string): Promise<OperationResult> {
    return this.operate(endpoint, 'Delete', path, { method: 'DELETE', path: routed(path, prefix) })
  }

  /** Observe with observation attributes in the query (INFO-01, INFO-03). */
  observe(endpoint: string, path: Path, attributes = '', accept?: ContentFormat, prefix?: string): Promise<{ observationId: string | null; result: OperationResult }> {
    const r = this.requireRegistration(endpoint)
    const query = attributes.replace(/^\?/, '') ? attributes.replace(/^\?/, '').split('&') : []
    const req: DownlinkRequest = { method: 'GET', path: [...altSegments(r), ...routed(path, prefix)], query, observe: 0, ...(accept ? { accept } : {}) }
    return this.observeWith(r, path, req, 'Observe')
  }

  private async observeWith(r: Registration, path: Path, req: DownlinkRequest, operation: string): Promise<{ observationId: string | null; result: OperationResult }> {
    const endpoint = r.endpoint
    const observationId = `obs-${this.newId()}`
    let handle: { first: DownlinkResponse; cancel: (how: 'get' | 'rst') => Promise<void> } | null = null
    const result = await this.enqueue(r, operation, path, async () => {
      handle = await this.opts.link.observe(
        this.peerOf(endpoint),
        req,
        (n) => {
          this.deviceSeen(endpoint)
          const reg = this.registrations.byEndpoint(endpoint)
          if (reg) this.emit({ type: 'notification', endpoint, observationId, result: this.decodeResult(reg, n, path) })
        },
        (reason) => {
          if (this.#observations.delete(observationId)) this.emit({ type: 'observationEnded', endpoint, observationId, reason })
        }
      )
      return handle.first
    }, path)
    const h = handle as { first: DownlinkResponse; cancel: (how: 'get' | 'rst') => Promise<void> } | null
    if (h && result.code >> 5 === 2 && h.first.observe !== null) {
      this.#observations.set(observationId, { endpoint, cancel: h.cancel })
      return { observationId, result }
    }
    return { observationId: null, result }
  }

  /** Observe-Composite (C §6.4.3, INFO-02): FETCH / with Observe=0, the paths and the attributes. */
  async observeComposite(endpoint: string, paths: readonly Path[], attributes = '', accept?: ContentFormat): Promise<{ observationId: string | null; result: OperationResult }> {
    const r = this.requireRegistration(endpoint)
    const query = attributes.replace(/^\?/, '') ? attributes.replace(/^\?/, '').split('&') : []
    return this.observeWith(r, [], { method: 'FETCH', path: [...altSegments(r)], query, observe: 0, ...this.compositeBody(r, paths), accept: accept ?? this.compositeAccept(r) }, 'Observe-Composite')
  }

  async cancelObservation(observationId: string, how: 'get' | 'rst' = 'get'): Promise<void> {
    const o = this.#observations.get(observationId)
    if (!o) throw new OperationError('device.invalid_request', `no observation ${observationId}`)
    this.#observations.delete(observationId)
    await o.cancel(how)
  }

  observations(endpoint?: string): string[] {
    return [...this.#observations].filter(([, o]) => endpoint === undefined || o.endpoint === endpoint).map(([id]) => id)
  }

  /** Requests waiting for a sleeping device. */
  queue(endpoint: string): QueuedRequest[] {
    return (this.#queues.get(endpoint) ?? []).map(({ id, operation, path, enqueuedAt }) => ({ id, operation, path, enqueuedAt }))
  }

  /** Withdraws a queued request before it goes out. */
  cancelQueued(endpoint: string, requestId: string): boolean {
    const q = this.#queues.get(endpoint) ?? []
    const i = q.findIndex((p) => p.id === requestId)
    if (i < 0) return false
    const [p] = q.splice(i, 1)
    p?.cancel('cancelled while queued')
    this.emit({ type: 'queue', endpoint, pending: this.queue(endpoint) })
    return true
  }

  isAwake(r: Registration): boolean {
    return !r.queueMode || this.opts.scheduler.now() - r.lastSeen < (this.opts.awakeMs ?? DEFAULT_AWAKE_MS)
  }

  close(): void {
    for (const cancel of this.#expiry.values()) cancel()
    this.#expiry.clear()
    for (const [ep, q] of this.#queues) for (const p of q) p.cancel(`server stopped (${ep})`)
    this.#queues.clear()
  }

  // ---- internals -------------------------------------------------------------------------------

  private operate(endpoint: string, operation: string, path: Path, req: DownlinkRequest): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const routed = { ...req, path: [...altSegments(r), ...req.path] }
    return this.enqueue(r, operation, path, () => this.opts.link.send(this.peerOf(endpoint), routed), path)
  }

  /** Runs `send` now, or queues it while a queue-mode device sleeps; one request at a time per device. */
  private enqueue(r: Registration, operation: string, path: Path, send: () => Promise<DownlinkResponse>, decodeAt: Path): Promise<OperationResult> {
    return new Promise<OperationResult>((resolve, reject) => {
      const pending: Pending = {
        id: this.newId(),
        operation,
        path: formatPath(path),
        enqueuedAt: this.opts.scheduler.now(),
        run: async () => {
          try {
            const res = await send()
            this.deviceSeen(r.endpoint)
            const reg = this.registrations.byEndpoint(r.endpoint) ?? r
            resolve(this.decodeResult(reg, res, decodeAt))
          } catch (e) {
            reject(e)
          }
        },
        cancel: (why) => reject(new OperationError('device.request_cancelled', `${operation} ${formatPath(path)}: ${why}`))
      }
      const q = this.#queues.get(r.endpoint) ?? []
      q.push(pending)
      this.#queues.set(r.endpoint, q)
      if (!this.isAwake(r) || this.#busy.has(r.endpoint)) this.emit({ type: 'queue', endpoint: r.endpoint, pending: this.queue(r.endpoint) })
      void this.pump(r.endpoint)
    })
  }

  private async pump(endpoint: string): Promise<void> {
    if (this.#busy.has(endpoint)) return
    const r = this.registrations.byEndpoint(endpoint)
    const q = this.#queues.get(endpoint)
    if (!r || !q || q.length === 0 || !this.isAwake(r)) return
    const next = q.shift() as Pending
    this.#busy.add(endpoint)
    if (r.queueMode) this.emit({ type: 'queue', endpoint, pending: this.queue(endpoint) })
    try {
      await next.run()
    } finally {
      this.#busy.delete(endpoint)
      void this.pump(endpoint)
    }
  }

  private decodeResult(r: Registration, res: DownlinkResponse, path: Path): OperationResult {
    const base = {
      code: res.code,
      codeText: codeText(res.code),
      meaning: codeMeaning(res.code),
      contentFormat: res.contentFormat,
      payload: res.payload,
      at: this.opts.scheduler.now(),
      ...(res.locationPath.length ? { locationPath: res.locationPath } : {})
    }
    if (res.payload.length === 0 || res.contentFormat === null) return { ...base, records: [], violations: [] }
    const decoded = decodePayload(res.contentFormat, res.payload, { path, models: this.modelsFor(r) })
    return { ...base, records: decoded.records, violations: decoded.violations }
  }

  /** Models at the object versions this device announced (RD-01, `ver=`). */
  modelsFor(r: Registration): ModelLookup {
    const versions = new Map<number, string>()
    for (const o of r.objects) if (o.version) versions.set(o.objectId, o.version)
    return { get: (id: number, version?: string): ObjectModel | undefined => this.opts.models.get(id, version ?? versions.get(id)) }
  }

  /** TLV for 1.0 clients (the only hierarchical format they must have); SenML CBOR from 1.1. */
  private hierarchicalFormat(r: Registration, path: Path, records: readonly Lwm2mRecord[]): ContentFormat {
    // One value at its own path: plain text, or raw bytes for Opaque (firmware images, C §7.5).
    if (path.length >= 3 && records.length === 1 && records[0]?.path.length === path.length) {
      const v = records[0].value
      if (v) return v.type === 'opaque' ? CF.OPAQUE : CF.TEXT
    }
    if (r.lwm2mVersion === '1.0') return CF.TLV
    return r.contentFormats.includes(CF.SENML_CBOR) ? CF.SENML_CBOR : r.contentFormats.includes(CF.LWM2M_CBOR) ? CF.LWM2M_CBOR : CF.TLV
  }

  /** The Fetch Pack naming `paths`: SenML-ETCH for 1.2 clients, plain SenML for 1.1 (C §6.3.2). */
  private compositeBody(r: Registration, paths: readonly Path[]): { contentFormat: ContentFormat; payload: Uint8Array } {
    if (paths.length === 0) throw new OperationError('device.invalid_request', 'a composite operation needs at least one path')
    const cbor = r.contentFormats.includes(CF.SENML_CBOR) || r.contentFormats.includes(CF.SENML_ETCH_CBOR)
    const cf = r.lwm2mVersion.startsWith('1.2') ? (cbor ? CF.SENML_ETCH_CBOR : CF.SENML_ETCH_JSON) : cbor ? CF.SENML_CBOR : CF.SENML_JSON
    return { contentFormat: cf, payload: encodePayload(cf, paths.map((p) => ({ path: p })), { path: [] }) }
  }

  private compositeAccept(r: Registration): ContentFormat {
    return r.contentFormats.includes(CF.SENML_CBOR) ? CF.SENML_CBOR : r.contentFormats.includes(CF.LWM2M_CBOR) ? CF.LWM2M_CBOR : CF.SENML_JSON
  }

  private requireRegistration(endpoint: string): Registration {
    const r = this.registrations.byEndpoint(endpoint)
    if (!r) throw new OperationError('device.not_registered', `no device "${endpoint}" is registered`)
    return r
  }

  private peerOf(endpoint: string): PeerAddress {
    return this.requireRegistration(endpoint).peer
  }

  private registrationByPeer(peer: PeerAddress): Registration | undefined {
    return this.registrations.all().find((r) => r.peer.key === peer.key)
  }

  private armExpiry(r: Registration): void {
    this.#expiry.get(r.id)?.()
    this.#expiry.delete(r.id)
    if (r.expiresAt === null) return
    const cancel = this.opts.scheduler.schedule(r.expiresAt - this.opts.scheduler.now(), () => {
      this.#expiry.delete(r.id)
      const current = this.registrations.byId(r.id)
      if (current && current.expiresAt !== null && current.expiresAt <= this.opts.scheduler.now()) {
        this.registrations.remove(r.id)
        this.endRegistration(current, 'expired')
      }
    })
    this.#expiry.set(r.id, cancel)
  }

  private endRegistration(r: Registration, reason: 'de-register' | 'expired' | 'replaced'): void {
    this.#expiry.get(r.id)?.()
    this.#expiry.delete(r.id)
    // Observations die with their registration (C §6.2: re-created after every Register).
    for (const [id, o] of this.#observations)
      if (o.endpoint === r.endpoint) {
        this.#observations.delete(id)
        void o.cancel('rst').catch(() => {})
        this.emit({ type: 'observationEnded', endpoint: r.endpoint, observationId: id, reason: `registration ${reason}` })
      }
    if (reason !== 'replaced') {
      for (const p of this.#queues.get(r.endpoint) ?? []) p.cancel(`device ${reason}`)
      this.#queues.delete(r.endpoint)
    }
    this.emit({ type: 'deregistered', registration: r, reason })
  }

  private newId(): string {
    const b = this.opts.random.bytes(4)
    let s = ''
    for (const x of b) s += x.toString(16).padStart(2, '0')
    return s + (this.#seq++).toString(16)
  }

  private emit(e: ServerEvent): void {
    try {
      this.opts.onEvent?.(e)
    } catch {
      // A listener's bug must not break the protocol role.
    }
  }
}

/** Requests to a client that announced an alternate path go under it (C §6.2.1, rt="oma.lwm2m"). */
function altSegments(r: Registration): string[] {
  return r.alternatePath ? r.alternatePath.split('/') : []
}

function routed(path: Path, prefix?: string): string[] {
  return prefix ? [prefix, ...segments(path)] : segments(path)
}

function segments(path: Path): string[] {
  return path.map(String)
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}
