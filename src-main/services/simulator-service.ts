// SPDX-License-Identifier: Apache-2.0
// simulator.*: fleets of simulated devices started from a profile (built-in or given), their
// counts, one device's values and faults. Counts reach the UI as `simulator.changed`, at most
// every 250 ms per fleet, so a 10 000-device start is a handful of events, not 40 000.
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Json } from '../contract/schema'
import { ServiceError } from '../contract/errors'
import type { FleetDto, ProfileInfo, SimulatedDeviceDto, SimulatedValueDto } from '../contract/simulator'
import type { Params, Result } from '../contract/methods'
import { formatCode } from '../core/coap/message'
import { CF, type ContentFormat } from '../core/lwm2m/content-format'
import { endpointNameProblem } from '../core/lwm2m/endpoint-name'
import type { ModelLookup } from '../core/lwm2m/model'
import { formatPath, parsePath } from '../core/lwm2m/path'
import type { Lwm2mRecord } from '../core/lwm2m/record'
import type { Value } from '../core/lwm2m/value'
import { formatObjectLink } from '../core/lwm2m/value'
import { checkProfile, scalarValue } from '../core/lwm2m/client/profile-check'
import { decodeCardFile } from '../core/lwm2m/bootstrap/card-file'
import type { Fault, Profile, ProfileFormat } from '../core/lwm2m/client/profile'
import type { EventHub } from './event-hub'
import { fleetTarget, SimulatedFleet, type DtlsEvent, type FleetSpec } from './simulated-fleet'
import { pskKey } from '../core/psk-entry'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const FORMATS: Record<ProfileFormat, ContentFormat> = { tlv: CF.TLV, 'senml-json': CF.SENML_JSON, 'senml-cbor': CF.SENML_CBOR, 'lwm2m-cbor': CF.LWM2M_CBOR }

export interface SimulatorServiceOptions {
  readonly events: EventHub
  readonly models: () => Promise<ModelLookup>
  /** The folder of built-in profiles (resources/profiles). */
  readonly profilesDir: string
}

export class SimulatorService {
  private readonly fleets = new Map<string, SimulatedFleet>()
  private readonly owners = new Map<string, string>()
  /** Each device's last DTLS handshake per server. */
  private readonly dtls = new Map<string, DtlsEvent[]>()
  private readonly pendingEmit = new Map<string, ReturnType<typeof setTimeout>>()

  constructor(private readonly o: SimulatorServiceOptions) {}

  /** Smartcard bootstrap data (EF LwM2M_Bootstrap, facts §4.1) as records, with its problems in words. */
  static decodeCard(bytes: Uint8Array, models: ModelLookup): { records: Lwm2mRecord[]; problems: string[] } {
    const decoded = decodeCardFile(bytes, models)
    return { records: decoded.records, problems: decoded.violations.map((v) => `offset ${v.offset}: ${v.message} (${v.rule})`) }
  }

  /** The built-in profiles, by file name without .json. */
  builtInProfiles(): Map<string, unknown> {
    const out = new Map<string, unknown>()
    let files: string[]
    try {
      files = readdirSync(this.o.profilesDir).filter((f) => f.endsWith('.json')).sort()
    } catch {
      return out
    }
    for (const f of files) {
      try {
        out.set(f.slice(0, -5), JSON.parse(readFileSync(join(this.o.profilesDir, f), 'utf8')))
      } catch {
        // A broken shipped file is a packaging bug; the others still work.
      }
    }
    return out
  }

  profiles(): Result<'simulator.profiles'> {
    const profiles: ProfileInfo[] = []
    for (const [name, raw] of this.builtInProfiles()) {
      const p = raw as Profile
      profiles.push({
        name,
        description: p.description ?? '',
        lwm2m: p.lwm2mVersion ?? '1.2',
        queue: Boolean(p.queueMode),
        objects: (p.objects ?? []).map((x) => x.id)
      })
    }
    return { profiles }
  }

