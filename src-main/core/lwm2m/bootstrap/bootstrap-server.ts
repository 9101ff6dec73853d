// SPDX-License-Identifier: Apache-2.0
// The Bootstrap Server role (C §6.1, T §6.4.2): answers Bootstrap-Request with 2.04 and then drives
// the client — optional Bootstrap-Discover (learns the version and the BS account, BS-01), Delete,
// Write of every account, optional Reads, Finish — and answers Bootstrap-Pack-Request (1.2,
// Opt-01) with the whole configuration in one payload. Every run is recorded step by step, with
// the configuration it used, each value it wrote (secrets masked) and the instance ids.
import type { PeerAddress, Random, Scheduler } from '../../ports'
import { CF, resolveFormat, type ContentFormat } from '../content-format'
import { encodePayload, registeredFormats } from '../formats/all'
import { fromJsonRecord } from '../json-record'
import { endpointNameProblem } from '../endpoint-name'
import { parseLinkFormat } from '../link-format'
import type { ModelLookup } from '../model'
import { formatPath, parsePath, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import { codeMeaning, codeText, type DeviceLink, type DownlinkRequest, type UplinkRequest, type UplinkResponse } from '../server/messages'
import { planAccounts, type ClientAccounts, type InstanceUse } from './account-plan'
import { accountRecords, checkConfig, chooseFormat, type BootstrapConfig } from './config'
import { writtenValues, type WrittenValue } from './written-values'

const CHANGED = 68
const CONTENT = 69
const BAD_REQUEST = 128
const NOT_FOUND = 132
const METHOD_NOT_ALLOWED = 133
const NOT_ACCEPTABLE = 134
const UNSUPPORTED_CF = 143
const INTERNAL = 160

export interface BootstrapStep {
  readonly operation: string
  readonly path: string
  readonly request: string
  readonly code: string | null
  readonly meaning: string
  readonly at: number
  readonly durationMs: number
}

export interface BootstrapRun {
  readonly id: string
  readonly endpoint: string
  readonly kind: 'request' | 'pack'
  readonly peer: string
  readonly startedAt: number
  finishedAt: number | null
  outcome: 'running' | 'success' | 'failed'
  detail: string
  readonly steps: BootstrapStep[]
  /** The content format used for writes (or the Pack). */
  format: ContentFormat | null
  /** Client version learned from Bootstrap-Discover (`</>;lwm2m=`), if any. */
  clientVersion: string | null
  /** The configuration used: the endpoint's own, or the "*" default. */
  config: { readonly endpoint: string; readonly matched: 'endpoint' | 'default' } | null
  /** The client's Bootstrap-Server account (/0 instance), from Bootstrap-Discover or `acc`. */
  bootstrapAccount: number | null
  /** Every instance written, as configured and as used. */
  readonly instances: InstanceUse[]
  /** Every value written, secrets masked. */
  readonly written: WrittenValue[]
}

export interface BootstrapServerOptions {
  readonly link: DeviceLink
  readonly scheduler: Scheduler
  readonly random: Random
  readonly models: ModelLookup
  /** The configuration for an endpoint (its own, else the "*" default), or undefined. */
  readonly configFor: (endpoint: string) => BootstrapConfig | undefined
  readonly onRun?: (run: BootstrapRun, change: 'started' | 'step' | 'finished') => void
}

export class BootstrapServer {
  readonly #active = new Map<string, BootstrapRun>()
  /** The Bootstrap-Request sequence running per endpoint. */
  readonly #sequences = new Map<string, BootstrapRun>()
  /** Runs a newer Bootstrap-Request replaced, with the address it came from. */
  readonly #superseded = new Map<string, string>()

  constructor(private readonly opts: BootstrapServerOptions) {}

  /** Answers Bootstrap-Request and Bootstrap-Pack-Request. Never throws. */
  handle(req: UplinkRequest, accept: number | null): UplinkResponse {
    const [first, ...rest] = req.path
    if (rest.length > 0) return { code: NOT_FOUND }
    if (first === 'bs' && req.method === 'POST') return this.request(req)
    if (first === 'bspack' && req.method === 'GET') return this.pack(req, accept)
    return { code: NOT_FOUND, payload: text(`no ${req.method} /${req.path.join('/')} on this bootstrap server`) }
  }

  private query(req: UplinkRequest): Map<string, string> {
    return new Map(req.query.map((q) => (q.includes('=') ? [q.slice(0, q.indexOf('=')), q.slice(q.indexOf('=') + 1)] : [q, ''])))
  }

  private request(req: UplinkRequest): UplinkResponse {
    const q = this.query(req)
    const endpoint = q.get('ep')
    if (!endpoint) return { code: BAD_REQUEST, payload: text('missing endpoint name (ep); without DTLS there is no identity to use instead') }
    const badName = endpointNameProblem(endpoint)
    if (badName) return { code: BAD_REQUEST, payload: text(badName) }
    const config = this.opts.configFor(endpoint)
    if (!config) return { code: BAD_REQUEST, payload: text(`no bootstrap configuration for "${endpoint}" and no default`) }
    let pct: number | null = null
    if (q.has('pct')) {
      pct = resolveFormat(q.get('pct') ?? '')
      const usable = [CF.TLV, CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR] as number[]
      if (pct === null || !usable.includes(pct) || !registeredFormats().includes(pct))
        return { code: UNSUPPORTED_CF, payload: text(`pct ${q.get('pct')} is not a format this server writes`) }
    }
    // A client that asks again while its sequence runs (it restarted, or gave up waiting) gets a
    // fresh one: the old one stops before its next step, so the two never interleave on the device.
    const previous = this.#sequences.get(endpoint)
    if (previous) this.#superseded.set(previous.id, req.peer.display)
    const run = this.startRun(endpoint, 'request', req.peer, config)
    const refused = this.refuseBroken(run, config)
    if (refused) return refused
    this.#sequences.set(endpoint, run)
    // 2.04 first; the sequence starts once the client has its answer (the scheduler defers it).
    this.opts.scheduler.schedule(0, () => void this.sequence(run, config, req.peer, pct))
    return { code: CHANGED }
  }

  /** A configuration with problems never runs: 5.00 to the client, and the run records why. */
  private refuseBroken(run: BootstrapRun, config: BootstrapConfig): UplinkResponse | null {
    const { problems } = checkConfig(config)
    if (problems.length === 0) return null
    const detail = `configuration "${config.endpoint}" has problems, nothing was sent: ${problems.join('; ')}`
    this.finish(run, false, detail)
    return { code: INTERNAL, payload: text(detail) }
  }

  private pack(req: UplinkRequest, accept: number | null): UplinkResponse {
    const q = this.query(req)
    const endpoint = q.get('ep')
    if (!endpoint) return { code: BAD_REQUEST, payload: text('missing endpoint name (ep)') }
    const badName = endpointNameProblem(endpoint)
    if (badName) return { code: BAD_REQUEST, payload: text(badName) }
    const config = this.opts.configFor(endpoint)
    if (!config) return { code: NOT_FOUND, payload: text(`no bootstrap configuration for "${endpoint}"`) }
    const run = this.startRun(endpoint, 'pack', req.peer, config)
    const at = this.opts.scheduler.now()
    const done = (code: number, detail: string, payload?: Uint8Array, cf?: number): UplinkResponse => {
      run.steps.push({ operation: 'Bootstrap-Pack', path: '/bspack', request: `GET /bspack?${req.query.join('&')}`, code: codeText(code), meaning: codeMeaning(code), at, durationMs: 0 })
      this.finish(run, code >> 5 === 2, detail)
      return { code, ...(payload ? { payload, contentFormat: cf } : { payload: text(detail) }) }
    }
    const { problems } = checkConfig(config)
    if (problems.length) return done(INTERNAL, `configuration "${config.endpoint}" has problems, no Pack sent: ${problems.join('; ')}`)
    if (!config.allowPack) return done(METHOD_NOT_ALLOWED, 'this configuration refuses Bootstrap-Pack (allowPack is false)')
    const packFormats = [CF.SENML_CBOR, CF.SENML_JSON, CF.LWM2M_CBOR].filter((f) => registeredFormats().includes(f)) as number[]
    const format = accept ?? packFormats[0] ?? null
    if (format === null || !packFormats.includes(format)) return done(NOT_ACCEPTABLE, `the Pack comes as ${packFormats.join(', ')}, not ${accept}`)
    // 1.2.1 `acc` names the client's BS-account instances (C §6.1.7.7); the Pack keeps off them.
    const client = accountsFromAcc(q.get('acc'))
    run.bootstrapAccount = client.bootstrapAccount
    const plan = planAccounts(config, client)
    if (!plan.ok) return done(METHOD_NOT_ALLOWED, plan.reason)
    try {
      const records = [...accountRecords(plan.config), ...this.otherRecords(config)]
      const payload = encodePayload(format, records, { path: [], models: this.opts.models })
      run.format = format
      for (const [path] of groupByInstance(records)) run.instances.push(instanceUse(formatPath(path), plan.moved))
      run.written.push(...writtenValues(records))
      const note = config.rotateBootstrapAccount ? '; rotateBootstrapAccount needs Bootstrap-Request (a Pack leaves the BS account alone)' : ''
      return done(CONTENT, `Pack of ${payload.length} bytes${note}`, payload, format)
    } catch (e) {
      return done(INTERNAL, `cannot encode the Pack: ${(e as Error).message}`)
    }
  }

  private async sequence(run: BootstrapRun, config: BootstrapConfig, peer: PeerAddress, pct: number | null): Promise<void> {
    try {
      const client: { -readonly [K in keyof ClientAccounts]: ClientAccounts[K] } = { bootstrapAccount: null, securityInstances: [], source: 'Bootstrap-Discover' }
      if (config.discoverFirst) {
        const res = await this.step(run, peer, 'Bootstrap-Discover', [], { method: 'GET', path: [], accept: CF.LINK })
        if (res.code === CONTENT) {
          const { links } = parseLinkFormat(new TextDecoder().decode(res.payload))
          const security: number[] = []
          const withoutSsid: number[] = []
          for (const l of links) {
            if (l.target === '/' && l.attributes['lwm2m'] !== undefined) run.clientVersion = String(l.attributes['lwm2m'])
            // 65535 is no instance id (C §7.1); such a link names nothing the server could write.
            if (l.path?.length === 2 && l.path[0] === 0 && (l.path[1] as number) < 65535) {
              security.push(l.path[1] as number)
              // The BS account is the /0 instance without ssid (T §6.4.2 Bootstrap-Discover).
              if (l.attributes['ssid'] === undefined) withoutSsid.push(l.path[1] as number)
            }
          }
          client.securityInstances = security
          client.bootstrapAccount = withoutSsid[0] ?? null
          client.bootstrapCandidates = withoutSsid
        }
      }
      run.bootstrapAccount = client.bootstrapAccount
      // Decided before any Delete, so a refused run leaves the client as it was.
      if (config.rotateBootstrapAccount && client.bootstrapAccount === null) throw new Error('BS-01 rotation asked, but Bootstrap-Discover showed no Bootstrap-Server account; nothing was written')
      const plan = planAccounts(config, client)
      if (!plan.ok) throw new Error(plan.reason)
      run.format = chooseFormat(config.contentFormat, run.clientVersion, pct, registeredFormats())
      for (const p of config.deletePaths) {
        const parsed = parsePath(p)
        if (!parsed.ok) throw new Error(`delete path ${p}: ${parsed.reason}`)
        await this.step(run, peer, 'Bootstrap-Delete', parsed.path, { method: 'DELETE', path: parsed.path.map(String) })
      }
      const records: Lwm2mRecord[] = []
      const notes: InstanceUse[] = [...plan.moved]
      if (config.rotateBootstrapAccount) {
        const bs = client.bootstrapAccount as number // checked above, before any Delete
        // BS-01: the one write that touches the client's own account, and in place.
        records.push(...accountRecords({ ...config, security: [{ ...config.rotateBootstrapAccount, instanceId: bs, bootstrapServer: true }], servers: [] }))
        notes.push({ configured: 'rotateBootstrapAccount', used: `/0/${bs}`, note: 'BS-01: new credentials for the client\'s own Bootstrap-Server account, in place' })
      }
      records.push(...accountRecords(plan.config))
      records.push(...this.otherRecords(config))
      for (const [path, group] of groupByInstance(records)) {
        const payload = encodePayload(run.format, group, { path, models: this.opts.models })
        const res = await this.step(run, peer, 'Bootstrap-Write', path, { method: 'PUT', path: path.map(String), contentFormat: run.format, payload })
        if (res.code >> 5 !== 2) throw new Error(`Bootstrap-Write ${formatPath(path)} answered ${codeText(res.code)}`)
        run.instances.push(instanceUse(formatPath(path), notes))
        run.written.push(...writtenValues(group))
      }
      for (const p of config.readPaths ?? []) {
        const parsed = parsePath(p)
        if (parsed.ok) await this.step(run, peer, 'Bootstrap-Read', parsed.path, { method: 'GET', path: parsed.path.map(String) })
      }
      const fin = await this.step(run, peer, 'Bootstrap-Finish', [], { method: 'POST', path: ['bs'] })
      if (fin.code === NOT_ACCEPTABLE) throw new Error('the client found the configuration inconsistent (4.06 on Bootstrap-Finish)')
      if (fin.code >> 5 !== 2) throw new Error(`Bootstrap-Finish answered ${codeText(fin.code)}`)
      const moved = plan.moved.length ? `; ${plan.moved.map((m) => `${m.configured} written as ${m.used}`).join(', ')}` : ''
      this.finish(run, true, `bootstrapped with ${run.steps.length} steps${moved}`)
    } catch (e) {
      this.finish(run, false, (e as Error).message)
    }
  }

  private async step(run: BootstrapRun, peer: PeerAddress, operation: string, path: Path, req: DownlinkRequest) {
    const by = this.#superseded.get(run.id)
    if (by !== undefined) throw new Error(`superseded by a new Bootstrap-Request from ${by}; stopped before ${operation} ${formatPath(path)}`)
    const start = this.opts.scheduler.now()
    const label = `${req.method} /${req.path.join('/')}${req.query?.length ? '?' + req.query.join('&') : ''}`
    try {
      const res = await this.opts.link.send(peer, req)
      run.steps.push({ operation, path: formatPath(path), request: label, code: codeText(res.code), meaning: codeMeaning(res.code), at: start, durationMs: this.opts.scheduler.now() - start })
      this.opts.onRun?.(run, 'step')
      return res
    } catch (e) {
      run.steps.push({ operation, path: formatPath(path), request: label, code: null, meaning: (e as Error).message, at: start, durationMs: this.opts.scheduler.now() - start })
      this.opts.onRun?.(run, 'step')
      throw e
    }
  }

  private otherRecords(config: BootstrapConfig): Lwm2mRecord[] {
    return (config.otherRecords ?? []).map((r, i) => {
      const p = fromJsonRecord(r)
      if (!p.ok) throw new Error(`otherRecords[${i}]: ${p.reason}`)
      return p.record
    })
  }

  private startRun(endpoint: string, kind: 'request' | 'pack', peer: PeerAddress, config: BootstrapConfig): BootstrapRun {
    const b = this.opts.random.bytes(6)
    const run: BootstrapRun = {
      id: [...b].map((x) => x.toString(16).padStart(2, '0')).join(''),
      endpoint,
      kind,
      peer: peer.display,
      startedAt: this.opts.scheduler.now(),
      finishedAt: null,
      outcome: 'running',
      detail: '',
      steps: [],
      format: null,
      clientVersion: null,
      config: { endpoint: config.endpoint, matched: config.endpoint === '*' ? 'default' : 'endpoint' },
      bootstrapAccount: null,
      instances: [],
      written: []
    }
    this.#active.set(run.id, run)
    this.opts.onRun?.(run, 'started')
    return run
  }

  private finish(run: BootstrapRun, ok: boolean, detail: string): void {
    run.finishedAt = this.opts.scheduler.now()
    run.outcome = ok ? 'success' : 'failed'
    run.detail = detail
    this.#active.delete(run.id)
    this.#superseded.delete(run.id)
    if (this.#sequences.get(run.endpoint) === run) this.#sequences.delete(run.endpoint)
    this.opts.onRun?.(run, 'finished')
  }
}

/** One Bootstrap-Write per object instance (/O/I), in path order. */
function groupByInstance(records: readonly Lwm2mRecord[]): [Path, Lwm2mRecord[]][] {
  const groups = new Map<string, [Path, Lwm2mRecord[]]>()
  for (const r of records) {
    const p = r.path.slice(0, 2) as unknown as Path
    const key = formatPath(p)
    const g = groups.get(key) ?? [p, []]
    g[1].push(r)
    groups.set(key, g)
  }
  return [...groups.values()]
}

/** How an instance the run wrote relates to the configuration (moved, rotated, or as configured). */
function instanceUse(used: string, notes: readonly InstanceUse[]): InstanceUse {
  return notes.find((n) => n.used === used) ?? { configured: used, used, note: null }
}

/** `acc` of Bootstrap-Pack-Request: the BS account's instances as CoRE links, e.g. `</0/0>,</21/0>`. */
function accountsFromAcc(acc: string | undefined): ClientAccounts {
  const none: ClientAccounts = { bootstrapAccount: null, securityInstances: [], source: 'acc' }
  if (!acc) return none
  let value = acc
  try {
    value = decodeURIComponent(acc)
  } catch {
    // not percent-encoded: take it as it is
  }
  const security = parseLinkFormat(value).links.filter((l) => l.path?.length === 2 && l.path[0] === 0).map((l) => l.path?.[1] as number)
  return security.length ? { bootstrapAccount: security[0] as number, securityInstances: security, source: 'acc' } : none
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}
