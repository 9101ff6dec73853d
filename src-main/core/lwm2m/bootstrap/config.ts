// SPDX-License-Identifier: Apache-2.0
// A bootstrap configuration: what the Bootstrap Server puts into one device (or into every device
// without one of its own). Stored and exchanged as JSON; docs/bootstrap-config.md documents it.
import { CF, type ContentFormat } from '../content-format'
import type { Lwm2mRecord } from '../record'

/** One /0 LwM2M Security instance (facts §5, Object 0). Keys and identities are hex. */
export interface SecurityAccount {
  readonly instanceId: number
  /** /0/x/0 */
  readonly uri: string
  /** /0/x/1: true for the Bootstrap-Server account. */
  readonly bootstrapServer: boolean
  /** /0/x/2: 0 PSK, 1 RPK, 2 Certificate, 3 NoSec, 4 Certificate with EST. */
  readonly securityMode: 0 | 1 | 2 | 3 | 4
  /** /0/x/3 PSK identity, RPK or certificate (hex). */
  readonly publicKeyOrIdentity?: string
  /** /0/x/4 server public key or certificate (hex). */
  readonly serverPublicKey?: string
  /** /0/x/5 PSK or private key (hex). A secret: never logged. */
  readonly secretKey?: string
  /** /0/x/10, required for a server (non-bootstrap) account. */
  readonly shortServerId?: number
  /** /0/x/11 */
  readonly clientHoldOffTime?: number
  /** /0/x/12 */
  readonly bootstrapAccountTimeout?: number
}

/** One /1 LwM2M Server instance (facts §5, Object 1). */
export interface ServerAccount {
  readonly instanceId: number
  /** /1/x/0, matches /0/y/10 of its security account. */
  readonly shortServerId: number
  /** /1/x/1 seconds */
  readonly lifetime: number
  readonly defaultMinPeriod?: number
  readonly defaultMaxPeriod?: number
  /** /1/x/6 */
  readonly notificationStoring: boolean
  /** /1/x/7 */
  readonly binding: string
}

export interface BootstrapConfig {
  /** The endpoint this configuration is for; "*" is the default for endpoints without their own. */
  readonly endpoint: string
  /** Bootstrap-Discover "/" first: learns the client's version and its BS account (BS-01). */
  readonly discoverFirst: boolean
  /** Bootstrap-Delete these paths before writing ("/0", "/1", "/" …); the client keeps its BS account. */
  readonly deletePaths: readonly string[]
  readonly security: readonly SecurityAccount[]
  readonly servers: readonly ServerAccount[]
  /**
   * BS-01 credential rotation: new credentials for the client's own Bootstrap-Server account,
   * written into the instance Bootstrap-Discover finds (needs discoverFirst).
   */
  readonly rotateBootstrapAccount?: Omit<SecurityAccount, 'instanceId' | 'bootstrapServer'>
  /** Any other instances to write (/2 ACL, /21 OSCORE, …), as records. */
  readonly otherRecords?: readonly { readonly path: string; readonly type: string; readonly value: unknown }[]
  /** Bootstrap-Read these after writing, to check (only /1 and /2 are readable, T Tbl 6.4.2-1). */
  readonly readPaths?: readonly string[]
  /** "auto" follows the client's version and pct (VER-01); or a format name/number. */
  readonly contentFormat: 'auto' | string
  /** Answer Bootstrap-Pack-Request (Opt-01); false answers 4.05. */
  readonly allowPack: boolean
}

