// SPDX-License-Identifier: Apache-2.0
// A fleet of simulated LwM2M clients in this process (issue 14): each device has its own UDP
// socket, because a server tells devices apart by source address, and its own CoAP endpoint and
// object tree. Counts per state are kept as events arrive, so a 10 000-device fleet is summarised
// without walking it.
import { isIP } from 'node:net'
import { coapCodec } from '../core/coap/codec'
import type { PeerAddress } from '../core/ports'
import type { ContentFormat } from '../core/lwm2m/content-format'
import type { ModelLookup } from '../core/lwm2m/model'
import type { Lwm2mRecord } from '../core/lwm2m/record'
import type { Value } from '../core/lwm2m/value'
import type { LwM2MVersion } from '../core/lwm2m/client/device-management'
import { planDevice } from '../core/lwm2m/client/device-plan'
import { ObjectTree } from '../core/lwm2m/client/object-tree'
import { Lwm2mClient, type ClientEvent, type ClientState } from '../core/lwm2m/client/lwm2m-client'
import type { Fault, Profile } from '../core/lwm2m/client/profile'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { simulatorTap } from '../transports/capture-tap'
import { UdpLink, udpPeer } from '../transports/udp'
import { DeviceLinks, type DeviceSocket, type DtlsPeerSetup } from './device-links'
import { SerialLink, serialPeer } from '../transports/serial'
import { describeForConsole } from './serial-diagnostics'
import { clientDtlsCredentials } from '../core/lwm2m/client/dtls-credentials'
import { deviceDtlsCredential } from './device-dtls-credential'

export interface FleetSpec {
  readonly profile: Profile
  /** Endpoint names, one device each. */
  readonly endpoints: readonly string[]
  readonly server?: string
  readonly bootstrap?: string
  readonly version: LwM2MVersion
  readonly format: ContentFormat
  readonly lifetime: number
  readonly queue: { readonly awakeSeconds: number } | null
  readonly card?: readonly Lwm2mRecord[]
  /** K end devices behind /25 prefixes on every device (a gateway). */
  readonly gateway?: number
  /** PSK for coaps:// accounts; "{endpoint}" in the identity becomes each device's name. */
  readonly psk?: { readonly identity: string; readonly key: Uint8Array }
  /** Offer a DTLS Connection ID (RFC 9146) to coaps:// servers. */
  readonly cid?: boolean
  /**
   * One device on this serial port in slipmux framing instead of UDP (issue 17 item 8): its
   * coap+uart:// accounts all lead to the line, and it writes diagnostic text lines there too.
   */
  readonly serial?: string
}

export const CLIENT_STATES: readonly ClientState[] = ['starting', 'bootstrapping', 'registering', 'registered', 'sleeping', 'failed', 'stopped']

export interface FleetCounts {
  readonly total: number
  readonly states: Readonly<Record<ClientState, number>>
  /** Devices that completed a bootstrap (any source but factory). */
  readonly bootstrapped: number
  /** Failures seen (a device may fail more than once). */
  readonly failures: number
}

/** A simulated device's DTLS handshake with a coaps:// server, for its page and the log. */
export interface DtlsEvent {
  readonly peer: string
  readonly ok: boolean
  readonly detail: string
}

interface Member {
  readonly client: Lwm2mClient
  readonly socket: DeviceLinks
}

