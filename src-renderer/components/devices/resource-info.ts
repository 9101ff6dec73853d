// SPDX-License-Identifier: Apache-2.0
// A path's name and unit from the object models (issue 13 items 5 and 12): "Temperature",
// "Cel", and the plot's series label "Sensor Value (/3303/0/5700) Cel". Structural types only.

interface ModelLike {
  readonly model: { readonly name: string; readonly resources: readonly { readonly id: number; readonly name: string; readonly units?: string | undefined }[] }
}

export interface ResourceInfo {
  readonly name: string
  /** '' when the model gives none. */
  readonly units: string
}

/** "/3303/0/5700" or "/3303/0/5700/1" (a resource instance) → the resource's name and unit. */
export function resourceInfo(models: ReadonlyMap<number, ModelLike>, path: string): ResourceInfo | null {
  const [oid, , rid] = path.split('/').filter(Boolean).map(Number)
  if (oid === undefined || rid === undefined || Number.isNaN(rid)) return null
  const r = models.get(oid)?.model.resources.find((x) => x.id === rid)
  return r ? { name: r.name, units: r.units?.trim() ?? '' } : null
}

/** "Sensor Value (/3303/0/5700) Cel", or the bare path when no model names it. */
export function seriesLabel(models: ReadonlyMap<number, ModelLike>, path: string): string {
  const info = resourceInfo(models, path)
  if (!info) return path
  return `${info.name} (${path})${info.units ? ' ' + info.units : ''}`
}
