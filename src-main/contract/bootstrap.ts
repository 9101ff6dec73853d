// SPDX-License-Identifier: Apache-2.0
// Bootstrap configurations (docs/bootstrap-config.md) and runs, with the schema that validates
// them wherever they come from: the UI, the CLI, an imported JSON file.
import type { BootstrapConfig } from '../core/lwm2m/bootstrap/config'
import { array, boolean, integer, json, literal, object, optional, string } from './schema'

export type { BootstrapConfig } from '../core/lwm2m/bootstrap/config'

const hex = string({ maxLength: 8192, pattern: /^([0-9a-fA-F]{2})*$/ })
const id = integer(0, 65534)

const credentials = {
  uri: string({ minLength: 1, maxLength: 255 }),
  securityMode: literal(0, 1, 2, 3, 4),
  publicKeyOrIdentity: optional(hex),
  serverPublicKey: optional(hex),
  secretKey: optional(hex),
  shortServerId: optional(integer(1, 65534)),
  clientHoldOffTime: optional(integer(0, 0xffffffff)),
  bootstrapAccountTimeout: optional(integer(0, 0xffffffff))
}

export const BOOTSTRAP_CONFIG_SCHEMA = object({
  endpoint: string({ minLength: 1, maxLength: 256 }),
  discoverFirst: boolean(),
  deletePaths: array(string({ pattern: /^\/[0-9/]*$/, maxLength: 32 }), 64),
  security: array(object({ instanceId: id, bootstrapServer: boolean(), ...credentials }), 64),
  servers: array(
    object({
      instanceId: id,
      shortServerId: integer(1, 65534),
      lifetime: integer(0, 0xffffffff),
      defaultMinPeriod: optional(integer(0, 0xffffffff)),
      defaultMaxPeriod: optional(integer(0, 0xffffffff)),
      notificationStoring: boolean(),
      binding: string({ minLength: 1, maxLength: 8 })
    }),
    64
  ),
  rotateBootstrapAccount: optional(object(credentials)),
  otherRecords: optional(array(object({ path: string({ maxLength: 32 }), type: string({ maxLength: 10 }), value: json(4) }), 10_000)),
  readPaths: optional(array(string({ pattern: /^\/[0-9/]*$/, maxLength: 32 }), 64)),
  contentFormat: string({ minLength: 1, maxLength: 20 }),
  allowPack: boolean()
})

export interface BootstrapConfigEntry {
  readonly endpoint: string
  readonly config: BootstrapConfig
  readonly updatedAt: string
  /** Problems that would stop a run (checkConfig), shown before the device finds out. */
  readonly problems: readonly string[]
}

export interface BootstrapStepDto {
  readonly operation: string
  readonly path: string
  readonly request: string
  readonly code: string | null
  readonly meaning: string
  readonly at: string
  readonly durationMs: number
}

export interface BootstrapRunDto {
  readonly id: string
  readonly endpoint: string
  readonly kind: 'request' | 'pack'
  readonly peer: string
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly outcome: 'running' | 'success' | 'failed'
  readonly detail: string
  readonly format: number | null
  readonly clientVersion: string | null
  readonly steps: readonly BootstrapStepDto[]
}
