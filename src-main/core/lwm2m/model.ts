// SPDX-License-Identifier: Apache-2.0
// Object and resource definitions, as the OMA DDF XML files state them (facts only, no prose).
import type { ObjectId, ResourceId } from './ids'
import type { ResourceType } from './value'

/** DDF <Operations>: empty means reachable only by Bootstrap/Smartcard, never by DM. */
export type Operations = '' | 'R' | 'W' | 'RW' | 'E'

export interface ResourceModel {
  readonly id: ResourceId
  readonly name: string
  readonly operations: Operations
  readonly multiple: boolean
  readonly mandatory: boolean
  readonly type: ResourceType
  /** DDF <RangeEnumeration> as written ("0..255", "1..65534", "6", ""), or "" when absent. */
  readonly range: string
  readonly units: string
  /** The DDF's <Description>, for people; "" when absent. Optional: hand-built models may omit it. */
  readonly description?: string
}

export interface ObjectModel {
  readonly id: ObjectId
  readonly name: string
  /** Object version ("1.0" when the DDF gives none). */
  readonly version: string
  /** LwM2M enabler version the object was written for ("1.0" when absent). */
  readonly lwm2mVersion: string
  readonly urn: string
  readonly multiple: boolean
  readonly mandatory: boolean
  /** The DDF's <Description1>, for people; "" when absent. */
  readonly description?: string
  /** Sorted by id. */
  readonly resources: readonly ResourceModel[]
}

/** Looks models up by object id and, where a client announced one with `ver=`, by version. */
export interface ModelLookup {
  /** The model for `id` at `version`, or the newest one when `version` is absent or unknown. */
  get(id: ObjectId, version?: string): ObjectModel | undefined
}

export function findResource(model: ObjectModel, id: ResourceId): ResourceModel | undefined {
  return model.resources.find((r) => r.id === id)
}
