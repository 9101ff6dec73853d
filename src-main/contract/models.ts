// SPDX-License-Identifier: Apache-2.0
// Object models (OMA DDF) as the contract carries them.
import type { ObjectModel } from '../core/lwm2m/model'

export type { ObjectModel, ResourceModel } from '../core/lwm2m/model'

export type ModelSource = 'shipped' | 'user'

/** One object (newest version) in a list, with the resources that matched a search. */
export interface ObjectSummary {
  readonly id: number
  readonly name: string
  readonly version: string
  readonly versions: readonly string[]
  readonly multiple: boolean
  readonly mandatory: boolean
  readonly resourceCount: number
  readonly source: ModelSource
  /** The object's description from its DDF ("" when it has none). */
  readonly description: string
  /** Resources whose id or name matched the query (empty without a query or when the object matched). */
  readonly matchedResources: readonly { readonly id: number; readonly name: string }[]
}

/** A DDF file or folder that did not load, with the reason. */
export interface ModelProblem {
  readonly file: string
  readonly reason: string
}

export interface ModelsOverview {
  readonly objects: readonly ObjectSummary[]
  /** Objects in the library before filtering. */
  readonly total: number
  readonly folders: readonly string[]
  readonly problems: readonly ModelProblem[]
}

export interface ModelDetail {
  readonly model: ObjectModel
  readonly source: ModelSource
  readonly versions: readonly string[]
}

export interface ModelFoldersResult {
  readonly folders: readonly string[]
  readonly total: number
  readonly problems: readonly ModelProblem[]
}