/** Where a URI leads, for the devices: IP literals as they are, localhost to loopback, else nowhere. */
export function peerForUri(uri: string): PeerAddress | null {
  const m = /^coaps?:\/\/(\[[^\]]+\]|[^/:?#]+)(?::([0-9]+))?/i.exec(uri)
  if (!m) return null
  let host = (m[1] as string).replace(/^\[|\]$/g, '')
  if (host === 'localhost') host = '127.0.0.1'
  if (isIP(host) === 0) return null
  const secure = uri.toLowerCase().startsWith('coaps')
  const port = m[2] !== undefined ? Number(m[2]) : secure ? 5684 : 5683
  const peer = udpPeer(host, port)
  // coaps:// goes through the device's DTLS client for that server (services/device-links.ts).
  return secure ? { key: 'dtls' + peer.key.slice(3), display: peer.display } : peer
}

/**
 * Where the fleet first goes: the server or Bootstrap-Server given, else the first account the
 * smartcard data names (/0/x/0, its role from /0/x/1); null when there is none.
 */
export function fleetTarget(spec: Pick<FleetSpec, 'server' | 'bootstrap' | 'card'>): { uri: string; role: 'server' | 'bootstrap' } | null {
  if (spec.server !== undefined) return { uri: spec.server, role: 'server' }
  if (spec.bootstrap !== undefined) return { uri: spec.bootstrap, role: 'bootstrap' }
  for (const r of spec.card ?? []) {
    if (r.path[0] !== 0 || r.path[2] !== 0 || r.path.length !== 3 || r.value?.type !== 'string') continue
    const bs = spec.card?.find((x) => x.path.length === 3 && x.path[0] === 0 && x.path[1] === r.path[1] && x.path[2] === 1)
    return { uri: r.value.value, role: bs?.value?.type === 'boolean' && bs.value.value ? 'bootstrap' : 'server' }
  }
  return null
}

export class SimulatedFleet {
  private readonly members = new Map<string, Member>()
  private readonly stateCounts = Object.fromEntries(CLIENT_STATES.map((s) => [s, 0])) as Record<ClientState, number>
  private bootstrapped = 0
  private failures = 0
  /** Devices not started yet, and how many started ones have not settled (see startWaiting). */
  private readonly waiting: Lwm2mClient[] = []
  private nextWaiting = 0
  private readonly onTheirWay = new Set<Lwm2mClient>()
  private stopping = false
  private starting = false
  /** The factory bootstrap records all devices share when there is no PSK (see add). */
  private sharedFactory: Lwm2mRecord[] | null = null
  /** Sockets are still being opened in start() (more devices are about to be added). */
  private opening = true
  readonly startedAt = Date.now()

  private constructor(
    readonly id: string,
    readonly spec: FleetSpec,
    private readonly onChange: (fleet: SimulatedFleet, endpoint: string, e: ClientEvent) => void,
    private readonly onDtls: (fleet: SimulatedFleet, endpoint: string, e: DtlsEvent) => void = () => undefined
  ) {}

  /** Opens a socket per device and starts them; a socket that cannot open rejects the whole start. */
  static async start(
    id: string,
    spec: FleetSpec,
    models: ModelLookup,
    onChange: (fleet: SimulatedFleet, endpoint: string, e: ClientEvent) => void,
    onDtls?: (fleet: SimulatedFleet, endpoint: string, e: DtlsEvent) => void
  ): Promise<SimulatedFleet> {
    const fleet = new SimulatedFleet(id, spec, onChange, onDtls)
    if (spec.serial !== undefined) {
      await fleet.startOnSerial(spec.serial, models)
      return fleet
    }
    // Smartcard data alone names its servers itself (a card-only fleet has neither URI given).
    const target = fleetTarget(spec)
    if (target === null) throw new Error('no server, Bootstrap-Server or smartcard account (/0/x/0) to start from')
    const peer = peerForUri(target.uri)
    if (peer === null) throw new Error(`"${target.uri}" is not a coap:// URI with an IP address or localhost`)
    const v6 = /^(udp|dtls):\[/.test(peer.key)
    const loopback = /^(udp|dtls):(127\.|\[::1\])/.test(peer.key)
    const host = v6 ? (loopback ? '::1' : '::') : loopback ? '127.0.0.1' : '0.0.0.0'
    const batch = 256
    try {
      for (let k = 0; k < spec.endpoints.length; k += batch) {
        const names = spec.endpoints.slice(k, k + batch)
        const sockets = await Promise.all(names.map(() => UdpLink.open({ host, port: 0, tap: simulatorTap })))
        names.forEach((name, j) => fleet.add(name, sockets[j] as UdpLink, models, peerForUri))
      }
    } catch (e) {
      fleet.opening = false
      await fleet.stop(false)
      throw e
    }
    fleet.opening = false
    return fleet
  }

  private async startOnSerial(path: string, models: ModelLookup): Promise<void> {
    this.opening = false
    if (this.spec.endpoints.length !== 1) throw new Error('a serial line carries one simulated device')
    const line = await SerialLink.open({ path, framing: 'slipmux', baudRate: 115200 })
    const peer = serialPeer(path)
    // Every coap+uart:// URI leads to the host on the other end of the line (draft §5).
    const peerFor = (uri: string): PeerAddress | null => (/^coap\+uart:\/\/[^/]/i.test(uri) ? peer : null)
    const name = this.spec.endpoints[0] as string
    this.diagnostics = (endpoint, e) => {
      const text = describeForConsole(endpoint, e)
      if (text !== null && line.isOpen) void line.writeText(text + '\n').catch(() => undefined)
    }
    void line.writeText(`${name}: simulated device on ${path}, slipmux\n`).catch(() => undefined)
    this.add(name, line, models, peerFor)
  }

  /** Diagnostic text for the device's console (serial lines only). */
  private diagnostics: ((endpoint: string, e: ClientEvent) => void) | null = null

  private add(endpoint: string, base: DeviceSocket, models: ModelLookup, peerFor: (uri: string) => PeerAddress | null): void {
    const spec = this.spec
    const enc = new TextEncoder()
    const psk = spec.psk ? { identity: enc.encode(spec.psk.identity.replaceAll('{endpoint}', endpoint)), key: spec.psk.key } : undefined
    const plan = planDevice({
      profile: spec.profile,
      endpoint,
      ...(spec.server !== undefined ? { server: spec.server } : {}),
      ...(spec.bootstrap !== undefined ? { bootstrap: spec.bootstrap } : {}),
      lifetime: spec.lifetime,
      queue: spec.queue !== null,
      models,
      epochAtStart: Math.floor(Date.now() / 1000),
      ...(psk ? { psk } : {})
    })
    // Without a PSK every device's factory records are the same: one copy for the fleet (records
    // and values are never changed in place; a device's tree gets its own instance maps).
    const factory = psk ? plan.factory : (this.sharedFactory ??= plan.factory)
    // The DTLS side exists only for devices that may talk coaps:// (a plain fleet stays lean).
    const holder: { client?: Lwm2mClient } = {}
    const socket = new DeviceLinks(base, this.dtlsSetup(endpoint, holder))
    let state: ClientState = 'starting'
    this.stateCounts.starting++
    const client = new Lwm2mClient({
      endpoint,
      link: socket,
      codec: coapCodec,
      scheduler: nodeScheduler,
      random: nodeRandom,
      wallClock: () => Math.floor(Date.now() / 1000),
      models,
      peerFor,
      version: spec.version,
      preferredFormat: spec.format,
      queue: spec.queue,
      objects: plan.objects,
      factory,
      sensors: plan.sensors,
      ...(spec.card ? { card: spec.card } : {}),
      ...(spec.profile.refuse ? { refusals: spec.profile.refuse } : {}),
      ...(spec.profile.faults ? { faults: spec.profile.faults } : {}),
      onEvent: (e) => {
        if (e.type === 'state') {
          if (SETTLED.has(e.state)) this.settled(client)
          this.stateCounts[state]--
          state = e.state
          this.stateCounts[state]++
          if (state === 'failed') this.failures++
        } else if (e.type === 'bootstrapped' && e.source !== 'factory') {
          this.bootstrapped++
        }
        this.diagnostics?.(endpoint, e)
        this.onChange(this, endpoint, e)
      }
    })
    holder.client = client
    this.members.set(endpoint, { client, socket })
    if (spec.gateway) addEndDevices(client, spec.gateway, models)
    this.waiting.push(client)
    this.startWaiting()
  }

  /** How a device's DTLS clients get their PSK (its Security object) and report handshakes. */
  private dtlsSetup(endpoint: string, holder: { client?: Lwm2mClient }): DtlsPeerSetup {
    return {
      credential: (peer) => {
        const client = holder.client
        if (client === undefined) return { problem: 'the device is not set up yet' }
        const uri = client.tree.instanceIds(0).map((i) => client.tree.value(0, i, 0)).find((v) => v?.type === 'string' && peerForUri(v.value)?.key === peer.key)
        if (uri?.type !== 'string') return { problem: `no Security instance names ${peer.display}` }
        const c = clientDtlsCredentials(client.tree, uri.value)
        if (!c.ok) return { problem: c.problem }
        if (c.credentials === null) return { problem: `${uri.value} is a NoSec account` }
        return deviceDtlsCredential(c.credentials, uri.value)
      },
      ...(this.spec.cid ? { cid: true } : {}),
      onEstablished: (peer, info) => this.onDtls(this, endpoint, { peer: peer.display, ok: true, detail: `${info.suite.name}${info.peerCid ? `, Connection ID ${Buffer.from(info.peerCid).toString('hex')}` : ''}` }),
      onFailed: (peer, f) => this.onDtls(this, endpoint, { peer: peer.display, ok: false, detail: f.message })
    }
  }

  /**
   * Starts waiting devices while fewer than START_IN_FLIGHT are on their way (bootstrapping or
   * registering): a thousand Registers at once overflow the server's receive buffer, and each
   * lost one costs its device a retransmission timeout (2–3 s) before it registers.
   */
  private startWaiting(): void {
    // A device can settle inside its own start() (no account at all): the loop already running
    // picks up the freed slot, so no recursion thousands deep.
    if (this.starting) return
    this.starting = true
    try {
      while (this.onTheirWay.size < START_IN_FLIGHT && this.nextWaiting < this.waiting.length && !this.stopping) {
        // An index, not shift(): shifting a 10 000-entry array for every start is quadratic.
        const client = this.waiting[this.nextWaiting++] as Lwm2mClient
        this.onTheirWay.add(client)
        client.start()
      }
      if (this.nextWaiting === this.waiting.length) {
        this.waiting.length = 0
        this.nextWaiting = 0
      }
    } finally {
      this.starting = false
    }
  }

  /** A device reached a settled state (registered, sleeping, failed, stopped): the next may go. */
  private settled(client: Lwm2mClient): void {
    if (this.onTheirWay.delete(client)) this.startWaiting()
  }

  /**
   * Whether the fleet is still starting up: sockets being opened, devices waiting for their turn or
   * on their way (bootstrapping, registering) for the first time. False once every device has
   * settled (registered, sleeping, failed or stopped), even if some register again later.
   */
  get startingUp(): boolean {
    return !this.stopping && (this.opening || this.nextWaiting < this.waiting.length || this.onTheirWay.size > 0)
  }

  counts(): FleetCounts {
    return { total: this.members.size, states: { ...this.stateCounts }, bootstrapped: this.bootstrapped, failures: this.failures }
  }

  device(endpoint: string): Lwm2mClient | undefined {
    return this.members.get(endpoint)?.client
  }

  endpoints(): string[] {
    return [...this.members.keys()]
  }

  clients(): Lwm2mClient[] {
    return [...this.members.values()].map((m) => m.client)
  }

  localPort(endpoint: string): number | null {
    return this.members.get(endpoint)?.socket.base.port ?? null
  }

  inject(faults: readonly Fault[], endpoint?: string): void {
    for (const [name, m] of this.members) if (endpoint === undefined || endpoint === name) m.client.setFaults(faults)
  }

  /**
   * Stops every device (De-register first when asked) and closes their sockets. At most
   * STOP_IN_FLIGHT at a time: a burst of hundreds of De-registers overflows the server's receive
   * buffer, and a device whose De-register is lost gives up (its stop waits 3 s) before the CoAP
   * retransmission lands, leaving the server with a registration nobody is behind.
   */
  async stop(deregister = true): Promise<void> {
    this.stopping = true
    this.waiting.length = 0
    this.nextWaiting = 0
    const all = [...this.members.values()]
    let next = 0
    // A server that answers none of a whole round of De-registers is gone: the rest stop without
    // waiting for it (10 000 devices × 8 s would otherwise take 20 minutes).
    let unansweredInARow = 0
    const worker = async (): Promise<void> => {
      while (next < all.length) {
        const m = all[next++] as Member
        const answered = await m.client.stop(deregister && unansweredInARow < STOP_IN_FLIGHT && m.socket.isOpen !== false)
        unansweredInARow = answered ? 0 : unansweredInARow + 1
        await m.socket.close()
      }
    }
    await Promise.all(Array.from({ length: Math.min(STOP_IN_FLIGHT, all.length) }, worker))
  }
}

/** Devices bootstrapping or registering at once while a fleet starts. */
const START_IN_FLIGHT = 128
const SETTLED: ReadonlySet<ClientState> = new Set(['registered', 'sleeping', 'failed', 'stopped'])

/** De-registers in flight at once when a fleet stops. */
const STOP_IN_FLIGHT = 64

/** A gateway: K end devices behind /25 prefixes dev0…dev(K-1), each with a Device and a temperature object. */
function addEndDevices(client: Lwm2mClient, k: number, models: ModelLookup): void {
  const { tree } = client
  if (!models.get(25)) return
  tree.addObject(25)
  for (let n = 0; n < k; n++) {
    const prefix = `dev${n}`
    const end = new ObjectTree(models)
    end.addObject(3)
    end.putInstance(3, 0, new Map<number, Value | Map<number, Value>>([
      [0, { type: 'string', value: 'LwM2M Workbench' }],
      [1, { type: 'string', value: 'Simulated end device' }],
      [2, { type: 'string', value: `${client.endpointName}-${prefix}` }],
      [11, new Map([[0, { type: 'integer', value: 0 }]])],
      [16, { type: 'string', value: 'U' }]
    ]))
    end.addObject(3303)
    end.putInstance(3303, 0, new Map<number, Value | Map<number, Value>>([[5700, { type: 'float', value: 20 + n }], [5701, { type: 'string', value: 'Cel' }]]))
    client.endDevices.set(prefix, end)
    // /25 v2.0: 0 Device ID, 1 Prefix, 3 IoT Device Objects (Corelnk).
    tree.putInstance(25, n, new Map<number, Value | Map<number, Value>>([
      [0, { type: 'string', value: `${client.endpointName}-${prefix}` }],
      [1, { type: 'string', value: prefix }],
      [3, { type: 'corelnk', value: `</${prefix}/3/0>,</${prefix}/3303/0>` }]
    ]))
  }
}
