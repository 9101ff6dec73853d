// SPDX-License-Identifier: Apache-2.0
// Every known version of every object, in memory. A client names a version with `ver=`
// (C §7.2.2); without one, or for a version we lack, the newest model is the best guess.
import type { ObjectId } from '../ids'
import type { ModelLookup, ObjectModel } from '../model'

/** Where a model came from: shipped with the app, or loaded by the user. */
export type ModelSource = 'shipped' | 'user'

export interface ModelEntry {
  readonly model: ObjectModel
  readonly source: ModelSource
}

/** Compares dotted versions numerically ("1.10" > "1.2"); a missing part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.')
  const pb = b.split('.')
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0'
    const y = pb[i] ?? '0'
    const nx = /^[0-9]+$/.test(x) ? Number(x) : NaN
    const ny = /^[0-9]+$/.test(y) ? Number(y) : NaN
    // Non-numeric parts are not expected (DDF versions are digits); order them stably anyway.
    const d = Number.isNaN(nx) || Number.isNaN(ny) ? (x < y ? -1 : x > y ? 1 : 0) : nx - ny
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

export class ModelRegistry implements ModelLookup {
  // id -> entries sorted by ascending version
  private readonly byId = new Map<ObjectId, ModelEntry[]>()

  /**
   * Stores a model. A user model replaces a shipped one of the same id and version (the user
   * knows their device); a shipped model never replaces a user one; otherwise the later wins.
   * Returns false when the model was not stored.
   */
  add(model: ObjectModel, source: ModelSource = 'user'): boolean {
    const list = this.byId.get(model.id) ?? []
    const at = list.findIndex((e) => compareVersions(e.model.version, model.version) === 0)
    if (at >= 0) {
      if ((list[at] as ModelEntry).source === 'user' && source === 'shipped') return false
      list[at] = { model, source }
    } else {
      list.push({ model, source })
      list.sort((a, b) => compareVersions(a.model.version, b.model.version))
    }
    this.byId.set(model.id, list)
    return true
  }

  get(id: ObjectId, version?: string): ObjectModel | undefined {
    return this.entry(id, version)?.model
  }

  /** Like get, with where the model came from. */
  entry(id: ObjectId, version?: string): ModelEntry | undefined {
    const list = this.byId.get(id)
    if (!list || list.length === 0) return undefined
    if (version !== undefined) {
      const exact = list.find((e) => compareVersions(e.model.version, version) === 0)
      if (exact) return exact
    }
    return list[list.length - 1]
  }

  /** The newest model of each object, by id. */
  list(): ObjectModel[] {
    return [...this.byId.keys()]
      .sort((a, b) => a - b)
      .map((id) => (this.byId.get(id) as ModelEntry[]).at(-1) as ModelEntry)
      .map((e) => e.model)
  }

  /** Every model of every object, by id then version. */
  all(): ObjectModel[] {
    return [...this.byId.keys()]
      .sort((a, b) => a - b)
      .flatMap((id) => (this.byId.get(id) as ModelEntry[]).map((e) => e.model))
  }

  /** Known versions of an object, oldest first ([] when unknown). */
  versions(id: ObjectId): string[] {
    return (this.byId.get(id) ?? []).map((e) => e.model.version)
  }

  get size(): number {
    let n = 0
    for (const l of this.byId.values()) n += l.length
    return n
  }
}
