// SPDX-License-Identifier: Apache-2.0
// What a simulated client holds: objects, their instances and resource values, typed by the
// models. Only values that exist are stored (Create with partial resources creates only those,
// DMSE-02). Every change is reported once, with its path, so reporting and registration can react.
import { MAX_ID, type InstanceId, type ObjectId, type ResourceId } from '../ids'
import { findResource, type ModelLookup, type ObjectModel, type ResourceModel } from '../model'
import type { Path } from '../path'
import type { Lwm2mRecord } from '../record'
import type { Value } from '../value'

/** A single resource's value, or a multiple resource's instances. */
export type Stored = Value | Map<number, Value>
export type InstanceData = Map<ResourceId, Stored>

interface ObjectEntry {
  readonly model: ObjectModel | undefined
  /** Announced with `ver=` when not the model's default. */
  version: string | null
  readonly instances: Map<InstanceId, InstanceData>
}

export function isMultiple(s: Stored): s is Map<number, Value> {
  return s instanceof Map
}

/**
 * The one empty opaque value every tree stores (NoSec accounts carry three each): a typed array
 * and its buffer cost about 200 bytes per copy, and an empty one can be neither changed nor told
 * apart from another.
 */
export const EMPTY_OPAQUE: Value = Object.freeze({ type: 'opaque', value: new Uint8Array(0) })

function interned(v: Value): Value {
  return v.type === 'opaque' && v.value.length === 0 ? EMPTY_OPAQUE : v
}

function internedStored(s: Stored): Stored {
  if (!isMultiple(s)) return interned(s)
  for (const [k, v] of s) if (v.type === 'opaque' && v.value.length === 0) s.set(k, EMPTY_OPAQUE)
  return s
}

export class ObjectTree {
  private readonly objects = new Map<ObjectId, ObjectEntry>()
  /** Called after every change with the shallowest path that changed. */
  onChange: (path: Path) => void = () => undefined

  constructor(readonly models: ModelLookup) {}

  model(objectId: ObjectId): ObjectModel | undefined {
    return this.objects.get(objectId)?.model ?? this.models.get(objectId)
  }

  resourceModel(objectId: ObjectId, resourceId: ResourceId): ResourceModel | undefined {
    const m = this.model(objectId)
    return m ? findResource(m, resourceId) : undefined
  }

  /** Makes an object present (with no instances) so it is announced in Register. */
  addObject(objectId: ObjectId, version: string | null = null): void {
    const e = this.objects.get(objectId)
    if (e) {
      if (version !== null) e.version = version
      return
    }
    this.objects.set(objectId, { model: this.models.get(objectId, version ?? undefined), version, instances: new Map() })
  }

  hasObject(objectId: ObjectId): boolean {
    return this.objects.has(objectId)
  }

  objectIds(): ObjectId[] {
    return [...this.objects.keys()].sort((a, b) => a - b)
  }

  version(objectId: ObjectId): string | null {
    const e = this.objects.get(objectId)
    return e?.version ?? e?.model?.version ?? null
  }

  instanceIds(objectId: ObjectId): InstanceId[] {
    const e = this.objects.get(objectId)
    return e ? [...e.instances.keys()].sort((a, b) => a - b) : []
  }

  instance(objectId: ObjectId, instanceId: InstanceId): InstanceData | undefined {
    return this.objects.get(objectId)?.instances.get(instanceId)
  }

  hasInstance(objectId: ObjectId, instanceId: InstanceId): boolean {
    return this.instance(objectId, instanceId) !== undefined
  }

  /** The lowest free instance id, or null when all 65535 are taken. */
  freeInstanceId(objectId: ObjectId): InstanceId | null {
    const e = this.objects.get(objectId)
    if (!e) return 0
    for (let i = 0; i < MAX_ID; i++) if (!e.instances.has(i)) return i
    return null
  }

  get(path: Path): Stored | Value | undefined {
    if (path.length < 3) return undefined
    const data = this.instance(path[0] as number, path[1] as number)
    const s = data?.get(path[2] as number)
    if (s === undefined || path.length === 3) return s
    return isMultiple(s) ? s.get(path[3] as number) : undefined
  }

  /** A single resource's value (undefined when absent or multiple). */
  value(objectId: ObjectId, instanceId: InstanceId, resourceId: ResourceId): Value | undefined {
    const s = this.instance(objectId, instanceId)?.get(resourceId)
    return s === undefined || isMultiple(s) ? undefined : s
  }

  /** Creates (or replaces) an instance with `data`; the object is added when missing. */
  putInstance(objectId: ObjectId, instanceId: InstanceId, data: InstanceData): void {
    this.addObject(objectId)
    for (const [rid, v] of data) {
      const kept = internedStored(v)
      if (kept !== v) data.set(rid, kept)
    }
    ;(this.objects.get(objectId) as ObjectEntry).instances.set(instanceId, data)
    this.onChange([objectId, instanceId])
  }

  /** Sets one resource (or resource instance); the instance must exist. */
  set(path: readonly [ObjectId, InstanceId, ResourceId] | readonly [ObjectId, InstanceId, ResourceId, number], value: Stored): void {
    const data = this.instance(path[0], path[1])
    if (!data) return
    if (path.length === 4) {
      const s = data.get(path[2])
      const map = s !== undefined && isMultiple(s) ? s : new Map<number, Value>()
      map.set(path[3], interned(value as Value))
      data.set(path[2], map)
    } else {
      data.set(path[2], internedStored(value))
    }
    this.onChange(path)
  }

  deleteInstance(objectId: ObjectId, instanceId: InstanceId): boolean {
    const gone = this.objects.get(objectId)?.instances.delete(instanceId) ?? false
    if (gone) this.onChange([objectId, instanceId])
    return gone
  }

  deleteResourceInstance(path: readonly [ObjectId, InstanceId, ResourceId, number]): boolean {
    const s = this.instance(path[0], path[1])?.get(path[2])
    const gone = s !== undefined && isMultiple(s) && s.delete(path[3])
    if (gone) this.onChange(path)
    return gone
  }

  /** Records for everything at or under `path` that exists (for Read and notifications). */
  records(path: Path): Lwm2mRecord[] {
    const out: Lwm2mRecord[] = []
    const objectIds = path.length === 0 ? this.objectIds() : [path[0] as number]
    for (const o of objectIds) {
      const iids = path.length >= 2 ? [path[1] as number] : this.instanceIds(o)
      for (const i of iids) {
        const data = this.instance(o, i)
        if (!data) continue
        const rids = path.length >= 3 ? [path[2] as number] : [...data.keys()].sort((a, b) => a - b)
        for (const r of rids) {
          const s = data.get(r)
          if (s === undefined) continue
          if (!isMultiple(s)) {
            if (path.length < 4) out.push({ path: [o, i, r], value: s })
            continue
          }
          const ris = path.length === 4 ? [path[3] as number] : [...s.keys()].sort((a, b) => a - b)
          for (const ri of ris) {
            const v = s.get(ri)
            if (v !== undefined) out.push({ path: [o, i, r, ri], value: v })
          }
        }
      }
    }
    return out
  }

  /** Whether something exists at `path` (the root always does; an object once added). */
  exists(path: Path): boolean {
    if (path.length === 0) return true
    if (path.length === 1) return this.hasObject(path[0])
    if (path.length === 2) return this.hasInstance(path[0], path[1])
    return this.get(path) !== undefined
  }
}
