// SPDX-License-Identifier: Apache-2.0
// Completion for the filter bar: keys at the start of a test, values after key=.
// Mirrors docs/filters.md (the grammar itself lives in core/inspect/filter.ts, on the server).

const KEYS = ['ep=', 'op=', 'path=', 'code=', 'code>=', 'code<', 'cf=', 'dir=', 'transport=', 'time>=', 'time<', 'text~']
const VALUES: Readonly<Record<string, readonly string[]>> = {
  op: ['register', 'update', 'deregister', 'bootstrap-request', 'bootstrap-pack', 'bs-discover', 'bs-read', 'bs-write', 'bs-delete', 'bs-finish', 'read', 'read-composite', 'discover', 'write', 'write-composite', 'write-attributes', 'execute', 'create', 'delete', 'observe', 'observe-composite', 'cancel-observe', 'notify', 'send'],
  code: ['2.xx', '4.xx', '5.xx', '2.05', '4.04', '4.00', 'GET', 'POST', 'PUT', 'DELETE'],
  cf: ['text', 'link', 'opaque', 'cbor', 'senml-json', 'senml-cbor', 'tlv', 'lwm2m-json', 'lwm2m-cbor'],
  dir: ['in', 'out'],
  transport: ['udp', 'dtls', 'serial'],
  time: ['-1m', '-5m', '-1h'],
  path: ['/3/0', '/1', '/5/0']
}

/** Whole-filter suggestions for what is typed so far. */
export function completeFilter(text: string, endpoints: readonly string[] = []): string[] {
  const m = /^(.*?)([A-Za-z]*)(?:(=|>=|<|~)([^\s()&|!]*))?$/.exec(text)
  if (!m) return []
  const [, head = '', key = '', op, partial = ''] = m
  if (op === undefined) {
    return KEYS.filter((k) => k.startsWith(key) && k !== key).map((k) => head + k)
  }
  const values = key === 'ep' ? endpoints : (VALUES[key] ?? [])
  return values.filter((v) => v.startsWith(partial) && v !== partial).slice(0, 30).map((v) => `${head}${key}${op}${v}`)
}
