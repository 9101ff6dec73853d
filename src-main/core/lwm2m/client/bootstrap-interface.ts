// SPDX-License-Identifier: Apache-2.0
// The Bootstrap interface as the client carries it out (C §6.1, T Tbl 6.4.2-1, facts §3.1):
// Bootstrap-Write ignores existence and access control, Bootstrap-Delete spares the BS account
// and /3/0, Bootstrap-Read reaches /1 and /2 only, Bootstrap-Discover lists the accounts, and
// Bootstrap-Finish answers 4.06 when the configuration could not work. Also the Bootstrap-Pack
// (1.2, Opt-01) and smartcard data, which arrive as records applied the same way.
import { CF, type ContentFormat } from '../content-format'
import { formatLinkFormat, type LinkInput } from '../link-format'
import { formatPath, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import { Code, fail, type ClientRequest, type ClientResponse } from './client-request'
import { decodeBody, encodeAnswer, toInstanceData, type DmContext, type LwM2MVersion } from './device-management'
import { isMultiple, type ObjectTree } from './object-tree'

const utf8 = new TextEncoder()

function int(tree: ObjectTree, o: number, i: number, r: number): number | null {
  const v = tree.value(o, i, r)
  return v && (v.type === 'integer' || v.type === 'unsigned') ? Number(v.value) : null
}

/** The Bootstrap-Server account: the /0 instance with resource 1 true (at most one). */
export function bootstrapAccount(tree: ObjectTree): number | null {
  for (const i of tree.instanceIds(0)) {
    const v = tree.value(0, i, 1)
    if (v?.type === 'boolean' && v.value) return i
  }
  return null
}

export interface ServerAccount {
  readonly ssid: number
  readonly securityInstance: number
  readonly serverInstance: number
  readonly uri: string
}

/** Server accounts: a /0 instance (not BS) and the /1 instance with the same SSID (facts §3.1). */
export function serverAccounts(tree: ObjectTree): ServerAccount[] {
  const out: ServerAccount[] = []
  for (const s of tree.instanceIds(0)) {
    if (s === bootstrapAccount(tree)) continue
    const ssid = int(tree, 0, s, 10)
    const uri = tree.value(0, s, 0)
    if (ssid === null || uri?.type !== 'string') continue
    const server = tree.instanceIds(1).find((i) => int(tree, 1, i, 0) === ssid)
    if (server !== undefined) out.push({ ssid, securityInstance: s, serverInstance: server, uri: uri.value })
  }
  return out
}

/** What is wrong with the configuration, for a 4.06 on Bootstrap-Finish; null when it can work. */
export function configurationProblem(tree: ObjectTree): string | null {
  const bs = tree.instanceIds(0).filter((i) => tree.value(0, i, 1)?.value === true)
  if (bs.length > 1) return `${bs.length} Bootstrap-Server accounts (/0/${bs.join(', /0/')}); at most one is allowed`
  for (const i of tree.instanceIds(0)) {
    for (const r of [0, 1, 2]) if (tree.value(0, i, r) === undefined) return `/0/${i} lacks mandatory resource ${r}`
    if (!bs.includes(i) && int(tree, 0, i, 10) === null) return `/0/${i} is a server account without a Short Server ID (/0/${i}/10)`
  }
  for (const i of tree.instanceIds(1)) {
    const ssid = int(tree, 1, i, 0)
    if (ssid === null) return `/1/${i} has no Short Server ID`
    if (!tree.instanceIds(0).some((s) => int(tree, 0, s, 10) === ssid && !bs.includes(s))) {
      return `/1/${i} (SSID ${ssid}) has no matching /0 instance`
    }
    if (tree.value(1, i, 1) === undefined) return `/1/${i} has no Lifetime`
  }
  if (serverAccounts(tree).length === 0) return 'no LwM2M Server account (a /0 instance and a /1 instance with the same SSID)'
  return null
}

/** Bootstrap-Write of records (also the Pack and smartcard data): creates or overwrites, no checks. */
export function bootstrapWriteRecords(tree: ObjectTree, records: readonly Lwm2mRecord[]): void {
  const byInstance = new Map<string, Lwm2mRecord[]>()
  for (const rec of records) {
    if (rec.path.length < 3 || rec.value === undefined) continue
    const key = `${rec.path[0]}/${rec.path[1]}`
    byInstance.set(key, [...(byInstance.get(key) ?? []), rec])
  }
  for (const group of byInstance.values()) {
    const [o, i] = group[0]?.path as [number, number]
    const existing = tree.instance(o, i)
    const data = toInstanceData(group, tree, existing ? new Map(existing) : new Map())
    tree.putInstance(o, i, data)
  }
}

/** Bootstrap-Delete (`/`, `/O`, `/O/I`): everything but the BS account and /3/0 (T §6.4.2). */
export function bootstrapDelete(tree: ObjectTree, path: Path): ClientResponse {
  if (path.length > 2) return fail(Code.BAD_REQUEST, 'Bootstrap-Delete takes /, an object or an instance')
  const bs = bootstrapAccount(tree)
  const spared = (o: number, i: number): boolean => (o === 0 && i === bs) || (o === 3 && i === 0)
  const objects = path.length === 0 ? tree.objectIds() : [path[0] as number]
  for (const o of objects) {
    const iids = path.length === 2 ? [path[1] as number] : tree.instanceIds(o)
    for (const i of iids) {
      if (spared(o, i)) continue
      if (o === 0 && path.length === 2) unbootstrap(tree, i)
      tree.deleteInstance(o, i)
    }
  }
  return { code: Code.DELETED }
}

/** Deleting a /0 instance drops the server it served (T §5.2.5, "unbootstrapping"). */
function unbootstrap(tree: ObjectTree, securityInstance: number): void {
  const ssid = int(tree, 0, securityInstance, 10)
  if (ssid === null) return
  for (const i of tree.instanceIds(1)) if (int(tree, 1, i, 0) === ssid) tree.deleteInstance(1, i)
}

/** Bootstrap-Discover (1.1+): `</>;lwm2m=X.Y`, objects, instances with ssid/uri (facts §3.1). */
export function bootstrapDiscover(tree: ObjectTree, version: LwM2MVersion, path: Path): ClientResponse {
  if (path.length > 1) return fail(Code.BAD_REQUEST, 'Bootstrap-Discover takes / or an object')
  const links: LinkInput[] = []
  if (path.length === 0) links.push({ target: '/', attributes: { lwm2m: version } })
  const bs = bootstrapAccount(tree)
  const objects = path.length === 0 ? tree.objectIds() : [path[0] as number]
  for (const o of objects) {
    if (!tree.hasObject(o)) return fail(Code.NOT_FOUND, `object ${o} is not on this device`)
    const iids = tree.instanceIds(o)
    const ver = tree.version(o)
    if (iids.length === 0 || (ver && ver !== '1.0')) links.push({ path: [o], attributes: ver && ver !== '1.0' ? { ver } : {} })
    for (const i of iids) {
      const attrs: Record<string, number | string> = {}
      if (o === 0 && i !== bs) {
        const ssid = int(tree, 0, i, 10)
        if (ssid !== null) attrs.ssid = ssid
        const uri = tree.value(0, i, 0)
        if (uri?.type === 'string') attrs.uri = uri.value
      } else if (o === 1 || o === 21 || o === 23 || o === 24) {
        const ssid = int(tree, o, i, 0)
        if (ssid !== null && o === 1) attrs.ssid = ssid
      }
      links.push({ path: [o, i], attributes: attrs })
    }
  }
  return { code: Code.CONTENT, contentFormat: CF.LINK, payload: utf8.encode(formatLinkFormat(links)) }
}

/** Serves one request from the Bootstrap-Server while bootstrapping. `finish` is told about Finish. */
export function handleBootstrap(req: ClientRequest, ctx: DmContext, finish: () => void): ClientResponse {
  const { tree } = ctx
  switch (req.method) {
    case 'PUT': {
      if (req.path.length === 0) return fail(Code.METHOD_NOT_ALLOWED, 'Bootstrap-Write needs an object path')
      const records = decodeBody(req, ctx, req.path)
      if (!Array.isArray(records)) return records
      const wrong = records.find((r) => req.path.some((id, k) => r.path[k] !== id))
      if (wrong) return fail(Code.BAD_REQUEST, `${formatPath(wrong.path)} is not under ${formatPath(req.path)}`)
      if (req.path.length >= 3) {
        // A single resource (or instance) write overwrites it, creating the instance if needed.
        const [o, i] = req.path as [number, number]
        if (!tree.hasInstance(o, i)) tree.putInstance(o, i, new Map())
      }
      bootstrapWriteRecords(tree, records)
      return { code: Code.CHANGED }
    }
    case 'GET': {
      if (req.accept === CF.LINK) {
        if (ctx.version === '1.0') return fail(Code.METHOD_NOT_ALLOWED, 'Bootstrap-Discover is LwM2M 1.1+')
        return bootstrapDiscover(tree, ctx.version, req.path)
      }
      const o = req.path[0]
      if (o !== 1 && o !== 2) return fail(Code.METHOD_NOT_ALLOWED, 'Bootstrap-Read reaches /1 and /2 only')
      if (!tree.exists(req.path)) return fail(Code.NOT_FOUND, `${formatPath(req.path)} does not exist`)
      const accept: ContentFormat | null = req.accept === CF.TEXT || req.accept === CF.OPAQUE ? CF.SENML_CBOR : req.accept
      // Executable resources (/1/x/4, 8, 9) hold no value: no format could carry them.
      const records = tree.records(req.path).filter((r) => r.value?.type !== 'none')
      return encodeAnswer(req.path, records, accept ?? (ctx.version === '1.0' ? CF.TLV : ctx.preferredFormat === CF.TEXT ? CF.TLV : ctx.preferredFormat), ctx)
    }
    case 'DELETE':
      return bootstrapDelete(tree, req.path)
    case 'POST': {
      const problem = configurationProblem(tree)
      if (problem) return fail(Code.NOT_ACCEPTABLE, `inconsistent configuration: ${problem}`)
      finish()
      return { code: Code.CHANGED }
    }
    default:
      return fail(Code.METHOD_NOT_ALLOWED, `${req.method} is not a Bootstrap operation`)
  }
}

/**
 * Applies a Bootstrap-Pack (facts §3.1): each object present replaces all its instances but the
 * BS account and /3/0; absent objects stay. Returns the problem when the result cannot work,
 * having changed nothing.
 */
export function applyPack(tree: ObjectTree, records: readonly Lwm2mRecord[]): string | null {
  const objects = new Set(records.map((r) => r.path[0]).filter((o): o is number => o !== undefined))
  const bs = bootstrapAccount(tree)
  const snapshot = new Map<number, Map<number, Map<number, unknown>>>()
  for (const o of objects) snapshot.set(o, new Map(tree.instanceIds(o).map((i) => [i, copy(tree, o, i)])))
  for (const o of objects) for (const i of tree.instanceIds(o)) if (!((o === 0 && i === bs) || (o === 3 && i === 0))) tree.deleteInstance(o, i)
  bootstrapWriteRecords(tree, records)
  const problem = configurationProblem(tree)
  if (problem) {
    // Put back what was there: a Pack that cannot work changes nothing (the client falls back).
    for (const o of objects) {
      for (const i of tree.instanceIds(o)) tree.deleteInstance(o, i)
      for (const [i, data] of snapshot.get(o) ?? []) tree.putInstance(o, i, data as never)
    }
  }
  return problem
}

function copy(tree: ObjectTree, o: number, i: number): Map<number, unknown> {
  const data = tree.instance(o, i) ?? new Map()
  return new Map([...data].map(([r, s]) => [r, isMultiple(s) ? new Map(s) : s]))
}
