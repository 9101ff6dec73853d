// SPDX-License-Identifier: Apache-2.0
// A bootstrap configuration: what the Bootstrap Server puts into one device (or into every device
// without one of its own). Stored and exchanged as JSON; docs/bootstrap-config.md documents it.
import { parseBase64, parseHex, pskIdentity, pskKey, type EntryResult, type IdentityEncoding, type KeyEncoding } from '../../psk-entry'
import { CF, type ContentFormat } from '../content-format'
import { endpointNameProblem } from '../endpoint-name'
import type { Lwm2mRecord } from '../record'
import { checkServerUri, LWM2M_SCHEMES } from '../server-uri'

/**
 * One /0 LwM2M Security instance (facts §5, Object 0). Binary values are hex unless an encoding
 * field says otherwise; configurations stored before those fields existed read as hex.
 */
export interface SecurityAccount {
  readonly instanceId: number
  /** /0/x/0 */
  readonly uri: string
  /** /0/x/1: true for the Bootstrap-Server account. */
  readonly bootstrapServer: boolean
  /** /0/x/2: 0 PSK, 1 RPK, 2 Certificate, 3 NoSec, 4 Certificate with EST. */
  readonly securityMode: 0 | 1 | 2 | 3 | 4
  /** /0/x/3 PSK identity, RPK or certificate, in `identityEncoding`. */
  readonly publicKeyOrIdentity?: string
  /** How publicKeyOrIdentity is typed: "text" (UTF-8, e.g. the endpoint name) or "hex" (the default). */
  readonly identityEncoding?: IdentityEncoding
  /** /0/x/4 server public key or certificate (hex). */
  readonly serverPublicKey?: string
  /** /0/x/5 PSK or private key, in `secretKeyEncoding`. A secret: never logged. */
  readonly secretKey?: string
  /** How secretKey is typed: "hex" (the default) or "base64". Said, never guessed. */
  readonly secretKeyEncoding?: KeyEncoding
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
  for (const s of config.security) {
    const i = s.instanceId
    const b = securityBytes(s)
    out.push({ path: [0, i, 0], value: { type: 'string', value: s.uri } })
    out.push({ path: [0, i, 1], value: { type: 'boolean', value: s.bootstrapServer } })
    out.push({ path: [0, i, 2], value: { type: 'integer', value: s.securityMode } })
    out.push({ path: [0, i, 3], value: { type: 'opaque', value: b.identity } })
    out.push({ path: [0, i, 4], value: { type: 'opaque', value: b.serverKey } })
    out.push({ path: [0, i, 5], value: { type: 'opaque', value: b.secret } })
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

/** The bytes of /0/x/3, /0/x/4 and /0/x/5 as configured (empty where absent or unreadable). */
export function securityBytes(s: Omit<SecurityAccount, 'instanceId' | 'bootstrapServer'>): { identity: Uint8Array; serverKey: Uint8Array; secret: Uint8Array } {
  const get = (r: EntryResult | null) => (r?.ok ? r.bytes : new Uint8Array())
  return { identity: get(identityEntry(s)), serverKey: get(s.serverPublicKey ? parseHex(s.serverPublicKey, 'serverPublicKey') : null), secret: get(keyEntry(s)) }
}

// A PSK account (mode 0) gets the PSK rules (lengths, non-empty); other modes carry keys or
// certificates of any length, so only their encoding is checked.
function identityEntry(s: Omit<SecurityAccount, 'instanceId' | 'bootstrapServer'>): EntryResult | null {
  const v = s.publicKeyOrIdentity
  if (v === undefined || v === '') return null
  const enc = s.identityEncoding ?? 'hex'
  if (s.securityMode === 0) return pskIdentity(v, enc)
  return enc === 'text' ? { ok: true, bytes: new TextEncoder().encode(v), warning: null } : parseHex(v, 'publicKeyOrIdentity')
}

function keyEntry(s: Omit<SecurityAccount, 'instanceId' | 'bootstrapServer'>): EntryResult | null {
  const v = s.secretKey
  if (v === undefined || v === '') return null
  if (s.securityMode === 0) return pskKey(v, s.secretKeyEncoding ?? 'hex')
  return s.secretKeyEncoding === 'base64' ? parseBase64(v, 'secretKey') : parseHex(v, 'secretKey')
}

export interface ConfigReview {
  /** What stops the configuration from being saved or run. */
  readonly problems: string[]
  /** Usable as it stands, but worth a look. */
  readonly warnings: string[]
}

export interface ReviewOptions {
  /** URI schemes this tool's servers answer today (others draw a warning); default: all of them. */
  readonly servedSchemes?: readonly string[]
}

/** Checks a configuration: its problems block saving and every run; its warnings do not. */
export function checkConfig(c: BootstrapConfig, opts: ReviewOptions = {}): ConfigReview {
  const served = opts.servedSchemes ?? LWM2M_SCHEMES
  const problems: string[] = []
  const warnings: string[] = []
  // Item 7: the one endpoint-name rule; "*" is the default configuration's name.
  if (c.endpoint !== '*') {
    const p = endpointNameProblem(c.endpoint)
    if (p) problems.push(p)
  }
  const ssids = new Set<number>()
  const secIds = new Set<number>()
  const account = (where: string, s: Omit<SecurityAccount, 'instanceId' | 'bootstrapServer'>) => {
    const u = checkServerUri(s.uri, served)
    if (u.problem) problems.push(`${where}: ${u.problem}`)
    if (u.warning) warnings.push(`${where}: ${u.warning}`)
    const id = identityEntry(s)
    const key = keyEntry(s)
    if (s.securityMode === 0 && (!id || !key)) problems.push(`${where}: PSK mode needs an identity and a key`)
    for (const r of [id, key]) {
      if (r && !r.ok) problems.push(`${where}: ${r.problem}`)
      if (r?.ok && r.warning) warnings.push(`${where}: ${r.warning}`)
    }
    if (s.serverPublicKey) {
      const k = parseHex(s.serverPublicKey, 'the server public key')
      if (!k.ok) problems.push(`${where}: ${k.problem}`)
    }
  }
  for (const s of c.security) {
    if (secIds.has(s.instanceId)) problems.push(`/0/${s.instanceId} appears twice`)
    secIds.add(s.instanceId)
    account(`/0/${s.instanceId}`, s)
    if (!s.bootstrapServer) {
      if (s.shortServerId === undefined) problems.push(`/0/${s.instanceId}: a server account needs a Short Server ID (/0/x/10)`)
      else ssids.add(s.shortServerId)
    }
  }
  if (c.security.filter((s) => s.bootstrapServer).length > 1) problems.push('at most one Bootstrap-Server account (/0/x/1 = true)')
  for (const v of c.servers) {
    if (v.shortServerId < 1 || v.shortServerId > 65534) problems.push(`/1/${v.instanceId}: Short Server ID must be 1..65534`)
    if (!ssids.has(v.shortServerId)) problems.push(`/1/${v.instanceId}: no /0 account has Short Server ID ${v.shortServerId}`)
  }
  if (c.rotateBootstrapAccount) {
    if (!c.discoverFirst) problems.push('rotating the bootstrap account needs discoverFirst (to find its instance)')
    account('rotateBootstrapAccount', c.rotateBootstrapAccount)
    if (c.security.some((s) => s.bootstrapServer))
      problems.push('a configuration either rotates the client\'s Bootstrap-Server account (BS-01) or brings one in security[], not both')
  }
  if (!c.discoverFirst && c.security.length > 0)
    warnings.push('discoverFirst is off: a Bootstrap-Request run cannot see the client\'s own Bootstrap-Server account, so a Security instance with the same id would replace it')
  return { problems, warnings }
}

/**
 * Reads a stored or imported configuration as the current schema: configurations written before
 * the encoding fields existed had hex identities and keys, and keep meaning exactly that.
 */
export function readConfig(raw: BootstrapConfig): BootstrapConfig {
  const fill = <T extends Omit<SecurityAccount, 'instanceId' | 'bootstrapServer'>>(s: T): T => ({
    ...s,
    ...(s.publicKeyOrIdentity !== undefined && s.identityEncoding === undefined ? { identityEncoding: 'hex' } : {}),
    ...(s.secretKey !== undefined && s.secretKeyEncoding === undefined ? { secretKeyEncoding: 'hex' } : {})
  })
  return {
    ...raw,
    security: raw.security.map(fill),
    ...(raw.rotateBootstrapAccount ? { rotateBootstrapAccount: fill(raw.rotateBootstrapAccount) } : {})
  }
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
