// Shared pieces for the client-core tests: the shipped models, typed values, trees with server
// accounts, and requests as the client's operations see them (already past CoAP).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ClientRequest } from '../../../../src-main/core/lwm2m/client/client-request'
import type { DmContext, LwM2MVersion } from '../../../../src-main/core/lwm2m/client/device-management'
import { AttributeStore } from '../../../../src-main/core/lwm2m/client/attribute-store'
import { ObjectTree, type InstanceData } from '../../../../src-main/core/lwm2m/client/object-tree'
import { CF, type ContentFormat } from '../../../../src-main/core/lwm2m/content-format'
import { encodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'
import { parsePath, type Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import type { Value } from '../../../../src-main/core/lwm2m/value'
import type { Method } from '../../../../src-main/core/lwm2m/server/messages'

export const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

export const str = (value: string): Value => ({ type: 'string', value })
export const int = (value: number): Value => ({ type: 'integer', value })
export const uint = (value: number): Value => ({ type: 'unsigned', value })
export const float = (value: number): Value => ({ type: 'float', value })
export const bool = (value: boolean): Value => ({ type: 'boolean', value })
export const opaque = (bytes: number[] | Uint8Array = []): Value => ({ type: 'opaque', value: Uint8Array.from(bytes) })
export const NONE: Value = { type: 'none', value: null }

const utf8 = new TextEncoder()
export const text = (s: string): Uint8Array => utf8.encode(s)
export const decode = (b: Uint8Array | undefined): string => new TextDecoder().decode(b ?? new Uint8Array(0))

export function p(text: string): Path {
  const r = parsePath(text)
  if (!r.ok) throw new Error(r.reason)
  return r.path
}

export function data(entries: Record<number, Value | Value[]>): InstanceData {
  const out: InstanceData = new Map()
  for (const [k, v] of Object.entries(entries)) out.set(Number(k), Array.isArray(v) ? new Map(v.map((x, i) => [i, x])) : v)
  return out
}

/** A /0 instance (NoSec) for a server (ssid) or the Bootstrap-Server (ssid null). */
export function security(uri: string, ssid: number | null): InstanceData {
  const d = data({ 0: str(uri), 1: bool(ssid === null), 2: int(3), 3: opaque(), 4: opaque(), 5: opaque() })
  if (ssid !== null) d.set(10, int(ssid))
  return d
}

/** A /1 instance with the mandatory resources and any extra ones. */
export function server(ssid: number, lifetime = 300, extra: Record<number, Value> = {}): InstanceData {
  return data({ 0: int(ssid), 1: int(lifetime), 6: bool(true), 7: str('U'), 8: NONE, ...extra })
}

/** A device with /1 and /3 (and the accounts given): what most tests start from. */
export function deviceTree(accounts: Array<{ ssid: number; uri?: string; lifetime?: number; extra?: Record<number, Value> }> = []): ObjectTree {
  const tree = new ObjectTree(models)
  tree.addObject(0)
  tree.addObject(1)
  accounts.forEach((a, k) => {
    tree.putInstance(0, k, security(a.uri ?? `coap://server${a.ssid}`, a.ssid))
    tree.putInstance(1, k, server(a.ssid, a.lifetime ?? 300, a.extra ?? {}))
  })
  tree.putInstance(3, 0, data({ 0: str('ACME'), 1: str('M1'), 2: str('SN1'), 3: str('1.0.0'), 4: NONE, 9: int(80), 11: [int(0)], 16: str('U') }))
  return tree
}

export interface TestContext extends DmContext {
  readonly executed: Array<{ path: readonly number[]; args: string }>
  readonly refusals: Map<string, number>
  readonly createdLog: Array<[number, number]>
}

export function context(tree: ObjectTree, opts: { ssid?: number; version?: LwM2MVersion; preferredFormat?: ContentFormat; attributes?: AttributeStore } = {}): TestContext {
  const executed: TestContext['executed'] = []
  const refusals = new Map<string, number>()
  const createdLog: Array<[number, number]> = []
  return {
    tree,
    attributes: opts.attributes ?? new AttributeStore(),
    ssid: opts.ssid ?? 101,
    version: opts.version ?? '1.2',
    preferredFormat: opts.preferredFormat ?? CF.SENML_CBOR,
    execute: (path, args) => {
      executed.push({ path: [...path], args })
      return null
    },
    refusal: (op, path) => refusals.get(`${op} ${'/' + path.join('/')}`) ?? null,
    created: (o, i) => void createdLog.push([o, i]),
    executed,
    refusals,
    createdLog
  }
}

export function req(method: Method, path: string, extra: Partial<Omit<ClientRequest, 'method' | 'path'>> = {}): ClientRequest {
  return { method, path: p(path), query: [], contentFormat: null, accept: null, payload: new Uint8Array(0), observe: null, ...extra }
}

/** A request carrying `records` encoded in `format` (paths relative to `path` for the codecs that need it). */
export function withBody(method: Method, path: string, format: ContentFormat, records: Lwm2mRecord[], extra: Partial<ClientRequest> = {}): ClientRequest {
  const payload = encodePayload(format, records, { path: p(path), models })
  return req(method, path, { contentFormat: format, payload, ...extra })
}

export const rec = (path: string, value?: Value): Lwm2mRecord => (value === undefined ? { path: p(path) } : { path: p(path), value })
