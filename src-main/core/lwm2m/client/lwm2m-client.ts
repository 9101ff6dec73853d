// SPDX-License-Identifier: Apache-2.0
// One simulated LwM2M client over a CoAP endpoint (issue 14): the object tree from its profile,
// bootstrap from smartcard data, factory data or a Bootstrap-Server (Pack first on 1.2, then
// Bootstrap-Request, Opt-01), the registration procedure, Device Management with access control,
// Information Reporting, queue mode, firmware update and the profile's refusals and faults.
import { CoapEndpoint, type IncomingRequest, type ObserveAcceptance, type OutgoingResponse } from '../../coap/endpoint'
import { formatCode, Method as M, Option, Response, type CoapOption, type MessageCodec } from '../../coap/message'
import { accept as acceptOf, contentFormat as contentFormatOf, decodeString, getOptions, observe as observeOf, pathOptions, queryOptions, uintOption, uintOptionOf, uriPath, uriQuery } from '../../coap/options'
import type { TransmissionParameters } from '../../coap/transmission'
import type { DatagramLink, PeerAddress, Random, Scheduler } from '../../ports'
import type { NotificationAttributes } from '../attributes'
import { parseAttributeQuery } from '../attributes'
import { CF, type ContentFormat } from '../content-format'
import { decodePayload, encodePayload } from '../formats/all'
import type { ModelLookup } from '../model'
import { formatPath, parsePath, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import type { Method } from '../server/messages'
import type { Value } from '../value'
import { AttributeStore } from './attribute-store'
import { applyPack, bootstrapAccount, bootstrapWriteRecords, handleBootstrap, serverAccounts, type ServerAccount } from './bootstrap-interface'
import { Code, fail, parseCode, type ClientRequest, type ClientResponse } from './client-request'
import { handleDm, requestedPaths, type DmContext, type LwM2MVersion } from './device-management'
import { DeviceLink } from './device-link'
import type { SensorPlan } from './device-plan'
import { FirmwareUpdate } from './firmware-update'
import { generatedValue, generatorValue } from './generators'
import { ObjectTree } from './object-tree'
import type { Fault, Profile, ProfileOperation } from './profile'
import { RegistrationProcedure, type ServerStatus, type UplinkResult, type UplinkSpec } from './registration'
import { Reporting, type Observation } from './reporting'

export type ClientState = 'starting' | 'bootstrapping' | 'registering' | 'registered' | 'sleeping' | 'failed' | 'stopped'

export type ClientEvent =
  | { readonly type: 'state'; readonly state: ClientState; readonly detail: string | null }
  | { readonly type: 'server'; readonly status: ServerStatus }
  | { readonly type: 'request'; readonly from: string; readonly operation: string; readonly path: string; readonly code: number }
  | { readonly type: 'bootstrapped'; readonly source: 'card' | 'factory' | 'pack' | 'request' }

export interface Lwm2mClientOptions {
  readonly endpoint: string
  readonly link: DatagramLink
  readonly codec: MessageCodec
  readonly scheduler: Scheduler
  readonly random: Random
  /** Wall-clock Unix seconds (Current Time, stored notifications). */
  readonly wallClock: () => number
  readonly models: ModelLookup
  /** Where a Security object URI leads ("coap://127.0.0.1:5683" → a peer); null if nowhere. */
  readonly peerFor: (uri: string) => PeerAddress | null
  readonly version: LwM2MVersion
  readonly preferredFormat: ContentFormat
  /** Queue mode: sleep after this many seconds without traffic. */
  readonly queue: { readonly awakeSeconds: number } | null
  /** The object tree to start from (profile values already typed), besides /0 and /1. */
  readonly objects: ReadonlyArray<{ readonly id: number; readonly version: string | null; readonly instances: ReadonlyArray<{ readonly id: number; readonly data: Map<number, Value | Map<number, Value>> }> }>
  /** Factory bootstrap: /0, /1 (and /2) records preloaded. */
  readonly factory: readonly Lwm2mRecord[]
  /** Smartcard bootstrap data (EF LwM2M_Bootstrap decoded), applied first (C §6.1.4). */
  readonly card?: readonly Lwm2mRecord[]
  readonly profileId?: string
  /** Try Bootstrap-Pack-Request first (1.2 only; default true). */
  readonly usePack?: boolean
  readonly refusals?: Profile['refuse']
  readonly faults?: readonly Fault[]
  readonly coapParams?: Partial<TransmissionParameters>
  readonly onEvent?: (e: ClientEvent) => void
  /** How long firmware Updating takes (ms). */
  readonly firmwareUpdateMs?: number
  /** Resources whose values change by themselves (a profile's generators). */
  readonly sensors?: readonly SensorPlan[]
}

/** A bootstrap that sees no Finish within EXCHANGE_LIFETIME has failed (facts §3.1). */
const BOOTSTRAP_TIMEOUT_MS = 247_000
const utf8 = new TextEncoder()
const NO_BYTES = new Uint8Array(0)
const METHODS: Record<number, Method> = { [M.GET]: 'GET', [M.POST]: 'POST', [M.PUT]: 'PUT', [M.DELETE]: 'DELETE', [M.FETCH]: 'FETCH', [M.IPATCH]: 'IPATCH' }

export class Lwm2mClient {
  readonly tree: ObjectTree
  readonly link: DeviceLink
  readonly endpoint: CoapEndpoint
  private readonly attributes = new AttributeStore()
  private readonly reporting: Reporting
  private readonly firmware: FirmwareUpdate
  private registration: RegistrationProcedure | null = null
  private _state: ClientState = 'starting'
  private detail: string | null = null
  private bootstrapDone: (() => void) | null = null
  private bootstrapTimer: (() => void) | null = null
  private sleepTimer: (() => void) | null = null
  private asleep = false
  private faults: Fault[]
  private stopped = false
  private bootstrapAttempts = 0
  private readonly sensorTimers: Array<() => void> = []
  private readonly startedAt: number
  private readonly epochAtStart: number
  /** Gateway end devices by prefix (/25/x/1), each with its own tree. */
  readonly endDevices = new Map<string, ObjectTree>()

  constructor(private readonly o: Lwm2mClientOptions) {
    this.faults = [...(o.faults ?? [])]
    this.tree = new ObjectTree(o.models)
    this.link = new DeviceLink(o.link, o.scheduler, o.random, () => this.touch())
    this.link.faults = this.faults
    this.endpoint = new CoapEndpoint({ link: this.link, codec: o.codec, scheduler: o.scheduler, random: o.random, ...(o.coapParams ? { params: o.coapParams } : {}) })
    this.endpoint.onRequest((req) => this.serve(req))
    this.reporting = new Reporting({
      scheduler: o.scheduler,
      wallClock: o.wallClock,
      context: (ssid) => this.context(ssid, this.tree),
      awake: () => !this.asleep,
      storing: (ssid) => this.serverBool(ssid, 6) ?? false,
      defaultConfirmable: (ssid) => this.serverInt(ssid, 26) === 1,
      defaultPeriods: (ssid) => ({ pmin: this.serverInt(ssid, 2), pmax: this.serverInt(ssid, 3) }),
      onPending: () => this.wake()
    })
    this.firmware = new FirmwareUpdate({
      tree: this.tree,
      scheduler: o.scheduler,
      fetch: (uri) => this.fetch(uri),
      onUpdated: () => void this.registration?.update(),
      ...(o.firmwareUpdateMs !== undefined ? { updateMs: o.firmwareUpdateMs } : {})
    })
    for (const obj of o.objects) {
      this.tree.addObject(obj.id, obj.version)
      for (const inst of obj.instances) this.tree.putInstance(obj.id, inst.id, inst.data)
    }
    this.tree.addObject(0)
    this.tree.addObject(1)
    this.tree.onChange = (path) => this.changed(path)
    this.startedAt = o.scheduler.now()
    this.epochAtStart = o.wallClock()
  }

  /** Each sensor recomputes its value every intervalSeconds, as the device would measure it. */
  private startSensors(): void {
    for (const [k, s] of (this.o.sensors ?? []).entries()) {
      let previous: number | boolean | null = null
      const tick = (): void => {
        if (this.stopped) return
        const t = (this.o.scheduler.now() - this.startedAt) / 1000
        const raw = generatorValue(s.generator, t, previous, () => this.o.random.next(), this.epochAtStart)
        previous = raw
        const v = generatedValue(s.type, raw)
        const [o, i, r] = s.path
        if (v && this.tree.hasInstance(o, i)) {
          const old = this.tree.value(o, i, r)
          if (!old || old.value !== v.value) this.tree.set([o, i, r], v)
        }
        this.sensorTimers[k] = this.o.scheduler.schedule(s.intervalSeconds * 1000, tick)
      }
      this.sensorTimers[k] = this.o.scheduler.schedule(s.intervalSeconds * 1000, tick)
    }
  }

  get state(): ClientState {
    return this._state
  }

  get stateDetail(): string | null {
    return this.detail
  }

  get endpointName(): string {
    return this.o.endpoint
  }

  servers(): ServerStatus[] {
    return this.registration?.status() ?? []
  }

  observations(): readonly Observation[] {
    return this.reporting.list()
  }

  private setState(state: ClientState, detail: string | null = null): void {
    if (this._state === state && this.detail === detail) return
    this._state = state
    this.detail = detail
    this.o.onEvent?.({ type: 'state', state, detail })
  }

  /** Starts: smartcard data, then factory data, then register — or bootstrap when that is all there is (C §6.1.4). */
  start(): void {
    this.startSensors()
    if (this.o.card && this.o.card.length > 0) {
      bootstrapWriteRecords(this.tree, this.o.card)
      this.o.onEvent?.({ type: 'bootstrapped', source: 'card' })
    }
    if (this.o.factory.length > 0) {
      bootstrapWriteRecords(this.tree, this.o.factory)
      if (serverAccounts(this.tree).length > 0) this.o.onEvent?.({ type: 'bootstrapped', source: 'factory' })
    }
    if (serverAccounts(this.tree).length > 0) this.register()
    else if (bootstrapAccount(this.tree) !== null) this.bootstrap()
    else this.setState('failed', 'no LwM2M Server or Bootstrap-Server account')
  }

  private register(): void {
    this.registration?.reset()
    this.setState('registering')
    this.registration = new RegistrationProcedure({
      tree: this.tree,
      scheduler: this.o.scheduler,
      port: { send: (a, req) => this.uplink(a, req) },
      endpoint: this.o.endpoint,
      version: this.o.version,
      queue: this.o.queue !== null,
      preferredFormat: this.o.version === '1.0' ? null : this.o.preferredFormat,
      ...(this.o.profileId !== undefined ? { profileId: this.o.profileId } : {}),
      onStatus: (status) => {
        this.o.onEvent?.({ type: 'server', status })
        if (status.state === 'registered' && !this.asleep) this.setState('registered')
        if (status.state === 'registered' && status.lastUpdateAt === status.registeredAt) {
          // A fresh registration voids the server's observations (C §6.2.1).
          this.reporting.stopServer(status.ssid)
        }
        if (status.state === 'failed' && !this.registration?.registered) this.setState('failed', status.lastError)
      },
      onBootstrapNeeded: () => {
        if (bootstrapAccount(this.tree) !== null) this.bootstrap()
      },
      onTraffic: () => this.touch()
    })
    this.registration.start()
  }

  /** Client-initiated bootstrap: Bootstrap-Pack-Request first on 1.2, then Bootstrap-Request. */
  bootstrap(): void {
    if (this.stopped || this._state === 'bootstrapping') return
    const bs = bootstrapAccount(this.tree)
    const uri = bs === null ? undefined : this.tree.value(0, bs, 0)
    const peer = uri?.type === 'string' ? this.o.peerFor(uri.value) : null
    if (bs === null || peer === null) {
      this.setState('failed', 'no reachable Bootstrap-Server account')
      return
    }
    this.registration?.reset()
    this.registration = null
    this.reporting.stopAll()
    this.setState('bootstrapping')
    this.bootstrapAttempts++
    const holdOff = this.bootstrapAttempts === 1 ? Number(this.tree.value(0, bs, 11)?.value ?? 0) : 0
    const run = (): void => void this.runBootstrap(peer)
    if (holdOff > 0) this.o.scheduler.schedule(holdOff * 1000, run)
    else run()
  }

  private async runBootstrap(peer: PeerAddress): Promise<void> {
    const ep = `ep=${this.o.endpoint}`
    if (this.o.version === '1.2' && this.o.usePack !== false) {
      try {
        const r = await this.endpoint.request(peer, { code: M.GET, options: [...pathOptions(['bspack']), ...queryOptions([ep]), uintOptionOf(Option.ACCEPT, CF.SENML_CBOR)] })
        if (this.stopped) return
        if (r.code === Response.CONTENT) {
          const cf = uintOption(r, Option.CONTENT_FORMAT) ?? CF.SENML_CBOR
          const decoded = decodePayload(cf, r.payload, { models: this.o.models })
          const problem = decoded.violations.length > 0 ? decoded.violations[0]?.message ?? 'bad Pack' : applyPack(this.tree, decoded.records)
          if (problem === null) {
            this.o.onEvent?.({ type: 'bootstrapped', source: 'pack' })
            this.register()
            return
          }
          this.detail = `Bootstrap-Pack not usable (${problem}); falling back to Bootstrap-Request`
        }
      } catch {
        // No answer to the Pack request: fall back to Bootstrap-Request (Opt-01).
      }
    }
    const query = [ep]
    if (this.o.version !== '1.0') query.push(`pct=${this.o.preferredFormat}`)
    const finished = new Promise<boolean>((resolve) => {
      this.bootstrapDone = () => resolve(true)
      this.bootstrapTimer = this.o.scheduler.schedule(BOOTSTRAP_TIMEOUT_MS, () => resolve(false))
    })
    try {
      const r = await this.endpoint.request(peer, { code: M.POST, options: [...pathOptions(['bs']), ...queryOptions(query)] })
      if (r.code !== Response.CHANGED) throw new Error(`Bootstrap-Request answered ${formatCode(r.code)}`)
    } catch (e) {
      this.bootstrapTimer?.()
      this.bootstrapDone = null
      return this.bootstrapFailed(e instanceof Error ? e.message : String(e))
    }
    const ok = await finished
    this.bootstrapTimer?.()
    this.bootstrapDone = null
    if (this.stopped) return
    if (!ok) return this.bootstrapFailed('no Bootstrap-Finish within EXCHANGE_LIFETIME (247 s)')
    this.o.onEvent?.({ type: 'bootstrapped', source: 'request' })
    this.register()
  }

  private bootstrapFailed(why: string): void {
    if (this.stopped) return
    this.setState('failed', `bootstrap failed: ${why}`)
    // Try again later, backing off (60 s, 120 s, … up to an hour).
    const delay = Math.min(3600, 60 * 2 ** Math.min(6, this.bootstrapAttempts - 1))
    this.o.scheduler.schedule(delay * 1000, () => {
      if (!this.stopped && this._state === 'failed') {
        this._state = 'starting'
        this.bootstrap()
      }
    })
  }

  /** Sends Register/Update/De-register to a server account's URI. */
  private async uplink(a: ServerAccount, req: UplinkSpec): Promise<UplinkResult> {
    const peer = this.o.peerFor(a.uri)
    if (peer === null) throw new Error(`cannot reach ${a.uri}`)
    const options: CoapOption[] = [...pathOptions([...req.path]), ...queryOptions([...req.query])]
    if (req.contentFormat !== undefined) options.push(uintOptionOf(Option.CONTENT_FORMAT, req.contentFormat))
    options.sort((x, y) => x.number - y.number)
    const r = await this.endpoint.request(peer, { code: req.method === 'POST' ? M.POST : M.DELETE, options, ...(req.payload ? { payload: req.payload } : {}) })
    const locationPath = getOptions(r, Option.LOCATION_PATH).map((x) => decodeString(x.value))
    const maxAge = uintOption(r, Option.MAX_AGE)
    return { code: r.code, locationPath, ...(maxAge !== null ? { maxAge } : {}) }
  }

  /** Pulls a firmware package (block-wise GET). */
  private async fetch(uri: string): Promise<Uint8Array> {
    const peer = this.o.peerFor(uri)
    if (peer === null) throw new Error(`cannot reach ${uri}`)
    // scheme://authority/path: the path segments after the authority, percent-decoded.
    const after = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(uri)?.[1] ?? ''
    const path = after.split('/').filter((s) => s !== '').map(decodeURIComponent)
    const r = await this.endpoint.request(peer, { code: M.GET, options: pathOptions(path) })
    if (r.code !== Response.CONTENT) throw new Error(`package GET answered ${r.code}`)
    return r.payload
  }

  // ---- queue mode ------------------------------------------------------------------------

  /** Traffic keeps a queue-mode device awake for awakeSeconds (T §6.5). */
  private touch(): void {
    const q = this.o.queue
    if (q === null || this.stopped) return
    const wasAsleep = this.asleep
    this.asleep = false
    this.link.radioOn = true
    this.sleepTimer?.()
    this.sleepTimer = this.o.scheduler.schedule(q.awakeSeconds * 1000, () => this.sleep())
    if (wasAsleep) {
      if (this.registration?.registered) this.setState('registered')
      // Let the waking Update go first, then what waited.
      this.o.scheduler.schedule(0, () => this.reporting.wake())
    }
  }

  private sleep(): void {
    this.sleepTimer = null
    if (this.stopped || this.o.queue === null) return
    this.asleep = true
    this.link.radioOn = false
    if (this._state === 'registered') this.setState('sleeping')
  }

  /** Something must be said while asleep: wake with an Update (T §6.5). */
  private wake(): void {
    if (!this.asleep || this.stopped) return
    this.touch()
    void this.registration?.update()
  }

  get sleeping(): boolean {
    return this.asleep
  }

  // ---- serving requests ------------------------------------------------------------------

  private serverInstanceOf(ssid: number): number | null {
    for (const i of this.tree.instanceIds(1)) if (Number(this.tree.value(1, i, 0)?.value) === ssid) return i
    return null
  }

  private serverInt(ssid: number, rid: number): number | null {
    const i = this.serverInstanceOf(ssid)
    const v = i === null ? undefined : this.tree.value(1, i, rid)
    return v && (v.type === 'integer' || v.type === 'unsigned') ? Number(v.value) : null
  }

  private serverBool(ssid: number, rid: number): boolean | null {
    const i = this.serverInstanceOf(ssid)
    const v = i === null ? undefined : this.tree.value(1, i, rid)
    return v?.type === 'boolean' ? v.value : null
  }

  private context(ssid: number, tree: ObjectTree): DmContext {
    return {
      tree,
      attributes: this.attributes,
      ssid,
      version: this.o.version,
      preferredFormat: this.o.version === '1.0' ? CF.TLV : this.o.preferredFormat,
      execute: (path, args) => this.execute(ssid, path, args),
      refusal: (op, path) => this.refusal(op, path)
    }
  }

  private refusal(op: ProfileOperation, path: Path): number | null {
    const applies = (p: string): boolean => {
      const parsed = parsePath(p)
      return parsed.ok && parsed.path.every((id, k) => path[k] === id) && path.length >= parsed.path.length
    }
    for (const r of this.o.refusals ?? []) if (r.operation === op && applies(r.path)) return parseCode(r.code)
    for (const f of this.faults) {
      if (f.kind === 'error' && (f.operation === undefined || f.operation === op) && applies(f.path)) return parseCode(f.code)
    }
    return null
  }

  /** Who sent a request: a server's SSID, the Bootstrap-Server, or nobody we know. */
  private roleOf(peer: PeerAddress): { kind: 'server'; ssid: number } | { kind: 'bootstrap' } | null {
    const bs = bootstrapAccount(this.tree)
    const bsUri = bs === null ? undefined : this.tree.value(0, bs, 0)
    if (bsUri?.type === 'string' && this.o.peerFor(bsUri.value)?.key === peer.key && this._state === 'bootstrapping') return { kind: 'bootstrap' }
    const accounts = serverAccounts(this.tree)
    for (const a of accounts) if (this.o.peerFor(a.uri)?.key === peer.key) return { kind: 'server', ssid: a.ssid }
    if (this._state === 'bootstrapping' && bs !== null) return { kind: 'bootstrap' }
    // A server answering from another address of the same host (dual-stack sockets): with one account there is no doubt.
    if (accounts.length === 1) return { kind: 'server', ssid: (accounts[0] as ServerAccount).ssid }
    return null
  }

  private serve(req: IncomingRequest): OutgoingResponse {
    const method = METHODS[req.code]
    const m = { type: 'CON' as const, code: req.code, messageId: 0, token: req.token, options: req.options, payload: req.payload }
    if (!method) return { code: Response.METHOD_NOT_ALLOWED }
    const role = this.roleOf(req.peer)
    if (role === null) return toCoap(fail(Code.UNAUTHORIZED, 'requests are taken from this device\'s servers only'))
    let segments = uriPath(m)
    let tree = this.tree
    if (segments.length > 0 && !/^[0-9]+$/.test(segments[0] as string) && role.kind === 'server') {
      // A gateway end device's prefix (/dev1/3/0, Gateway TS §6).
      const end = this.endDevices.get(segments[0] as string)
      if (!end) return toCoap(fail(Code.NOT_FOUND, `no end device with prefix ${segments[0]}`))
      tree = end
      segments = segments.slice(1)
    }
    if (segments[0] === 'bs' && role.kind === 'bootstrap') segments = []
    const parsed = parsePath('/' + segments.join('/'))
    if (!parsed.ok) return toCoap(fail(Code.NOT_FOUND, parsed.reason))
    const creq: ClientRequest = {
      method,
      path: parsed.path,
      query: uriQuery(m),
      contentFormat: contentFormatOf(m),
      accept: acceptOf(m),
      payload: req.payload,
      observe: observeOf(m)
    }
    let res: ClientResponse
    let observe: ObserveAcceptance | undefined
    if (role.kind === 'bootstrap') {
      res = handleBootstrap(creq, this.context(0, this.tree), () => this.bootstrapDone?.())
    } else {
      const ctx = this.context(role.ssid, tree)
      if (creq.observe === 0 && (method === 'GET' || method === 'FETCH') && creq.accept !== CF.LINK) {
        const r = this.observe(creq, ctx, role.ssid)
        res = r.response
        observe = r.observe
      } else {
        res = handleDm(creq, ctx)
      }
    }
    this.o.onEvent?.({ type: 'request', from: req.peer.display, operation: operationName(creq, role.kind), path: formatPath(creq.path), code: res.code })
    return this.malform(toCoap(res, observe), creq.path)
  }

  private observe(req: ClientRequest, ctx: DmContext, ssid: number): { response: ClientResponse; observe?: ObserveAcceptance } {
    const composite = req.method === 'FETCH'
    let paths: Path[]
    if (composite) {
      const p = requestedPaths(req, ctx)
      if (!Array.isArray(p)) return { response: p }
      paths = p
    } else {
      paths = [req.path]
      if (req.path.length === 0) return { response: fail(Code.METHOD_NOT_ALLOWED, 'Observe needs a path') }
      const refused = ctx.refusal('observe', req.path)
      if (refused !== null) return { response: fail(refused, `this device refuses observe on ${formatPath(req.path)}`) }
      if (req.path[0] === 0 || req.path[0] === 21 || req.path[0] === 23) return { response: fail(Code.UNAUTHORIZED, 'Security objects cannot be observed') }
      if (!ctx.tree.exists(req.path)) return { response: fail(Code.NOT_FOUND, `${formatPath(req.path)} does not exist`) }
    }
    // 1.2: attributes in the Observe request hold for this observation only (INFO-01/02).
    const attrQuery = req.query.filter((q) => !q.startsWith('depth'))
    let queryAttributes: NotificationAttributes = {}
    if (attrQuery.length > 0) {
      const model = composite ? undefined : ctx.tree.model(req.path[0] as number)
      const parsed = parseAttributeQuery(attrQuery.join('&'), { path: composite ? [] : req.path, ...(model ? { model } : {}) })
      if (parsed.violations.length > 0) return { response: fail(Code.BAD_REQUEST, parsed.violations[0]?.message ?? 'bad attributes') }
      queryAttributes = parsed.attributes
    }
    const spec = { ssid, paths, composite, accept: req.accept, queryAttributes }
    const { response, attrs } = this.reporting.first(spec)
    if (response.code !== Code.CONTENT) return { response }
    let obs: Observation | null = null
    const format = response.contentFormat ?? this.o.preferredFormat
    return {
      response,
      observe: {
        onStart: (relation) => {
          obs = this.reporting.start(spec, relation, format, attrs)
        },
        onEnd: () => {
          if (obs) this.reporting.stop(obs)
        }
      }
    }
  }

  /** A `malformed` fault answers with bytes that do not decode in the announced format. */
  private malform(res: OutgoingResponse, path: Path): OutgoingResponse {
    const f = this.faults.find((x) => x.kind === 'malformed')
    if (!f || f.kind !== 'malformed' || !res.payload || res.payload.length === 0) return res
    if (f.path !== undefined) {
      const p = parsePath(f.path)
      if (!p.ok || !p.path.every((id, k) => path[k] === id)) return res
    }
    if (this.o.random.next() >= f.share) return res
    // Truncated, with the last byte flipped: a length or structure that no longer adds up.
    const bytes = res.payload.slice(0, Math.max(1, Math.ceil(res.payload.length / 2)))
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff
    return { ...res, payload: bytes }
  }

  private execute(ssid: number, path: readonly [number, number, number], args: string): ClientResponse | null {
    const [o, i, r] = path
    if (o === 1) {
      const own = Number(this.tree.value(1, i, 0)?.value)
      if (r === 4) {
        void this.registration?.disable(own)
        return null
      }
      if (r === 8) {
        // Registration Update Trigger, optionally with a binding (`0='U'`, facts §7).
        const m = /^0='?([A-Z]+)'?$/.exec(args.trim())
        if (m?.[1]) this.tree.set([1, i, 7], { type: 'string', value: m[1] })
        this.o.scheduler.schedule(0, () => void this.registration?.update(own))
        return null
      }
      if (r === 9) {
        if (bootstrapAccount(this.tree) === null) return fail(Code.METHOD_NOT_ALLOWED, 'no Bootstrap-Server account to bootstrap from')
        this.o.scheduler.schedule(0, () => this.bootstrap())
        return null
      }
    }
    if (o === 3 && i === 0) {
      if (r === 4) {
        // Reboot: answer first, then register anew.
        this.o.scheduler.schedule(100, () => {
          void this.registration?.deregister().then(() => this.register())
        })
        return null
      }
      if (r === 12) {
        this.tree.set([3, 0, 11], new Map([[0, { type: 'integer', value: 0 }]]))
        return null
      }
    }
    if (o === 5 && i === 0) {
      if (r === 2) return this.firmware.execute()
      if (r === 10) return this.firmware.cancel()
    }
    void ssid
    return null
  }

  private changed(path: Path): void {
    this.reporting.changed(path)
    if (path[0] === 5 && path[1] === 0 && path.length === 3) {
      if (path[2] === 0) {
        const v = this.tree.value(5, 0, 0)
        this.firmware.packageWritten(v?.type === 'opaque' ? v.value : NO_BYTES)
      } else if (path[2] === 1) {
        const v = this.tree.value(5, 0, 1)
        this.firmware.uriWritten(v?.type === 'string' ? v.value : '')
      }
    }
    if (path.length <= 2 && this.registration?.registered && path[0] !== 0) {
      // The object list changed: Update with the new one (C §6.2.2).
      this.o.scheduler.schedule(0, () => void this.registration?.update(undefined, { force: false }))
    }
    if (path[0] === 1 && (path[2] === 1 || path[2] === 7)) {
      this.o.scheduler.schedule(0, () => void this.registration?.update(undefined, { force: false }))
    }
  }

  // ---- the simulator's controls ------------------------------------------------------------

  /** Sets a value as the device itself would (a sensor reading, a switch). */
  setValue(path: Path, value: Value): string | null {
    if (path.length < 3) return 'a value goes to a resource or resource instance'
    const [o, i] = path as unknown as [number, number]
    if (!this.tree.hasInstance(o, i)) return `${formatPath([o, i])} does not exist`
    this.tree.set(path as unknown as [number, number, number], value)
    return null
  }

  setFaults(faults: readonly Fault[]): void {
    this.faults = [...faults]
    this.link.faults = this.faults
  }

  get activeFaults(): readonly Fault[] {
    return this.faults
  }

  /** Send (/dp, C §6.4.4): only when Mute Send (/1/x/23) is false. */
  async send(ssid: number, paths: readonly Path[]): Promise<number> {
    if (this.serverBool(ssid, 23) !== false) throw new Error('Send is muted for this server (/1/x/23 is true or absent)')
    const account = serverAccounts(this.tree).find((a) => a.ssid === ssid)
    const peer = account ? this.o.peerFor(account.uri) : null
    if (!peer) throw new Error(`no server ${ssid}`)
    const records = paths.flatMap((p) => this.tree.records(p)).map((r) => ({ ...r, time: this.o.wallClock() }))
    const payload = encodePayload(CF.SENML_CBOR, records, { models: this.o.models })
    const r = await this.endpoint.request(peer, { code: M.POST, options: [...pathOptions(['dp']), uintOptionOf(Option.CONTENT_FORMAT, CF.SENML_CBOR)], payload })
    return r.code
  }

  /** De-registers (when asked) and closes the endpoint. */
  /**
   * De-registers (when asked) and closes the endpoint. Resolves to false when a De-register went
   * unanswered within `deregisterWaitMs` (long enough for one CoAP retransmission).
   */
  async stop(deregister = true, deregisterWaitMs = 8000): Promise<boolean> {
    if (this.stopped) return true
    let answered = true
    if (deregister && this.registration?.registered) {
      const timeout = new Promise<boolean>((resolve) => this.o.scheduler.schedule(deregisterWaitMs, () => resolve(false)))
      answered = await Promise.race([this.registration.deregister(), timeout])
    }
    this.stopped = true
    this.registration?.stop()
    this.reporting.stopAll()
    this.firmware.stop()
    for (const cancel of this.sensorTimers.splice(0)) cancel()
    this.sleepTimer?.()
    this.bootstrapTimer?.()
    this.endpoint.close()
    this.setState('stopped')
    return answered
  }
}

function toCoap(r: ClientResponse, observe?: ObserveAcceptance): OutgoingResponse {
  const options: CoapOption[] = []
  for (const s of r.locationPath ?? []) options.push({ number: Option.LOCATION_PATH, value: utf8.encode(s) })
  if (r.contentFormat !== undefined) options.push(uintOptionOf(Option.CONTENT_FORMAT, r.contentFormat))
  return { code: r.code, options, ...(r.payload ? { payload: r.payload } : {}), ...(observe ? { observe } : {}) }
}

function operationName(req: ClientRequest, role: 'server' | 'bootstrap'): string {
  const b = role === 'bootstrap'
  switch (req.method) {
    case 'GET':
      if (req.accept === CF.LINK) return b ? 'Bootstrap-Discover' : 'Discover'
      if (req.observe === 0) return 'Observe'
      if (req.observe === 1) return 'Cancel Observation'
      return b ? 'Bootstrap-Read' : 'Read'
    case 'FETCH':
      return req.observe === 0 ? 'Observe-Composite' : 'Read-Composite'
    case 'PUT':
      if (b) return 'Bootstrap-Write'
      return req.payload.length === 0 && req.contentFormat === null ? 'Write-Attributes' : 'Write'
    case 'POST':
      if (b) return 'Bootstrap-Finish'
      return req.path.length === 1 ? 'Create' : req.path.length === 3 ? 'Execute or Write' : 'Write (partial update)'
    case 'DELETE':
      return b ? 'Bootstrap-Delete' : 'Delete'
    case 'IPATCH':
      return 'Write-Composite'
  }
}

