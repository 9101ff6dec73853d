// SPDX-License-Identifier: Apache-2.0
// Resource types for decoders: the model says what a value is (C App. C Tbl C-1), the wire often
// does not. One cache per decode keeps model lookups off the per-record hot path.
import type { ModelLookup, ResourceModel } from '../model'
import type { Path } from '../path'
import type { ResourceType } from '../value'

export class ModelTyper {
  private readonly cache = new Map<number, ResourceModel | null>()
  private lastKey = -1
  private lastHit: ResourceModel | undefined = undefined

  constructor(private readonly models: ModelLookup | undefined) {}

  /** The resource model of a resource or resource-instance path, or undefined when unknown. */
  resource(path: Path): ResourceModel | undefined {
    if (this.models === undefined || path.length < 3) return undefined
    const key = (path[0] as number) * 65536 + (path[2] as number)
    // Payloads repeat one resource across instances (/3303/*/5700): check the last hit first.
    if (key === this.lastKey) return this.lastHit
    let hit = this.cache.get(key)
    if (hit === undefined) {
      const model = this.models.get(path[0] as number)
      hit = model?.resources.find((r) => r.id === path[2]) ?? null
      this.cache.set(key, hit)
    }
    this.lastKey = key
    this.lastHit = hit ?? undefined
    return this.lastHit
  }

  type(path: Path): ResourceType | undefined {
    return this.resource(path)?.type
  }
}
