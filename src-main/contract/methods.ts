// SPDX-License-Identifier: Apache-2.0
// The one contract: method names (`domain.verb`) to param schemas and result types. Adding a
// method means adding it here, writing its service and one line in the dispatcher table.
import type { ModelDetail, ModelFoldersResult, ModelsOverview } from './models'
import { array, integer, object, optional, string, json, type Infer, type Json, type Schema } from './schema'
import type { Settings } from './settings'
import type { SystemInfo } from './system'

export const METHOD_PARAMS = {
  'system.info': object({}),
  'settings.get': object({ keys: optional(array(string({ maxLength: 200 }), 200)) }),
  'settings.set': object({ key: string({ maxLength: 200 }), value: json() }),
  'models.list': object({ query: optional(string({ maxLength: 200 })) }),
  'models.get': object({ id: integer(0, 65534), version: optional(string({ maxLength: 20, pattern: /^[0-9]+(\.[0-9]+)*$/ })) }),
  'models.addFolder': object({ folder: string({ minLength: 1, maxLength: 4096 }) }),
  'models.removeFolder': object({ folder: string({ minLength: 1, maxLength: 4096 }) }),
  'models.reload': object({})
} as const satisfies Record<string, Schema<unknown>>

export interface MethodResults {
  'system.info': SystemInfo
  'settings.get': { settings: Partial<Settings> }
  'settings.set': { key: string; value: Json }
  'models.list': ModelsOverview
  'models.get': ModelDetail
  'models.addFolder': ModelFoldersResult
  'models.removeFolder': ModelFoldersResult
  'models.reload': ModelFoldersResult
}

export type Method = keyof typeof METHOD_PARAMS
export type Params<M extends Method> = Infer<(typeof METHOD_PARAMS)[M]>
export type Result<M extends Method> = MethodResults[M]

export const METHODS = Object.keys(METHOD_PARAMS) as Method[]

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(METHOD_PARAMS, name)
}
