// SPDX-License-Identifier: Apache-2.0
// What a simulated device starts with, from its profile and the command line: the object tree
// (profile values typed by the models, a Device object /3/0 filled in when the profile has
// none), the factory bootstrap records for `--server` or `--bootstrap` (NoSec accounts until
// DTLS lands), and the sensors whose values change.
import type { ModelLookup } from '../model'
import type { Lwm2mRecord } from '../record'
import type { ResourceType, Value } from '../value'
import { generatorInterval } from './generators'
import { EMPTY_OPAQUE } from './object-tree'
import type { Generator, Profile } from './profile'
import { profileValues } from './profile-check'

export interface PlannedObject {
  readonly id: number
  readonly version: string | null
  readonly instances: ReadonlyArray<{ readonly id: number; readonly data: Map<number, Value | Map<number, Value>> }>
}

export interface SensorPlan {
  readonly path: readonly [number, number, number]
  readonly generator: Generator
  readonly intervalSeconds: number
  readonly type: ResourceType
}

export interface DevicePlan {
  readonly objects: PlannedObject[]
  readonly factory: Lwm2mRecord[]
  readonly sensors: SensorPlan[]
}

export interface DevicePlanInput {
  readonly profile: Profile
  readonly endpoint: string
  /** LwM2M Server URI: a factory-bootstrapped server account (SSID 101). */
  readonly server?: string
  /** Bootstrap-Server URI: a factory-bootstrapped BS account. */
  readonly bootstrap?: string
  readonly lifetime: number
  readonly queue: boolean
  readonly models: ModelLookup
  /** Unix seconds at start, for clock generators. */
  readonly epochAtStart: number
  /** PSK for coaps:// accounts (Security mode 0); coap:// accounts stay NoSec. */
  readonly psk?: { readonly identity: Uint8Array; readonly key: Uint8Array }
}

export const DEFAULT_SSID = 101
const NONE: Value = { type: 'none', value: null }
const str = (value: string): Value => ({ type: 'string', value })
const int = (value: number): Value => ({ type: 'integer', value })
const bool = (value: boolean): Value => ({ type: 'boolean', value })
const opaque = (): Value => EMPTY_OPAQUE

/** /3/0 for a profile that brings none: enough for every mandatory resource and a firmware version. */
function defaultDevice(endpoint: string, queue: boolean, epoch: number): Map<number, Value | Map<number, Value>> {
  return new Map<number, Value | Map<number, Value>>([
    [0, str('LwM2M Workbench')],
    [1, str('Simulated device')],
    [2, str(endpoint)],
    [3, str('1.0.0')],
    [4, NONE],
    [5, NONE],
    [9, int(100)],
    [11, new Map([[0, int(0)]])],
    [12, NONE],
    [13, { type: 'time', value: epoch }],
    [16, str(queue ? 'UQ' : 'U')],
    [17, str('simulator')]
  ])
}

export function planDevice(input: DevicePlanInput): DevicePlan {
  const { profile, models } = input
  const objects: PlannedObject[] = []
  const sensors: SensorPlan[] = []
  for (const po of profile.objects) {
    if (po.id === 0 || po.id === 1) continue // accounts come from the command line or bootstrap
    const model = models.get(po.id, po.version)
    if (!model) continue
    const instances = po.instances.map((inst) => {
      const data = profileValues(inst, model, input.epochAtStart)
      // Executable resources named in the profile exist (Discover lists them).
      for (const key of Object.keys(inst.resources)) {
        const r = model.resources.find((x) => String(x.id) === key)
        if (r?.operations === 'E') data.set(r.id, NONE)
        const raw = inst.resources[key]
        if (r && raw && typeof raw === 'object' && 'generator' in raw) {
          const { generator, intervalSeconds } = raw as { generator: Generator; intervalSeconds?: number }
          sensors.push({ path: [po.id, inst.id, r.id], generator, intervalSeconds: generatorInterval(generator, intervalSeconds), type: r.type })
        }
      }
      if (po.id === 3 && !data.has(16)) data.set(16, str(input.queue ? 'UQ' : 'U'))
      // "{endpoint}" in a string value becomes the device's endpoint name (a serial number per device).
      for (const [rid, v] of data) {
        if (!(v instanceof Map) && v.type === 'string' && v.value.includes('{endpoint}')) data.set(rid, str(v.value.split('{endpoint}').join(input.endpoint)))
      }
      return { id: inst.id, data }
    })
    objects.push({ id: po.id, version: po.version ?? null, instances })
  }
  if (!objects.some((o) => o.id === 3)) {
    objects.push({ id: 3, version: null, instances: [{ id: 0, data: defaultDevice(input.endpoint, input.queue, input.epochAtStart) }] })
    sensors.push({ path: [3, 0, 13], generator: { kind: 'clock' }, intervalSeconds: 60, type: 'time' })
  }
  objects.sort((a, b) => a.id - b.id)
  return { objects, factory: factoryRecords(input), sensors }
}

/**
 * Factory accounts for `--server` / `--bootstrap`: NoSec (mode 3) for coap://, PSK (mode 0) with
 * the given identity and key for coaps:// (LwM2M Core §E.1: /0/x/3 identity, /0/x/5 key).
 */
export function factoryRecords(input: Pick<DevicePlanInput, 'server' | 'bootstrap' | 'lifetime' | 'queue' | 'psk'>): Lwm2mRecord[] {
  const out: Lwm2mRecord[] = []
  const security = (iid: number, uri: string, bs: boolean): void => {
    const psk = /^coaps:/i.test(uri) ? input.psk : undefined
    out.push(
      { path: [0, iid, 0], value: str(uri) },
      { path: [0, iid, 1], value: bool(bs) },
      { path: [0, iid, 2], value: int(psk ? 0 : 3) },
      { path: [0, iid, 3], value: psk ? { type: 'opaque', value: psk.identity } : opaque() },
      { path: [0, iid, 4], value: opaque() },
      { path: [0, iid, 5], value: psk ? { type: 'opaque', value: psk.key } : opaque() }
    )
    if (!bs) out.push({ path: [0, iid, 10], value: int(DEFAULT_SSID) })
  }
  if (input.bootstrap !== undefined) security(0, input.bootstrap, true)
  if (input.server !== undefined) {
    security(input.bootstrap !== undefined ? 1 : 0, input.server, false)
    out.push(
      { path: [1, 0, 0], value: int(DEFAULT_SSID) },
      { path: [1, 0, 1], value: int(input.lifetime) },
      { path: [1, 0, 6], value: bool(input.queue) },
      { path: [1, 0, 7], value: str('U') }
    )
  }
  return out
}
