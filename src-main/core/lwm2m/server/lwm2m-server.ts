// SPDX-License-Identifier: Apache-2.0
// The LwM2M Server role (C §6.2–§6.4): answers Register/Update/De-register and Send, keeps the
// registrations, and drives devices with Device Management and Information Reporting
// operations. Requests to a device go through its pipeline (request-pipeline.ts: queue mode,
// deadlines, cancel), lifetimes through expiry.ts, and every step lands on the device's timeline
// (timeline.ts). It sees devices only through a DeviceLink, so it does not know whether UDP,
// DTLS, TCP or anything else carries the messages.
import { isUtf8, utf8Text } from '../../bytes'
import type { PeerAddress, Random, Scheduler } from '../../ports'
import type { Violation } from '../../violation'
import { CF, formatName, type ContentFormat } from '../content-format'
import { endpointNameProblem } from '../endpoint-name'
import { decodePayload, encodePayload } from '../formats/all'
import { isWarningRule } from '../formats/warnings'
import type { ModelLookup, ObjectModel } from '../model'
import { formatPath, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import { answerProblems } from './answer-checks'
import { ExpiryQueue } from './expiry'
import { codeMeaning, codeText, type DeviceLink, type DownlinkRequest, type DownlinkResponse, type UplinkRequest, type UplinkResponse } from './messages'
import { ObservationTable, type ObservationRecord } from './observations'
import { BAD_REQUEST, CONFLICT, parseObjectList, parseRegisterQuery, parseUpdateQuery } from './registration'
import { RegistrationTable, type Registration } from './registry'
import { RequestError, RequestPipeline, type CancelOutcome, type RequestInfo } from './request-pipeline'
import { DeviceTimeline, type TimelineEntry } from './timeline'

const CREATED = 65
const DELETED = 66
const CHANGED = 68
const NOT_ACCEPTABLE = 134
const INTERNAL_SERVER_ERROR = 160
const NOT_FOUND = 132
const SERVICE_UNAVAILABLE = 163
/** The formats a Send may carry: SenML JSON, SenML CBOR and LwM2M CBOR (facts §3.4, T Tbl 6.4.5-1). */
const SEND_FORMATS: readonly number[] = [CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR]

/** After a queue-mode device's last message it is assumed awake this long (T §6.5: MAX_TRANSMIT_WAIT). */
export const DEFAULT_AWAKE_MS = 93_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_REGISTRATIONS = 100_000
export const DEFAULT_HISTORY_MS = 3_600_000
/** Max-Age on a 5.03 when the registration table is full: when to try again. */
const FULL_RETRY_SECONDS = 60

export type ServerEvent =
  | { readonly type: 'registered'; readonly registration: Registration; readonly replaced: boolean; readonly previousAddress?: string }
  | { readonly type: 'updated'; readonly registration: Registration }
  | { readonly type: 'deregistered'; readonly registration: Registration; readonly reason: 'de-register' | 'expired' | 'replaced' }
  | { readonly type: 'notification'; readonly endpoint: string; readonly observationId: string; readonly result: OperationResult }
  | { readonly type: 'observationEnded'; readonly endpoint: string; readonly observationId: string; readonly reason: string }
  | { readonly type: 'send'; readonly endpoint: string; readonly result: OperationResult }
  | { readonly type: 'queue'; readonly endpoint: string; readonly pending: readonly RequestInfo[] }
  | { readonly type: 'timeline'; readonly endpoint: string; readonly entry: TimelineEntry }

/** One request of a multi-step operation (Write-Attributes before Observe on a 1.0/1.1 client). */
export interface OperationStep {
  readonly operation: string
  readonly path: string
  readonly code: number
  readonly codeText: string
  readonly meaning: string
}

/** What an operation brought back, decoded for people and for the contract. */
export interface OperationResult {
  readonly code: number
  readonly codeText: string
  readonly meaning: string
  readonly contentFormat: ContentFormat | null
  readonly records: readonly Lwm2mRecord[]
  readonly violations: readonly Violation[]
  /** How many the decoder found; `violations` keeps the first 100 (issue 12 item 19). */
  readonly violationsTotal: number
  readonly payload: Uint8Array
  readonly locationPath?: readonly string[]
  readonly at: number
  readonly requestId?: string
  readonly durationMs?: number
  /** Every request the operation took, when it took more than one. */
  readonly steps?: readonly OperationStep[]
  /** What a person should know about this answer (a 1.2-only parameter, attributes left behind, …). */
  readonly notes?: readonly string[]
  /** A route worth trying when this one was refused. */
  readonly suggestion?: 'write-attributes-route'
}

export type QueuedRequest = RequestInfo

/** Per-request choices a caller may make. */
export interface RequestOptions {
  /** Caller-chosen id, to list or cancel the request later; unique among the device's live requests. */
  readonly requestId?: string
  /** Deadline for the answer, counted from sending; default `requestTimeoutMs`. */
  readonly timeoutMs?: number
}

export interface ObserveOptions extends RequestOptions {
  /**
   * How observation attributes reach the device: 'query' in the Observe request (1.2, C §6.4.1),
   * or 'write-attributes' attached first. Default: query for 1.2 clients, write-attributes below.
   */
  readonly attributesRoute?: 'query' | 'write-attributes'
  readonly prefix?: string
  readonly accept?: ContentFormat
}

export interface ServerOptions {
  readonly link: DeviceLink
  readonly scheduler: Scheduler
  readonly random: Random
  readonly models: ModelLookup
  readonly onEvent?: (e: ServerEvent) => void
  /** Profile IDs (LwM2M-Ident) whose object list this server knows; others need a payload. */
  readonly knownProfiles?: ReadonlySet<string>
  /** Settings, read at each use so that a change applies at once. */
  readonly awakeMs?: () => number
  readonly requestTimeoutMs?: () => number
  readonly maxRegistrations?: () => number
  /** How long an ended registration's timeline is kept. */
  readonly historyMs?: () => number
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

export class Lwm2mServer {
  readonly registrations = new RegistrationTable()
  readonly timeline: DeviceTimeline
  readonly observationTable = new ObservationTable()
  readonly #expiry: ExpiryQueue
  readonly #requests: RequestPipeline
  #seq = 0

  constructor(private readonly opts: ServerOptions) {
    this.#expiry = new ExpiryQueue(opts.scheduler, (id) => this.expire(id))
    this.timeline = new DeviceTimeline({
      retentionMs: opts.historyMs ?? (() => DEFAULT_HISTORY_MS),
      onAppend: (endpoint, entry) => {
        if (this.opts.onEvent) this.emit({ type: 'timeline', endpoint, entry })
      }
    })
    this.#requests = new RequestPipeline({
      scheduler: opts.scheduler,
      ready: (endpoint) => {
        const r = this.registrations.byEndpoint(endpoint)
        return r !== undefined && this.isAwake(r)
      },
      // Listing the queue on every step costs more than the request itself when nobody listens.
      onChange: (endpoint) => {
        if (this.opts.onEvent) this.emit({ type: 'queue', endpoint, pending: this.#requests.list(endpoint) })
      },
      onDone: (endpoint, info, outcome) => this.requestDone(endpoint, info, outcome),
      onLate: (endpoint, info, response) => {
        const after = Math.round((this.now() - (info.sentAt ?? info.enqueuedAt)) / 100) / 10
        this.note(endpoint, {
          kind: 'late-response',
          text: `late answer to ${info.operation} ${info.path}: ${codeText(response.code)} ${codeMeaning(response.code)} after ${after} s; it answered nothing (the request had ended)`,
          requestId: info.id,
          operation: info.operation,
          path: info.path,
          code: codeText(response.code)
        })
      }
    })
  }

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
    const nameProblem = endpointNameProblem(q.params.endpoint)
    if (nameProblem) return { code: BAD_REQUEST, payload: text(nameProblem) }
    if (req.payload.length > 0 && req.contentFormat !== null && req.contentFormat !== CF.LINK)
      return { code: BAD_REQUEST, payload: text(`the object list must be link format (40), not ${req.contentFormat}`) }
    const list = parseObjectList(utf8Text(req.payload))
    if (list.objects.length === 0 && list.violations.length > 0) return { code: BAD_REQUEST, payload: text(`the object list names no usable object: ${listProblems(list.violations)}`) }
    if (list.objects.length === 0) {
      // LwM2M-Ident-02: a known profile ID stands for the object list; otherwise we cannot know it.
      const known = q.params.profileId !== null && (this.opts.knownProfiles?.has(q.params.profileId) ?? false)
      if (!known)
        return {
          code: CONFLICT,
          payload: text(q.params.profileId ? `unknown profile ID "${q.params.profileId}" and no object list` : 'no object list')
        }
    }
    const previous = this.registrations.byEndpoint(q.params.endpoint)
    const max = this.opts.maxRegistrations?.() ?? DEFAULT_MAX_REGISTRATIONS
    if (!previous && this.registrations.size >= max)
      return { code: SERVICE_UNAVAILABLE, maxAge: FULL_RETRY_SECONDS, payload: text(`this server holds its maximum of ${max} registrations; try again later`) }
    const now = this.now()
    const id = this.newId()
    const p = q.params
    // Every field written out (no spread): one object with its fields in place, which the GC
    // copies in one piece; there is one per device and it lives as long as the registration.
    const registration: Registration = {
      endpoint: p.endpoint,
      lifetime: p.lifetime,
      lwm2mVersion: p.lwm2mVersion,
      binding: p.binding,
      queueMode: p.queueMode,
      smsNumber: p.smsNumber,
      profileId: p.profileId,
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
    if (replaced) this.endRegistration(replaced, 'replaced')
    this.timeline.live(registration)
    this.#expiry.set(registration.id, registration.expiresAt)
    const moved = replaced !== undefined && replaced.peer.key !== req.peer.key
    if (moved)
      this.note(registration.endpoint, {
        kind: 'takeover',
        text: `re-registered from ${replaced.peer.display} to ${req.peer.display}: the new address took over registration ${replaced.id}`,
        registrationId: id,
        address: req.peer.display,
        previousAddress: replaced.peer.display
      })
    this.note(registration.endpoint, {
      kind: 'registered',
      // Joined, not concatenated: the line lives as long as the device's history, and a joined
      // string is one flat piece rather than a tree of a dozen.
      text: [
        'registered from ', req.peer.display, ': LwM2M ', registration.lwm2mVersion, ', binding ', registration.binding,
        registration.queueMode ? ' with queue mode' : '', ', lifetime ', registration.lifetime === 0 ? 'unlimited' : registration.lifetime + ' s',
        replaced && !moved ? ` (replaces registration ${replaced.id})` : '',
        list.violations.length ? `; its object list has ${list.violations.length} problem(s): ${listProblems(list.violations)}` : ''
      ].join(''),
      registrationId: id,
      address: req.peer.display
    })
    if (this.opts.onEvent) this.emit({ type: 'registered', registration, replaced: replaced !== undefined, ...(moved ? { previousAddress: replaced.peer.display } : {}) })
    this.deviceSeen(registration.endpoint)
    return { code: CREATED, locationPath: ['rd', id] }
  }

  private update(id: string, req: UplinkRequest): UplinkResponse {
    const r = this.registrations.byId(id)
    // 4.04 tells the client to register again (T Tbl 6.7-2).
    if (!r) return { code: NOT_FOUND, payload: text(`no registration ${id}`) }
    const q = parseUpdateQuery(req.query, r.lwm2mVersion)
    if (!q.ok) return { code: q.code, payload: text(q.reason) }
    const now = this.now()
    const list = req.payload.length > 0 ? parseObjectList(utf8Text(req.payload)) : null
    if (list && list.objects.length === 0 && list.violations.length > 0) return { code: BAD_REQUEST, payload: text(`the object list names no usable object: ${listProblems(list.violations)}`) }
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
    this.timeline.live(updated)
    this.#expiry.set(updated.id, updated.expiresAt)
    if (r.peer.key !== req.peer.key)
      this.note(r.endpoint, {
        kind: 'address-changed',
        text: `address changed from ${r.peer.display} to ${req.peer.display} (Update)`,
        registrationId: id,
        address: req.peer.display,
        previousAddress: r.peer.display
      })
    const changed = Object.entries(q.params).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${String(v)}`)
    this.note(r.endpoint, {
      kind: 'updated',
      text: `update${changed.length ? ' (' + changed.join(', ') + ')' : ''}${list ? `, new object list (${list.objects.length} entries)` : ''}${list?.violations.length ? `; it has ${list.violations.length} problem(s): ${listProblems(list.violations)}` : ''}`,
      registrationId: id,
      address: req.peer.display
    })
    this.emit({ type: 'updated', registration: updated })
    this.deviceSeen(updated.endpoint)
    return { code: CHANGED }
  }

  /**
   * The transport says a device's session moved to another address without a new Register or
   * Update (a DTLS Connection ID across a NAT rebinding, RFC 9146 §6): the registration follows,
   * and the timeline keeps the address history.
   */
  peerMoved(peer: PeerAddress, how: string): void {
    const r = this.registrationByPeer(peer)
    if (!r || r.peer.display === peer.display) return
    const updated: Registration = { ...r, peer }
    this.registrations.put(updated)
    this.timeline.live(updated)
    this.note(r.endpoint, {
      kind: 'address-changed',
      text: `address changed from ${r.peer.display} to ${peer.display} (${how})`,
      registrationId: r.id,
      address: peer.display,
      previousAddress: r.peer.display
    })
    this.emit({ type: 'updated', registration: updated })
  }

  private deregister(id: string): UplinkResponse {
    const r = this.registrations.remove(id)
    if (!r) return { code: NOT_FOUND, payload: text(`no registration ${id}`) }
    this.endRegistration(r, 'de-register')
    return { code: DELETED }
  }

  private expire(id: string): void {
    const r = this.registrations.byId(id)
    if (!r) return
    this.registrations.remove(id)
    this.endRegistration(r, 'expired')
  }

  private send(req: UplinkRequest): UplinkResponse {
    const r = this.registrationByPeer(req.peer)
    if (!r) return { code: NOT_FOUND, payload: text('Send from a device that is not registered') }
    this.deviceSeen(r.endpoint)
    if (req.contentFormat === null) return { code: BAD_REQUEST, payload: text('Send needs a Content-Format (110, 112 or 11544)') }
    if (!SEND_FORMATS.includes(req.contentFormat)) {
      const why = `Send takes SenML JSON (110), SenML CBOR (112) or LwM2M CBOR (11544), not ${req.contentFormat}`
      this.note(r.endpoint, { kind: 'send', text: `Send refused (4.00): ${why}` })
      return { code: BAD_REQUEST, payload: text(why) }
    }
    const result = this.decodeResult(r, { code: CHANGED, contentFormat: req.contentFormat, payload: req.payload, observe: null, locationPath: [] }, [], 'Send', undefined)
    // A payload the decoder finds broken is refused, so the device does not count it as delivered.
    const broken = result.violations.find((v) => !isWarningRule(v.rule))
    const problems = result.violations.length ? `, ${result.violations.length} problem(s) in the payload` : ''
    if (broken) {
      this.note(r.endpoint, { kind: 'send', text: `Send refused (4.00): ${result.records.length} value(s)${problems}; the first: ${broken.message}` })
      return { code: BAD_REQUEST, payload: text(`the Send payload is broken: ${broken.message}`) }
    }
    // A Send carries only what the device registered (end devices behind a gateway prefix aside).
    const stray = result.records.find((rec) => rec.prefix === undefined && !registers(r, rec.path))
    if (stray) {
      const why = `${formatPath(stray.path)} is not in the object list the device registered`
      this.note(r.endpoint, { kind: 'send', text: `Send refused (4.04): ${why}` })
      return { code: NOT_FOUND, payload: text(why) }
    }
    this.note(r.endpoint, { kind: 'send', text: `Send: ${result.records.length} value(s)${problems}` })
    this.emit({ type: 'send', endpoint: r.endpoint, result })
    return { code: CHANGED }
  }

  /** Any message from a device (also notifications and responses) shows it is awake. Returns its registration as it stands after that. */
  deviceSeen(endpoint: string): Registration | undefined {
    const r = this.registrations.byEndpoint(endpoint)
    if (!r) return undefined
    const now = this.now()
    r.lastSeen = now
    this.#requests.pump(endpoint)
    return this.registrations.byEndpoint(endpoint)
  }

  // ---- Device Management and Information Reporting (downlink) --------------------------------

  /** `prefix` addresses an end device behind an Object 25 gateway ("/dev1/3/0", Gw-Enab-01). */
  async read(endpoint: string, path: Path, accept?: ContentFormat, prefix?: string, o: RequestOptions = {}): Promise<OperationResult> {
    const first = await this.operate(endpoint, 'Read', path, { method: 'GET', path: routed(path, prefix), ...(accept !== undefined ? { accept } : {}) }, o)
    // Left to choose, some clients fail in their own default format (Wakaama built without TLV
    // answers 5.00). A Read is safe to repeat: ask once more in a format it announced.
    if (accept !== undefined || (first.code !== INTERNAL_SERVER_ERROR && first.code !== NOT_ACCEPTABLE)) return first
    const r = this.registrations.byEndpoint(endpoint)
    const announced = r ? announcedFormat(r) : undefined
    if (announced === undefined) return first
    const second = await this.operate(endpoint, 'Read', path, { method: 'GET', path: routed(path, prefix), accept: announced }, withoutId(o))
    const label = formatPath(path)
    return withNotes({ ...second, steps: [stepOf('Read', label, first), stepOf('Read', `${label} (Accept ${announced})`, second)] }, [
      `Left to choose its format, the device answered ${first.codeText}; asked again for ${formatName(announced) ?? announced} (${announced}), ${r?.contentFormats.length ? 'a format it announced in its registration (ct=)' : 'the format every LwM2M 1.0 client has'}.`
    ])
  }

  async discover(endpoint: string, path: Path, depth?: number, prefix?: string, o: RequestOptions = {}): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const query = depth === undefined ? [] : [`depth=${depth}`]
    const result = await this.operate(endpoint, 'Discover', path, { method: 'GET', path: routed(path, prefix), query, accept: CF.LINK }, o)
    if (depth === undefined || is12(r)) return result
    // Sent as asked, never dropped: but a client below 1.2 may ignore or refuse it.
    return withNotes(result, [
      `depth is a LwM2M 1.2 parameter (C §6.3.3); this ${r.lwm2mVersion} client may ignore it and answer at its default depth, or refuse the request`
    ])
  }

  write(endpoint: string, path: Path, records: readonly Lwm2mRecord[], opts: RequestOptions & { format?: ContentFormat; partial?: boolean; prefix?: string } = {}): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const format = opts.format ?? this.hierarchicalFormat(r, path, records)
    const payload = encodePayload(format, records, { path, models: this.modelsFor(r) })
    return this.operate(
      endpoint,
      opts.partial ? 'Write (partial update)' : 'Write',
      path,
      { method: opts.partial ? 'POST' : 'PUT', path: routed(path, opts.prefix), contentFormat: format, payload },
      opts
    )
  }

  /** Read-Composite (C §6.3.2): FETCH / with the paths as a SenML(-ETCH) Fetch Pack. */
  readComposite(endpoint: string, paths: readonly Path[], accept?: ContentFormat, o: RequestOptions = {}): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const body = this.compositeBody(r, paths)
    return this.operate(endpoint, 'Read-Composite', [], { method: 'FETCH', path: [], ...body, accept: accept ?? this.compositeAccept(r) }, o, paths.map(formatPath).join(' '))
  }

  /** Write-Composite (C §6.3.4): iPATCH / with the records; atomic on the device. */
  writeComposite(endpoint: string, records: readonly Lwm2mRecord[], format?: ContentFormat, o: RequestOptions = {}): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const cf = format ?? this.compositeAccept(r)
    const payload = encodePayload(cf, records, { path: [], models: this.modelsFor(r) })
    return this.operate(endpoint, 'Write-Composite', [], { method: 'IPATCH', path: [], contentFormat: cf, payload }, o, records.map((x) => formatPath(x.path)).join(' '))
  }

  writeAttributes(endpoint: string, path: Path, query: string, o: RequestOptions & { prefix?: string } = {}): Promise<OperationResult> {
    const q = query.replace(/^\?/, '')
    return this.operate(endpoint, 'Write-Attributes', path, { method: 'PUT', path: routed(path, o.prefix), query: q ? q.split('&') : [] }, o)
  }

  execute(endpoint: string, path: Path, args?: string, prefix?: string, o: RequestOptions = {}): Promise<OperationResult> {
    if (path.length !== 3) throw new OperationError('device.invalid_request', 'Execute targets a resource /O/I/R (C §6.3.5)')
    return this.operate(
      endpoint,
      'Execute',
      path,
      { method: 'POST', path: routed(path, prefix), ...(args ? { contentFormat: CF.TEXT, payload: new TextEncoder().encode(args) } : {}) },
      o
    )
  }

  /** Create at /O (DMSE-02: any subset of resources; instance id optional). */
  create(endpoint: string, path: Path, records: readonly Lwm2mRecord[], format?: ContentFormat, o: RequestOptions = {}): Promise<OperationResult> {
    if (path.length !== 1) throw new OperationError('device.invalid_request', 'Create targets an object /O (C §6.3.7)')
    const r = this.requireRegistration(endpoint)
    const cf = format ?? this.hierarchicalFormat(r, path, records)
    const payload = encodePayload(cf, records, { path, models: this.modelsFor(r) })
    return this.operate(endpoint, 'Create', path, { method: 'POST', path: segments(path), contentFormat: cf, payload }, o)
  }

  delete(endpoint: string, path: Path, prefix?: string, o: RequestOptions = {}): Promise<OperationResult> {
    return this.operate(endpoint, 'Delete', path, { method: 'DELETE', path: routed(path, prefix) }, o)
  }

  /**
   * Observe (C §6.4.1) with observation attributes (INFO-01, INFO-03). They go in the request's
   * query for 1.2 clients; a 1.0/1.1 client does not know that and would silently ignore them, so
   * they are attached with Write-Attributes first (a step of its own, which outlives the observation).
   */
  async observe(endpoint: string, path: Path, attributes = '', o: ObserveOptions = {}): Promise<{ observationId: string | null; result: OperationResult }> {
    const r = this.requireRegistration(endpoint)
    const attrs = attributes.replace(/^\?/, '')
    const route = this.attributesFirst(r, [path], attrs, o)
    const pre = await route.run()
    if (pre.refused) return { observationId: null, result: pre.refused }
    const req: DownlinkRequest = { method: 'GET', path: [...altSegments(r), ...routed(path, o.prefix)], query: route.query, observe: 0, ...(o.accept ? { accept: o.accept } : {}) }
    const res = await this.observeWith(r, [path], attrs, req, 'Observe', o, pre.attached)
    return finishObserve(res, pre.steps, pre.notes, route.query.length > 0, formatPath(path))
  }

  /** Observe-Composite (C §6.4.3, INFO-02): FETCH / with Observe=0, the paths and the attributes. */
  async observeComposite(endpoint: string, paths: readonly Path[], attributes = '', o: ObserveOptions = {}): Promise<{ observationId: string | null; result: OperationResult }> {
    const r = this.requireRegistration(endpoint)
    const attrs = attributes.replace(/^\?/, '')
    const route = this.attributesFirst(r, paths, attrs, o)
    const pre = await route.run()
    if (pre.refused) return { observationId: null, result: pre.refused }
    const req: DownlinkRequest = { method: 'FETCH', path: [...altSegments(r)], query: route.query, observe: 0, ...this.compositeBody(r, paths), accept: o.accept ?? this.compositeAccept(r) }
    const res = await this.observeWith(r, paths, attrs, req, 'Observe-Composite', o, pre.attached)
    return finishObserve(res, pre.steps, pre.notes, route.query.length > 0, paths.map(formatPath).join(' '))
  }

  /**
   * How observation attributes reach the device: in the Observe query (1.2), or attached first with
   * one Write-Attributes per path (below 1.2, or when asked). `run` sends those and stops at the first refusal.
   */
  private attributesFirst(r: Registration, paths: readonly Path[], attrs: string, o: ObserveOptions) {
    const route = o.attributesRoute ?? (is12(r) ? 'query' : 'write-attributes')
    const viaWrite = attrs !== '' && route === 'write-attributes'
    return {
      query: attrs && route === 'query' ? attrs.split('&') : [],
      run: async (): Promise<{ steps: OperationStep[]; notes: string[]; attached: ObservationRecord['attached']; refused?: OperationResult }> => {
        const steps: OperationStep[] = []
        if (!viaWrite) return { steps, notes: [], attached: null }
        for (const p of paths) {
          const wa = await this.writeAttributes(r.endpoint, p, attrs, withoutId(o))
          steps.push(stepOf('Write-Attributes', formatPath(p), wa))
          if (wa.code >> 5 !== 2)
            return { steps, notes: [], attached: null, refused: { ...wa, steps, notes: [`Write-Attributes ${formatPath(p)}?${attrs} was refused, so no observation was started`] } }
        }
        return {
          steps,
          notes: [attachedNote(r, paths, attrs, route === o.attributesRoute)],
          attached: { paths, names: attributeNames(attrs), query: attrs, ...(o.prefix ? { prefix: o.prefix } : {}) }
        }
      }
    }
  }

  private async observeWith(
    r: Registration,
    paths: readonly Path[],
    attributes: string,
    req: DownlinkRequest,
    operation: string,
    o: RequestOptions,
    attached: ObservationRecord['attached']
  ): Promise<{ observationId: string | null; result: OperationResult }> {
    const endpoint = r.endpoint
    const observationId = `obs-${this.newId()}`
    let handle: { first: DownlinkResponse; cancel: (how: 'get' | 'rst') => Promise<void> } | null = null
    const decodeAt: Path = operation === 'Observe' ? (paths[0] as Path) : []
    const result = await this.request(r, operation, decodeAt, o, paths.map(formatPath).join(' '), async (ctl) => {
      handle = await this.opts.link.observe(
        this.peerOf(endpoint),
        req,
        (n) => {
          this.deviceSeen(endpoint)
          const reg = this.registrations.byEndpoint(endpoint)
          if (!reg) return
          const decoded = this.decodeResult(reg, n, decodeAt, operation, req.accept)
          this.observationTable.notified(observationId, decoded)
          this.emit({ type: 'notification', endpoint, observationId, result: decoded })
        },
        (reason) => this.endObservation(observationId, reason),
        ctl
      )
      return handle.first
    }, req.accept)
    const h = handle as { first: DownlinkResponse; cancel: (how: 'get' | 'rst') => Promise<void> } | null
    if (h && result.code >> 5 === 2 && h.first.observe !== null && this.registrations.byEndpoint(endpoint)?.id === r.id) {
      this.observationTable.add({
        id: observationId,
        endpoint,
        operation,
        paths: paths.map(formatPath),
        attributes,
        since: this.now(),
        lastNotificationAt: null,
        lastResult: result,
        notifications: 0,
        attached,
        cancel: h.cancel
      })
      this.note(endpoint, { kind: 'observation-started', text: `${operation} ${paths.map(formatPath).join(' ')}${attributes ? '?' + attributes : ''} started (${observationId})`, operation, path: paths.map(formatPath).join(' ') })
      return { observationId, result }
    }
    // RFC 7641 §3.1/§4.1: a success without Observe is the current value, not an observation.
    if (h && result.code >> 5 === 2 && h.first.observe === null)
      return {
        observationId: null,
        result: withNotes(result, [`The device answered ${result.codeText} without an Observe option: this is the current value, but it did not start an observation (RFC 7641 §4.1), so no notifications will come. It may not support observing this path.`])
      }
    return { observationId: null, result }
  }

  /**
   * Ends an observation (RFC 7641 §3.6: 'get' deregisters, 'rst' forgets it). With
   * `clearAttributes`, attributes this tool attached with Write-Attributes for it are removed again.
   */
  async cancelObservation(observationId: string, how: 'get' | 'rst' = 'get', clearAttributes = false): Promise<{ cleared: OperationResult[] }> {
    const o = this.observationTable.get(observationId)
    if (!o) throw new OperationError('device.invalid_request', `no observation ${observationId}`)
    this.endObservation(observationId, 'cancelled')
    await o.cancel(how)
    const cleared: OperationResult[] = []
    if (clearAttributes && o.attached && this.registrations.byEndpoint(o.endpoint)) {
      // C §5.1.2: an attribute named without a value is removed.
      for (const p of o.attached.paths)
        cleared.push(await this.writeAttributes(o.endpoint, p, o.attached.names.join('&'), o.attached.prefix ? { prefix: o.attached.prefix } : {}))
    }
    return { cleared }
  }

  observations(endpoint?: string): string[] {
    return this.observationTable.list(endpoint).map((o) => o.id)
  }

  /** Live requests of a device: queued, sent, acknowledged. */
  queue(endpoint: string): QueuedRequest[] {
    return this.#requests.list(endpoint)
  }

  queuedCount(endpoint: string): number {
    return this.#requests.queuedCount(endpoint)
  }

  /** Ends a queued or in-flight request; one already sent may still take effect. */
  cancel(endpoint: string, requestId: string): CancelOutcome {
    return this.#requests.cancel(endpoint, requestId)
  }

  isAwake(r: Registration): boolean {
    return !r.queueMode || this.now() - r.lastSeen < (this.opts.awakeMs?.() ?? DEFAULT_AWAKE_MS)
  }

  close(): void {
    this.#expiry.close()
    this.#requests.close()
  }

  // ---- internals -------------------------------------------------------------------------------

  private operate(endpoint: string, operation: string, path: Path, req: DownlinkRequest, o: RequestOptions, label?: string): Promise<OperationResult> {
    const r = this.requireRegistration(endpoint)
    const routedReq = r.alternatePath ? { ...req, path: [...altSegments(r), ...req.path] } : req
    return this.request(r, operation, path, o, label ?? formatPath(path), (ctl) => this.opts.link.send(this.peerOf(endpoint), routedReq, ctl), req.accept)
  }

  /** One request through the device's pipeline, decoded at `decodeAt`. */
  private async request(
    r: Registration,
    operation: string,
    decodeAt: Path,
    o: RequestOptions,
    label: string,
    send: Parameters<RequestPipeline['submit']>[2],
    accept: ContentFormat | undefined
  ): Promise<OperationResult> {
    const timeoutMs = o.timeoutMs ?? this.opts.requestTimeoutMs?.() ?? DEFAULT_REQUEST_TIMEOUT_MS
    const { response, info } = await this.#requests.submit(r.endpoint, { id: o.requestId ?? this.newId(), operation, path: label, timeoutMs }, send)
    const reg = this.deviceSeen(r.endpoint) ?? r
    return this.decodeResult(reg, response, decodeAt, operation, accept, info.id, this.now() - (info.sentAt ?? info.enqueuedAt))
  }

  private requestDone(endpoint: string, info: RequestInfo, outcome: { response: DownlinkResponse } | { error: unknown }): void {
    const durationMs = Math.round(this.now() - (info.sentAt ?? info.enqueuedAt))
    if ('response' in outcome) {
      const code = outcome.response.code
      this.timeline.appendAnswered(endpoint, this.now(), { requestId: info.id, operation: info.operation, path: info.path, code: codeText(code), meaning: shortMeaning(code), durationMs })
      return
    }
    const base = { requestId: info.id, operation: info.operation, path: info.path, durationMs }
    const e = outcome.error
    const cancelled = e instanceof RequestError && e.code === 'device.request_cancelled'
    this.note(endpoint, {
      kind: cancelled ? 'cancelled' : 'request',
      text: `${info.operation} ${info.path}: ${e instanceof Error ? e.message : String(e)}`,
      ...base
    })
  }

  private decodeResult(r: Registration, res: DownlinkResponse, path: Path, operation: string, accept: number | undefined, requestId?: string, durationMs?: number): OperationResult {
    // A single resource's value without a Content-Format is most likely plain text; it is read
    // so, and the answer says that it was a guess.
    const guessed = res.contentFormat === null && res.payload.length > 0 && path.length >= 3 && isUtf8(res.payload) ? CF.TEXT : null
    const cf = res.contentFormat ?? guessed
    const found =
      res.payload.length === 0 || cf === null
        ? { records: [], violations: [], violationsTotal: 0 }
        : decodePayload(cf, res.payload, { path, models: this.modelsFor(r) })
    const problems = answerProblems(operation, accept, res, guessed, path)
    const decoded = problems.length ? { records: found.records, violations: [...problems, ...found.violations], violationsTotal: found.violationsTotal + problems.length } : found
    // Built in one go, keys in the order they always had: this runs once per answer.
    const code = res.code
    const at = this.now()
    const result: { -readonly [K in keyof OperationResult]: OperationResult[K] } = res.locationPath.length
      ? { code, codeText: codeText(code), meaning: codeMeaning(code), contentFormat: res.contentFormat, payload: res.payload, at, locationPath: res.locationPath, records: decoded.records, violations: decoded.violations, violationsTotal: decoded.violationsTotal }
      : { code, codeText: codeText(code), meaning: codeMeaning(code), contentFormat: res.contentFormat, payload: res.payload, at, records: decoded.records, violations: decoded.violations, violationsTotal: decoded.violationsTotal }
    if (requestId !== undefined) result.requestId = requestId
    if (durationMs !== undefined) result.durationMs = durationMs
    return result
  }

  /** Models at the object versions this device announced (RD-01, `ver=`). */
  modelsFor(r: Registration): ModelLookup {
    // The version is looked up when a model is asked for: most answers ask for one or none.
    const announced = (id: number): string | undefined => {
      let v: string | undefined
      for (const o of r.objects) if (o.objectId === id && o.version) v = o.version
      return v
    }
    return { get: (id: number, version?: string): ObjectModel | undefined => this.opts.models.get(id, version ?? announced(id)) }
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
    const cf = is12(r) ? (cbor ? CF.SENML_ETCH_CBOR : CF.SENML_ETCH_JSON) : cbor ? CF.SENML_CBOR : CF.SENML_JSON
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
    return this.registrations.byPeer(peer.key)
  }

  private endObservation(id: string, reason: string): void {
    const o = this.observationTable.remove(id)
    if (!o) return
    this.note(o.endpoint, { kind: 'observation-ended', text: `${o.operation} ${o.paths.join(' ')} ended: ${reason} (${o.notifications} notification(s))`, path: o.paths.join(' ') })
    this.emit({ type: 'observationEnded', endpoint: o.endpoint, observationId: id, reason })
  }

  private endRegistration(r: Registration, reason: 'de-register' | 'expired' | 'replaced'): void {
    this.#expiry.delete(r.id)
    // Observations die with their registration (C §6.2: re-created after every Register).
    for (const o of this.observationTable.list(r.endpoint)) {
      void o.cancel('rst').catch(() => undefined)
      this.endObservation(o.id, `registration ${reason}`)
    }
    if (reason !== 'replaced') {
      this.#requests.dropAll(r.endpoint, `the device's registration ended (${reason})`)
      const now = this.now()
      this.note(r.endpoint, {
        kind: reason === 'expired' ? 'expired' : 'deregistered',
        text: reason === 'expired' ? `registration expired: no Update within the lifetime of ${r.lifetime} s` : 'de-registered',
        registrationId: r.id
      })
      this.timeline.ended(r, now, reason)
    }
    this.emit({ type: 'deregistered', registration: r, reason })
  }

  private note(endpoint: string, entry: Omit<TimelineEntry, 'seq' | 'at'>): void {
    this.timeline.append(endpoint, this.now(), entry)
  }

  private now(): number {
    return this.opts.scheduler.now()
  }

  private newId(): string {
    // 32 random bits as 8 hex digits, then a counter: unique, and not guessable from the last one.
    return (Math.floor(this.opts.random.next() * 0x100000000) + 0x100000000).toString(16).slice(1) + (this.#seq++).toString(16)
  }

  private emit(e: ServerEvent): void {
    try {
      this.opts.onEvent?.(e)
    } catch {
      // A listener's bug must not break the protocol role.
    }
  }
}

/** The same request options for a helper step, which gets an id of its own. */
function withoutId(o: ObserveOptions): RequestOptions & { prefix?: string } {
  return { ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.prefix ? { prefix: o.prefix } : {}) }
}

/** The format to ask a device for when its own choice failed: the best one it announced (`ct=`), TLV for a 1.0 client that announced none. */
function announcedFormat(r: Registration): ContentFormat | undefined {
  for (const cf of [CF.SENML_CBOR, CF.LWM2M_CBOR, CF.SENML_JSON, CF.TLV, CF.LWM2M_JSON]) if (r.contentFormats.includes(cf)) return cf
  return r.lwm2mVersion === '1.0' ? CF.TLV : undefined
}

function is12(r: Registration): boolean {
  return r.lwm2mVersion.startsWith('1.2')
}

function attributeNames(query: string): string[] {
  return [...new Set(query.split('&').map((kv) => kv.split('=')[0] as string).filter(Boolean))]
}

function attachedNote(r: Registration, paths: readonly Path[], attrs: string, chosen: boolean): string {
  const where = paths.map(formatPath).join(', ')
  return (
    (chosen ? `Attached ${attrs} with Write-Attributes first, as asked. ` : `Attached ${attrs} with Write-Attributes first: this LwM2M ${r.lwm2mVersion} client does not take attributes in the Observe request (a 1.2 feature, C §6.4.1) and would ignore them. `) +
    `These attributes stay on the device after the observation ends and apply to every observation of ${where}; cancel with clearAttributes to remove them.`
  )
}

function stepOf(operation: string, path: string, r: OperationResult): OperationStep {
  return { operation, path, code: r.code, codeText: r.codeText, meaning: r.meaning }
}

/** Whether `path` lies in an object or instance the registration lists (an object link covers all its instances). */
function registers(r: Registration, path: Path): boolean {
  const [objectId, instanceId] = path
  let objectListed = false
  let instancesListed = false
  for (const o of r.objects) {
    if (o.objectId !== objectId) continue
    if (o.instanceId === null) objectListed = true
    else {
      instancesListed = true
      if (instanceId === undefined || o.instanceId === instanceId) return true
    }
  }
  // Only the object listed: any instance of it. Instances listed: one of them (checked above).
  return objectListed && (!instancesListed || instanceId === undefined)
}

/** The first few problems of an object list, for a diagnostic payload or a timeline line. */
function listProblems(v: readonly Violation[]): string {
  const shown = v.slice(0, 3).map((x) => x.message)
  return shown.join('; ') + (v.length > 3 ? `; and ${v.length - 3} more` : '')
}

function withNotes(r: OperationResult, notes: readonly string[]): OperationResult {
  return notes.length ? { ...r, notes: [...(r.notes ?? []), ...notes] } : r
}

function finishObserve(
  res: { observationId: string | null; result: OperationResult },
  steps: OperationStep[],
  notes: string[],
  attributesInQuery: boolean,
  label: string
): { observationId: string | null; result: OperationResult } {
  const r = res.result
  let result: OperationResult = steps.length ? { ...r, steps: [...steps, stepOf('Observe', label, r)] } : r
  if (attributesInQuery && (r.codeText === '4.02' || r.codeText === '4.00')) {
    notes.push(
      `The device refused the Observe with attributes in its query (${r.codeText}). Observation attributes in the request are a LwM2M 1.2 feature a client may lack (C §6.4.1); ` +
        'the Write-Attributes route (attributesRoute "write-attributes") attaches them to the resource first and then observes without them.'
    )
    result = { ...result, suggestion: 'write-attributes-route' }
  }
  return { observationId: res.observationId, result: withNotes(result, notes) }
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

const utf8 = new TextEncoder()

function text(s: string): Uint8Array {
  return utf8.encode(s)
}

const SHORT_MEANINGS = new Map<number, string>()

/** The meaning up to its first colon, for one-line timeline entries (cached: one per request). */
function shortMeaning(code: number): string {
  let m = SHORT_MEANINGS.get(code)
  if (m === undefined) {
    m = codeMeaning(code).split(':')[0] as string
    if (SHORT_MEANINGS.size < 512) SHORT_MEANINGS.set(code, m)
  }
  return m
}
