// SPDX-License-Identifier: Apache-2.0
// The PKCS#15 pieces LwM2M Core App. G (letters per 1.1.1, unverified for 1.2) puts on a UICC,
// read from their DER (facts §4.1): the application template in EF(DIR), the ODF's dataObjects
// path, and the DODF's data objects, among them the LwM2M oidDO 2.23.43.9.1 naming the path of
// EF LwM2M_Bootstrap. Total: bad bytes give what was understood plus violations.
import { ViolationList, type Violation } from '../violation'
import { child, oidToString, readDer, type DerNode } from './der'

const SECTION = 'PKCS #15 v1.1 / LwM2M Core App. G'

/** The default PKCS#15 AID ("…PKCS-15"), used when EF(DIR) names none. */
export const PKCS15_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35])
/** "lwm2m bootstrap" (facts §4.1). */
export const LWM2M_BOOTSTRAP_OID = '2.23.43.9.1'

export interface Application {
  readonly aid: Uint8Array
  readonly label: string | null
  readonly path: Uint8Array | null
}

/** The application templates (tag 61) in one EF(DIR) record. */
export function parseDirRecord(record: Uint8Array): { applications: Application[]; violations: Violation[] } {
  const r = readDer(record)
  const applications: Application[] = []
  for (const n of r.nodes) {
    if (n.tag !== 0x61) continue
    const aid = child(n, 0x4f)
    if (!aid) continue
    const label = child(n, 0x50)
    const path = child(n, 0x51)
    applications.push({ aid: aid.value.slice(), label: label ? new TextDecoder().decode(label.value) : null, path: path ? path.value.slice() : null })
  }
  return { applications, violations: r.violations }
}

/** Whether an AID is a PKCS#15 application's (its RID and PIX start as the default AID). */
export function isPkcs15Aid(aid: Uint8Array): boolean {
  return aid.length >= PKCS15_AID.length && PKCS15_AID.every((b, i) => aid[i] === b)
}

/** The path of a PKCS15Path (SEQUENCE { path OCTET STRING, ... }) or a bare OCTET STRING. */
function pathOf(node: DerNode | undefined): Uint8Array | null {
  if (!node) return null
  if (node.tag === 0x04) return node.value.slice()
  const p = child(node, 0x04)
  return p ? p.value.slice() : null
}

/** The DODF paths the ODF names (`[7] dataObjects`, tag A7). */
export function parseOdf(bytes: Uint8Array): { dodfPaths: Uint8Array[]; violations: Violation[] } {
  const r = readDer(bytes)
  const dodfPaths: Uint8Array[] = []
  for (const n of r.nodes) {
    if (n.tag !== 0xa7) continue
    const p = pathOf(n.children[0])
    if (p) dodfPaths.push(p)
  }
  return { dodfPaths, violations: r.violations }
}

export type OidEncoding = 'plain' | 'double-wrapped'

export interface DataObject {
  readonly kind: 'opaqueDO' | 'externalIDO' | 'oidDO'
  readonly label: string | null
  readonly applicationName: string | null
  /** CommonObjectFlags: private (bit 0) means access needs authentication (a PIN). */
  readonly private: boolean
  readonly modifiable: boolean
  /** The authId naming the PIN object, hex. */
  readonly authId: string | null
  /** oidDO only: the OID in dotted form and how it was encoded. */
  readonly oid: string | null
  readonly oidEncoding: OidEncoding | null
  /** Where the object's value lives. */
  readonly path: Uint8Array | null
  readonly offset: number
}

/**
 * The OID of an oidDO. The spec's own example wraps the OBJECT IDENTIFIER in a second one
 * (06 06 06 04 67 2B 09 01); Nordic's reader takes both, and so does this.
 */
export function readOid(node: DerNode): { oid: string | null; encoding: OidEncoding } {
  const v = node.value
  if (v.length >= 2 && v[0] === 0x06 && v[1] === v.length - 2) {
    const inner = oidToString(v.subarray(2))
    if (inner !== null) return { oid: inner, encoding: 'double-wrapped' }
  }
  return { oid: oidToString(v), encoding: 'plain' }
}