  private async resolveProfile(raw: Json | undefined, models: ModelLookup): Promise<Profile> {
    let candidate: unknown = raw ?? 'sensor'
    if (typeof candidate === 'string') {
      const builtIn = this.builtInProfiles().get(candidate)
      if (builtIn === undefined) {
        throw new ServiceError('rpc.invalid_params', `no built-in profile "${candidate}" (there are: ${[...this.builtInProfiles().keys()].join(', ')})`)
      }
      candidate = builtIn
    }
    const check = checkProfile(candidate, models)
    if (!check.profile) {
      const lines = check.problems.slice(0, 10).map((p) => `${p.path || '/'}: ${p.message}`)
      throw new ServiceError('rpc.invalid_params', `the profile has problems: ${lines.join('; ')}`, { problems: check.problems })
    }
    return check.profile
  }

  /** `card`: smartcard bootstrap data (the CLI's --card-file), already decoded. */
  async start(p: Params<'simulator.start'>, card?: readonly Lwm2mRecord[]): Promise<Result<'simulator.start'>> {
    const models = await this.o.models()
    const profile = await this.resolveProfile(p.profile, models)
    if ((p.server === undefined) === (p.bootstrap === undefined) && !(card && p.server === undefined && p.bootstrap === undefined)) {
      throw new ServiceError('rpc.invalid_params', 'give either server (coap://HOST:PORT) or bootstrap (coap://HOST:PORT)')
    }
    let endpoints: string[]
    if (p.endpoint !== undefined) {
      if (p.count !== undefined && p.count !== 1) throw new ServiceError('rpc.invalid_params', 'endpoint names one device; use prefix with count')
      endpoints = [p.endpoint]
    } else {
      const prefix = p.prefix ?? 'sim-'
      endpoints = Array.from({ length: p.count ?? 1 }, (_, i) => `${prefix}${i}`)
    }
    for (const e of endpoints) {
      const problem = endpointNameProblem(e)
      if (problem) throw new ServiceError('rpc.invalid_params', `endpoint "${e}": ${problem}`)
      const owner = this.owners.get(e)
      if (owner) throw new ServiceError('rpc.invalid_params', `"${e}" is already simulated (fleet ${owner})`)
    }
    const version = p.lwm2m ?? profile.lwm2mVersion ?? '1.2'
    const formatName: ProfileFormat = p.format ?? profile.format ?? (version === '1.2' ? 'senml-cbor' : 'tlv')
    const queueMode = p.queue ?? Boolean(profile.queueMode)
    const awake = typeof profile.queueMode === 'object' ? profile.queueMode.awakeSeconds : 93
    const spec: Mutable<FleetSpec> = {
      profile,
      endpoints,
      ...(p.server !== undefined ? { server: p.server } : {}),
      ...(p.bootstrap !== undefined ? { bootstrap: p.bootstrap } : {}),
      version,
      format: FORMATS[formatName],
      lifetime: p.lifetime ?? profile.lifetime ?? 300,
      queue: queueMode ? { awakeSeconds: awake } : null,
      ...(p.gateway ? { gateway: p.gateway } : {}),
      ...(p.serial !== undefined ? { serial: p.serial } : {}),
      ...(card ? { card } : {})
    }
    const secure = [p.server, p.bootstrap].some((u) => u !== undefined && /^coaps:/i.test(u))
    if (p.pskKey !== undefined) {
      const key = pskKey(p.pskKey, p.pskKeyEncoding ?? 'hex')
      if (!key.ok) throw new ServiceError('rpc.invalid_params', key.problem)
      spec.psk = { identity: p.pskIdentity ?? '{endpoint}', key: key.bytes }
    } else if (secure) {
      throw new ServiceError('rpc.invalid_params', 'a coaps:// server needs a PSK: give pskKey (and pskIdentity, default the endpoint name)')
    }
    if (p.cid) spec.cid = true
    const fleetId = randomUUID().slice(0, 8)
    for (const e of endpoints) this.owners.set(e, fleetId)
    let fleet: SimulatedFleet
    try {
      fleet = await SimulatedFleet.start(fleetId, spec, models, (f) => this.scheduleEmit(f), (_f, endpoint, e) => {
        const list = (this.dtls.get(endpoint) ?? []).filter((x) => x.peer !== e.peer)
        this.dtls.set(endpoint, [...list, e])
      })
    } catch (e) {
      for (const name of endpoints) this.owners.delete(name)
      throw new ServiceError('rpc.invalid_params', `cannot start the fleet: ${e instanceof Error ? e.message : String(e)}`)
    }
    this.fleets.set(fleetId, fleet)
    this.o.events.emit('simulator.changed', { fleet: this.dto(fleet), change: 'started' })
    return { fleetId, endpoints }
  }