/** Security and Server accounts as records (the payload of Bootstrap-Write and of the Pack). */
export function accountRecords(config: BootstrapConfig): Lwm2mRecord[] {
  const out: Lwm2mRecord[] = []
  const opaque = (hex: string) => Uint8Array.from((hex.match(/../g) ?? []).map((b) => parseInt(b, 16)))
  for (const s of config.security) {
    const i = s.instanceId
    out.push({ path: [0, i, 0], value: { type: 'string', value: s.uri } })
    out.push({ path: [0, i, 1], value: { type: 'boolean', value: s.bootstrapServer } })
    out.push({ path: [0, i, 2], value: { type: 'integer', value: s.securityMode } })
    out.push({ path: [0, i, 3], value: { type: 'opaque', value: opaque(s.publicKeyOrIdentity ?? '') } })
    out.push({ path: [0, i, 4], value: { type: 'opaque', value: opaque(s.serverPublicKey ?? '') } })
    out.push({ path: [0, i, 5], value: { type: 'opaque', value: opaque(s.secretKey ?? '') } })
    if (s.shortServerId !== undefined) out.push({ path: [0, i, 10], value: { type: 'integer', value: s.shortServerId } })
    if (s.clientHoldOffTime !== undefined) out.push({ path: [0, i, 11], value: { type: 'integer', value: s.clientHoldOffTime } })
    if (s.bootstrapAccountTimeout !== undefined)
      out.push({ path: [0, i, 12], value: { type: 'integer', value: s.bootstrapAccountTimeout } })
  }
  for (const v of config.servers) {
    const i = v.instanceId
    out.push({ path: [1, i, 0], value: { type: 'integer', value: v.shortServerId } })
    out.push({ path: [1, i, 1], value: { type: 'integer', value: v.lifetime } })
    if (v.defaultMinPeriod !== undefined) out.push({ path: [1, i, 2], value: { type: 'integer', value: v.defaultMinPeriod } })
    if (v.defaultMaxPeriod !== undefined) out.push({ path: [1, i, 3], value: { type: 'integer', value: v.defaultMaxPeriod } })
    out.push({ path: [1, i, 6], value: { type: 'boolean', value: v.notificationStoring } })
    out.push({ path: [1, i, 7], value: { type: 'string', value: v.binding } })
  }
  return out
}

/** Checks a configuration's internal consistency; returns the problems (empty when usable). */
export function checkConfig(c: BootstrapConfig): string[] {
  const problems: string[] = []
  const ssids = new Set<number>()
  const secIds = new Set<number>()
  for (const s of c.security) {
    if (secIds.has(s.instanceId)) problems.push(`/0/${s.instanceId} appears twice`)
    secIds.add(s.instanceId)
    if (!/^(coaps?|coaps?\+tcp|coaps?\+ws|mqtts?|https?|lorawan):/.test(s.uri)) problems.push(`/0/${s.instanceId}: "${s.uri}" is not an LwM2M server URI`)
    if (!s.bootstrapServer) {
      if (s.shortServerId === undefined) problems.push(`/0/${s.instanceId}: a server account needs a Short Server ID (/0/x/10)`)
      else ssids.add(s.shortServerId)
    }
    if (s.securityMode === 0 && (!s.publicKeyOrIdentity || !s.secretKey)) problems.push(`/0/${s.instanceId}: PSK mode needs an identity and a key`)
    for (const k of ['publicKeyOrIdentity', 'serverPublicKey', 'secretKey'] as const) {
      const v = s[k]
      if (v !== undefined && !/^([0-9a-fA-F]{2})*$/.test(v)) problems.push(`/0/${s.instanceId}: ${k} must be hex`)
    }
  }
  if (c.security.filter((s) => s.bootstrapServer).length > 1) problems.push('at most one Bootstrap-Server account (/0/x/1 = true)')
  for (const v of c.servers) {
    if (v.shortServerId < 1 || v.shortServerId > 65534) problems.push(`/1/${v.instanceId}: Short Server ID must be 1..65534`)
    if (!ssids.has(v.shortServerId)) problems.push(`/1/${v.instanceId}: no /0 account has Short Server ID ${v.shortServerId}`)
  }
  if (c.rotateBootstrapAccount && !c.discoverFirst) problems.push('rotating the bootstrap account needs discoverFirst (to find its instance)')
  return problems
}

/** VER-01: the format to write with: the client's pct if we can, TLV for 1.0, SenML CBOR after. */
export function chooseFormat(configured: string, version: string | null, pct: number | null, available: readonly ContentFormat[]): ContentFormat {
  if (configured !== 'auto') {
    const n = Number(configured)
    if (Number.isInteger(n)) return n
  }
  if (pct !== null && available.includes(pct)) return pct
  if (version === null || version === '1.0') return CF.TLV
  return available.includes(CF.SENML_CBOR) ? CF.SENML_CBOR : CF.TLV
}