export function parseDodf(bytes: Uint8Array): { objects: DataObject[]; nodes: DerNode[]; violations: Violation[] } {
  const r = readDer(bytes)
  const v = new ViolationList(100)
  for (const x of r.violations) v.add(x.offset, x.rule, x.section, x.message)
  const objects: DataObject[] = []
  for (const n of r.nodes) {
    const kind = n.tag === 0x30 ? 'opaqueDO' : n.tag === 0xa0 ? 'externalIDO' : n.tag === 0xa1 ? 'oidDO' : null
    if (kind === null) {
      v.add(n.offset, 'pkcs15.dodf-entry', SECTION, `the DODF entry at ${n.offset} has tag ${n.tag.toString(16).toUpperCase()}, not a data object (30, A0, A1); skipped`)
      continue
    }
    const [common, classAttrs] = n.children
    const label = child(common, 0x0c)
    const flags = child(common, 0x03)
    const authId = child(common, 0x04)
    // BIT STRING: first content byte counts unused bits; private is the first named bit.
    const flagBits = flags && flags.value.length >= 2 ? (flags.value[1] as number) : 0
    const appName = child(classAttrs, 0x0c)
    const typeAttrs = n.children.find((c) => c.tag === 0xa1)
    const inner = typeAttrs?.children[0]
    let oid: string | null = null
    let oidEncoding: OidEncoding | null = null
    let path: Uint8Array | null = null
    if (kind === 'oidDO' && inner) {
      const id = child(inner, 0x06)
      if (id) ({ oid, encoding: oidEncoding } = readOid(id))
      path = pathOf(inner.children.find((c) => c.tag === 0x30 || c.tag === 0x04))
      if (!id) v.add(inner.offset, 'pkcs15.oid-missing', SECTION, `the oidDO at ${n.offset} has no OBJECT IDENTIFIER`)
    } else if (inner) path = pathOf(inner)
    const text = (d: DerNode | undefined) => (d ? new TextDecoder().decode(d.value) : null)
    objects.push({
      kind,
      label: text(label),
      applicationName: text(appName),
      private: (flagBits & 0x80) !== 0,
      modifiable: (flagBits & 0x40) !== 0,
      authId: authId ? Array.from(authId.value, (b) => b.toString(16).padStart(2, '0')).join('') : null,
      oid,
      oidEncoding,
      path,
      offset: n.offset
    })
  }
  return { objects, nodes: r.nodes, violations: v.items }
}

/** The LwM2M bootstrap object of a DODF, if it has one. */
export function findLwm2mObject(objects: readonly DataObject[]): DataObject | undefined {
  return objects.find((o) => o.kind === 'oidDO' && o.oid === LWM2M_BOOTSTRAP_OID && o.path !== null)
}

/**
 * A PKCS#15 path as the data of SELECT by path from the MF (P1 = 08), where 7FFF stands for the
 * current application (ETSI TS 102 221 §8.4.2): a leading 3F00 is dropped, and a path relative to
 * the application gets 7FFF in front.
 */
export function selectPath(path: Uint8Array): Uint8Array {
  let p = path
  if (p.length >= 2 && p[0] === 0x3f && p[1] === 0x00) p = p.subarray(2)
  if (p.length >= 2 && p[0] === 0x7f && p[1] === 0xff) return p.slice()
  const out = new Uint8Array(p.length + 2)
  out.set([0x7f, 0xff])
  out.set(p, 2)
  return out
}

export interface FileControl {
  /** Transparent EF: data bytes; linear fixed: record length × count. */
  readonly size: number | null
  readonly fid: number | null
  readonly structure: 'transparent' | 'linear-fixed' | 'cyclic' | 'df' | 'unknown'
  readonly recordLength: number | null
  readonly recordCount: number | null
}

/** The FCP template (tag 62) a SELECT answers with (ETSI TS 102 221 §11.1.1.3). */
export function parseFcp(bytes: Uint8Array): FileControl {
  const fcp = readDer(bytes).nodes.find((n) => n.tag === 0x62)
  const num = (n: DerNode | undefined) => (n && n.value.length > 0 ? n.value.reduce((a, b) => a * 256 + b, 0) : null)
  const desc = child(fcp, 0x82)?.value
  let structure: FileControl['structure'] = 'unknown'
  let recordLength: number | null = null
  let recordCount: number | null = null
  if (desc && desc.length > 0) {
    const d = desc[0] as number
    if ((d & 0x38) === 0x38) structure = 'df'
    else if ((d & 0x07) === 1) structure = 'transparent'
    else if ((d & 0x07) === 2) structure = 'linear-fixed'
    else if ((d & 0x07) === 6) structure = 'cyclic'
    if (desc.length >= 5) {
      recordLength = ((desc[2] as number) << 8) | (desc[3] as number)
      recordCount = desc[4] as number
    }
  }
  const size = num(child(fcp, 0x80)) ?? num(child(fcp, 0x81))
  return { size: size ?? (recordLength !== null && recordCount !== null ? recordLength * recordCount : null), fid: num(child(fcp, 0x83)), structure, recordLength, recordCount }
}