  private scheduleEmit(fleet: SimulatedFleet): void {
    if (this.pendingEmit.has(fleet.id) || !this.fleets.has(fleet.id)) return
    const t = setTimeout(() => {
      this.pendingEmit.delete(fleet.id)
      if (this.fleets.has(fleet.id)) this.o.events.emit('simulator.changed', { fleet: this.dto(fleet), change: 'counts' })
    }, 250)
    t.unref?.()
    this.pendingEmit.set(fleet.id, t)
  }

  async stop(fleetId: string): Promise<Result<'simulator.stop'>> {
    const fleet = this.fleets.get(fleetId)
    if (!fleet) return { stopped: false }
    this.fleets.delete(fleetId)
    clearTimeout(this.pendingEmit.get(fleetId))
    this.pendingEmit.delete(fleetId)
    await fleet.stop(true)
    for (const e of fleet.endpoints()) {
      this.owners.delete(e)
      this.dtls.delete(e)
    }
    this.o.events.emit('simulator.changed', { fleet: this.dto(fleet), change: 'stopped' })
    return { stopped: true }
  }

  /** Whether some fleet is still starting up (SimulatedFleet.startingUp). */
  startingUp(): boolean {
    for (const f of this.fleets.values()) if (f.startingUp) return true
    return false
  }

  list(): Result<'simulator.list'> {
    return { fleets: [...this.fleets.values()].map((f) => this.dto(f)) }
  }

  private dto(f: SimulatedFleet): FleetDto {
    const c = f.counts()
    const target = fleetTarget(f.spec)
    return {
      fleetId: f.id,
      profile: f.spec.profile.name,
      target: target?.uri ?? '',
      role: target?.role ?? 'server',
      lwm2m: f.spec.version,
      total: c.total,
      states: c.states,
      bootstrapped: c.bootstrapped,
      failures: c.failures,
      startedAt: new Date(f.startedAt).toISOString(),
      endpoints: f.endpoints().slice(0, 50)
    }
  }

  private find(endpoint: string): { fleet: SimulatedFleet; client: NonNullable<ReturnType<SimulatedFleet['device']>> } {
    const fleetId = this.owners.get(endpoint)
    const fleet = fleetId ? this.fleets.get(fleetId) : undefined
    const client = fleet?.device(endpoint)
    if (!fleet || !client) throw new ServiceError('devices.not_found', `no simulated device "${endpoint}"`)
    return { fleet, client }
  }

  device(endpoint: string): SimulatedDeviceDto {
    const { fleet, client } = this.find(endpoint)
    const sensors = new Set(sensorPaths(fleet.spec.profile))
    if (!fleet.spec.profile.objects.some((o) => o.id === 3)) sensors.add('/3/0/13')
    const values: SimulatedValueDto[] = []
    for (const rec of client.tree.records([])) {
      if (rec.path[0] === 0 || !rec.value || rec.value.type === 'none') continue
      const rm = client.tree.resourceModel(rec.path[0] as number, rec.path[2] as number)
      const path = formatPath(rec.path)
      const base = formatPath(rec.path.slice(0, 3) as unknown as typeof rec.path)
      values.push({
        path,
        name: rm?.name ?? '',
        type: rec.value.type,
        value: valueText(rec.value),
        generated: sensors.has(base),
        // The same rule as set(): a known, non-executable resource.
        writable: rm !== undefined && rm.operations !== 'E'
      })
      if (values.length >= 500) break
    }
    return {
      endpoint,
      fleetId: fleet.id,
      state: client.state,
      detail: client.stateDetail,
      localPort: fleet.localPort(endpoint),
      servers: client.servers().map((s) => ({ ssid: s.ssid, uri: s.uri, state: s.state, location: s.location ? '/' + s.location.join('/') : null, attempts: s.attempts, lastError: s.lastError, lwm2mVersion: s.version })),
      values,
      observations: client.observations().length,
      faults: client.activeFaults,
      dtls: this.dtls.get(endpoint) ?? [],
      dropped: client.link.dropped
    }
  }

