// SPDX-License-Identifier: Apache-2.0
// Bootstrap configurations (docs/bootstrap-config.md) and runs, with the schema that validates
// them wherever they come from: the UI, the CLI, an imported JSON file.
import type { BootstrapConfig } from '../core/lwm2m/bootstrap/config'
import { array, boolean, integer, json, literal, object, optional, string } from './schema'

export type { BootstrapConfig } from '../core/lwm2m/bootstrap/config'

const hex = string({ maxLength: 8192, pattern: /^([0-9a-fA-F]{2})*$/ })
// Identity and key are checked against their encoding field by checkConfig (core/psk-entry.ts),
// which names what is wrong in words; the schema only bounds their size.
const encoded = string({ maxLength: 8192 })
const id = integer(0, 65534)

const credentials = {
  uri: string({ maxLength: 255 }),
  securityMode: literal(0, 1, 2, 3, 4),
  publicKeyOrIdentity: optional(encoded),
  /** Absent in configurations stored before it existed: read as "hex". */
  identityEncoding: optional(literal('text', 'hex')),
  serverPublicKey: optional(hex),
  secretKey: optional(encoded),
  /** Absent in configurations stored before it existed: read as "hex". */
  secretKeyEncoding: optional(literal('hex', 'base64')),
  shortServerId: optional(integer(1, 65534)),
  clientHoldOffTime: optional(integer(0, 0xffffffff)),
  bootstrapAccountTimeout: optional(integer(0, 0xffffffff))
}

export const BOOTSTRAP_CONFIG_SCHEMA = object({
  endpoint: string({ maxLength: 1024 }),
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
  /** Worth a look, but no obstacle (e.g. a URI scheme this workbench does not serve yet). */
  readonly warnings: readonly string[]
}

/** bootstrap.configs.check: what saving and running this configuration would run into. */
export interface BootstrapConfigReview {
  readonly problems: readonly string[]
  readonly warnings: readonly string[]
}

/** One value a run wrote; secrets are masked ("•••• (16 bytes, hidden)"). */
export interface BootstrapWrittenValueDto {
  readonly path: string
  readonly type: string
  readonly value: string
}

/** An instance a run wrote, as the configuration named it and as written (they differ when moved). */
export interface BootstrapInstanceDto {
  readonly configured: string
  readonly used: string
  readonly note: string | null
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
  /** 'shell': written through a device shell on a serial line (serial.provision). */
  readonly kind: 'request' | 'pack' | 'shell'
  readonly peer: string
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly outcome: 'running' | 'success' | 'failed'
  readonly detail: string
  readonly format: number | null
  readonly clientVersion: string | null
  readonly steps: readonly BootstrapStepDto[]
  /** The configuration used: the endpoint's own or the "*" default (null in runs recorded before). */
  readonly config: { readonly endpoint: string; readonly matched: 'endpoint' | 'default' } | null
  /** The client's Bootstrap-Server account (/0 instance) as Discover or `acc` showed it. */
  readonly bootstrapAccount: number | null
  readonly instances: readonly BootstrapInstanceDto[]
  readonly written: readonly BootstrapWrittenValueDto[]
}
