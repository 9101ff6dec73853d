// SPDX-License-Identifier: Apache-2.0
// What a bootstrap run wrote, value by value, for its record: readable, with secrets masked (the
// run record is shown, stored unsealed and exported; the configuration holding the keys is sealed).
import { formatPath } from '../path'
import type { Lwm2mRecord } from '../record'
import { toJsonRecord } from '../json-record'

export interface WrittenValue {
  readonly path: string
  readonly type: string
  readonly value: string
}

// /0/x/5 Secret Key (PSK or private key); /21/x/0 OSCORE Master Secret.
const SECRET = new Set(['0:5', '21:0'])

export function writtenValues(records: readonly Lwm2mRecord[]): WrittenValue[] {
  return records.map((r) => {
    const path = formatPath(r.path)
    const type = r.value?.type ?? 'none'
    if (r.value?.type === 'opaque') {
      const n = r.value.value.length
      const size = `${n} ${n === 1 ? 'byte' : 'bytes'}`
      if (SECRET.has(`${r.path[0]}:${r.path[2]}`)) return { path, type, value: n ? `•••• (${size}, hidden)` : '(empty)' }
      return { path, type, value: n ? `${toJsonRecord(r).value as string} (${size})` : '(empty)' }
    }
    const v = toJsonRecord(r).value
    return { path, type, value: typeof v === 'string' ? v : JSON.stringify(v) }
  })
}