  set(p: Params<'simulator.set'>): Result<'simulator.set'> {
    const { client } = this.find(p.endpoint)
    const parsed = parsePath(p.path)
    if (!parsed.ok || parsed.path.length < 3) throw new ServiceError('rpc.invalid_params', `"${p.path}" is not a resource path`)
    const [o, , r] = parsed.path as unknown as [number, number, number]
    const rm = client.tree.resourceModel(o, r)
    if (!rm) throw new ServiceError('rpc.invalid_params', `${p.path} is not a resource the models know`)
    if (rm.operations === 'E') throw new ServiceError('rpc.invalid_params', `${p.path} is executable and holds no value`)
    const v = scalarValue(rm.type, p.value)
    if (typeof v === 'string') throw new ServiceError('rpc.invalid_params', `${p.path} (${rm.name}, ${rm.type}): ${v}`)
    const problem = client.setValue(parsed.path, v)
    if (problem) throw new ServiceError('rpc.invalid_params', problem)
    return { endpoint: p.endpoint, path: p.path, value: valueText(v) }
  }

  inject(p: Params<'simulator.inject'>): Result<'simulator.inject'> {
    if (p.fault === undefined && !p.clear) throw new ServiceError('rpc.invalid_params', 'give a fault, or clear: true')
    const fault = p.fault === undefined ? null : checkFault(p.fault)
    const targets = p.endpoint !== undefined
      ? [this.find(p.endpoint).client]
      : (() => {
          const fleet = p.fleetId !== undefined ? this.fleets.get(p.fleetId) : undefined
          if (!fleet) throw new ServiceError('rpc.invalid_params', p.fleetId === undefined ? 'give fleetId or endpoint' : `no fleet ${p.fleetId}`)
          return fleet.clients()
        })()
    for (const c of targets) c.setFaults([...(p.clear ? [] : c.activeFaults), ...(fault ? [fault] : [])])
    return { devices: targets.length, faults: targets[0]?.activeFaults.length ?? 0 }
  }

  async send(p: Params<'simulator.send'>): Promise<Result<'simulator.send'>> {
    const { client } = this.find(p.endpoint)
    const paths = p.paths.map((text) => {
      const parsed = parsePath(text)
      if (!parsed.ok || parsed.path.length === 0) throw new ServiceError('rpc.invalid_params', `"${text}": ${parsed.ok ? 'Send needs an object path or deeper' : parsed.reason}`)
      return parsed.path
    })
    const ssid = p.ssid ?? client.servers()[0]?.ssid
    if (ssid === undefined) throw new ServiceError('devices.not_registered', `${p.endpoint} has no server to send to`)
    try {
      const code = await client.send(ssid, paths)
      return { code: formatCode(code) }
    } catch (e) {
      throw new ServiceError('devices.invalid_request', e instanceof Error ? e.message : String(e))
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.fleets.keys()].map((id) => this.stop(id)))
  }
}

/** Paths of generated resources ("/3303/0/5700"). */
function sensorPaths(profile: Profile): string[] {
  const out: string[] = []
  for (const o of profile.objects) {
    for (const i of o.instances) {
      for (const [rid, v] of Object.entries(i.resources)) {
        if (v && typeof v === 'object' && 'generator' in v) out.push(`/${o.id}/${i.id}/${rid}`)
      }
    }
  }
  return out
}

function valueText(v: Value): string {
  switch (v.type) {
    case 'opaque':
      return Buffer.from(v.value).toString('hex')
    case 'objlnk':
      return formatObjectLink(v.value)
    case 'none':
      return ''
    default:
      return String(v.value)
  }
}

/** The fields each fault kind needs, in words when missing. */
function checkFault(f: Fault): Fault {
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new ServiceError('rpc.invalid_params', `${f.kind === 'error' ? 'an' : 'a'} ${f.kind} fault needs ${what}`)
  }
  const share = (f as { share?: number }).share
  if (f.kind === 'drop' || f.kind === 'delay' || f.kind === 'malformed') need(typeof share === 'number' && share >= 0 && share <= 1, 'share between 0 and 1')
  if (f.kind === 'delay') need(typeof f.ms === 'number' && f.ms >= 0, 'ms')
  if (f.kind === 'error') need(typeof f.path === 'string' && typeof f.code === 'string', 'path and code (e.g. "/3/0", "5.00")')
  return f
}

