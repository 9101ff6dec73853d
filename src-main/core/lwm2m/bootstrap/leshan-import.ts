// SPDX-License-Identifier: Apache-2.0
// Reads the bootstrap configuration file of Eclipse Leshan's demo bootstrap server as it is:
// a JSON object from endpoint name to Leshan's BootstrapConfig, with "toDelete", "servers" and
// "security" keyed by instance id, byte arrays as arrays of signed bytes (or base64) and the
// security mode by name (PSK, RPK, X509, NO_SEC, EST). Facts from Leshan's public classes; the
// reader is our own. Never throws: what it cannot carry over is listed in `problems`.
// Leshan writes its Bootstrap-Server security entry over the client's own account; here that entry
// becomes rotateBootstrapAccount (BS-01), which writes the account Bootstrap-Discover finds, in
// place, so the client never ends up with two (issue 12 item 11).
import { decodeBase64 } from '../formats/base64'
import type { BootstrapConfig, SecurityAccount, ServerAccount } from './config'

const MODES: Record<string, SecurityAccount['securityMode']> = { PSK: 0, RPK: 1, X509: 2, NO_SEC: 3, EST: 4 }

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** True when `json` looks like Leshan's file (endpoint → {toDelete|servers|security}). */
export function isLeshanBootstrapJson(json: unknown): boolean {
  if (!isObj(json)) return false
  const values = Object.values(json)
  return values.length > 0 && values.every((v) => isObj(v) && ('servers' in v || 'security' in v || 'toDelete' in v))
}

export interface LeshanImport {
  readonly configs: BootstrapConfig[]
  readonly problems: string[]
}

export function fromLeshanBootstrapJson(json: unknown): LeshanImport {
  const configs: BootstrapConfig[] = []
  const problems: string[] = []
  if (!isObj(json)) return { configs, problems: ['not a JSON object of endpoint → configuration'] }
  for (const [endpoint, raw] of Object.entries(json)) {
    if (!isObj(raw)) {
      problems.push(`${endpoint}: not an object`)
      continue
    }
    const where = (s: string) => `${endpoint}: ${s}`
    const security: SecurityAccount[] = []
    for (const [iid, s] of Object.entries(isObj(raw.security) ? raw.security : {})) {
      if (!isObj(s) || typeof s.uri !== 'string') {
        problems.push(where(`security ${iid} has no uri`))
        continue
      }
      const mode = typeof s.securityMode === 'number' ? s.securityMode : MODES[String(s.securityMode)]
      if (mode === undefined || mode < 0 || mode > 4) {
        problems.push(where(`security ${iid}: unknown security mode ${JSON.stringify(s.securityMode)}`))
        continue
      }
      const hex = (field: string) => bytesHex(s[field], (m) => problems.push(where(`security ${iid} ${field}: ${m}`)))
      const bootstrapServer = s.bootstrapServer === true
      const identity = hex('publicKeyOrId')
      const serverKey = hex('serverPublicKey')
      const secret = hex('secretKey')
      security.push({
        instanceId: Number(iid),
        uri: s.uri,
        bootstrapServer,
        securityMode: mode as SecurityAccount['securityMode'],
        ...(identity ? { publicKeyOrIdentity: identity, identityEncoding: 'hex' as const } : {}),
        ...(serverKey ? { serverPublicKey: serverKey } : {}),
        ...(secret ? { secretKey: secret, secretKeyEncoding: 'hex' as const } : {}),
        ...(!bootstrapServer && typeof s.serverId === 'number' ? { shortServerId: s.serverId } : {}),
        ...(typeof s.clientOldOffTime === 'number' ? { clientHoldOffTime: s.clientOldOffTime } : {}),
        ...(typeof s.bootstrapServerAccountTimeout === 'number' ? { bootstrapAccountTimeout: s.bootstrapServerAccountTimeout } : {})
      })
      if (s.oscoreSecurityMode !== undefined && s.oscoreSecurityMode !== null) problems.push(where(`security ${iid}: OSCORE link not imported`))
    }
    const servers: ServerAccount[] = []
    for (const [iid, v] of Object.entries(isObj(raw.servers) ? raw.servers : {})) {
      if (!isObj(v) || typeof v.shortId !== 'number') {
        problems.push(where(`server ${iid} has no shortId`))
        continue
      }
      const binding = Array.isArray(v.binding) ? v.binding.join('') : typeof v.binding === 'string' ? v.binding : 'U'
      servers.push({
        instanceId: Number(iid),
        shortServerId: v.shortId,
        lifetime: typeof v.lifetime === 'number' ? v.lifetime : 86400,
        ...(typeof v.defaultMinPeriod === 'number' ? { defaultMinPeriod: v.defaultMinPeriod } : {}),
        ...(typeof v.defaultMaxPeriod === 'number' ? { defaultMaxPeriod: v.defaultMaxPeriod } : {}),
        notificationStoring: v.notifIfDisabled !== false,
        binding
      })
    }
    // ACL instances (/2) become records: object, instance, the per-SSID rights and the owner.
    const otherRecords: { path: string; type: string; value: unknown }[] = []
    for (const [iid, a] of Object.entries(isObj(raw.acls) ? raw.acls : {})) {
      if (!isObj(a)) continue
      otherRecords.push({ path: `/2/${iid}/0`, type: 'integer', value: a.objectId })
      otherRecords.push({ path: `/2/${iid}/1`, type: 'integer', value: a.objectInstanceId })
      for (const [ssid, bits] of Object.entries(isObj(a.acls) ? a.acls : {})) otherRecords.push({ path: `/2/${iid}/2/${ssid}`, type: 'integer', value: bits })
      if (typeof a.AccessControlOwner === 'number') otherRecords.push({ path: `/2/${iid}/3`, type: 'integer', value: a.AccessControlOwner })
    }
    if (isObj(raw.oscore) && Object.keys(raw.oscore).length > 0) problems.push(where('OSCORE objects (/21) are not imported yet'))
    const bsAt = security.findIndex((s) => s.bootstrapServer)
    const bsAccount = bsAt >= 0 ? security.splice(bsAt, 1)[0] : undefined
    const rotate = bsAccount ? (({ instanceId: _i, bootstrapServer: _b, ...rest }) => rest)(bsAccount) : undefined
    configs.push({
      endpoint,
      discoverFirst: true,
      deletePaths: Array.isArray(raw.toDelete) ? raw.toDelete.filter((p): p is string => typeof p === 'string') : [],
      security,
      servers,
      ...(rotate ? { rotateBootstrapAccount: rotate } : {}),
      ...(otherRecords.length ? { otherRecords } : {}),
      contentFormat: 'auto',
      allowPack: true
    })
  }
  return { configs, problems }
}

/** Signed or unsigned byte arrays, or base64 (Jackson's default for byte[]), as lowercase hex. */
function bytesHex(v: unknown, problem: (m: string) => void): string {
  if (v === undefined || v === null) return ''
  let bytes: Uint8Array
  if (Array.isArray(v)) {
    if (!v.every((b) => Number.isInteger(b) && b >= -128 && b <= 255)) {
      problem('not an array of bytes')
      return ''
    }
    bytes = Uint8Array.from(v as number[], (b) => b & 0xff)
  } else if (typeof v === 'string') {
    const d = decodeBase64(v)
    if (!d.ok) {
      problem(`not base64 (${d.reason})`)
      return ''
    }
    bytes = d.bytes
  } else {
    problem('not bytes')
    return ''
  }
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}
