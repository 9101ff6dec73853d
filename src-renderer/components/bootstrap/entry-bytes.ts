// SPDX-License-Identifier: Apache-2.0
// Byte counts shown next to identity and key fields as you type. Display only: whether the entry
// is acceptable is the service's answer (bootstrap.configs.check, core/psk-entry.ts).

export function entryBytes(value: string | undefined, encoding: 'text' | 'hex' | 'base64'): string {
  if (!value) return ''
  let n: number
  if (encoding === 'text') n = new TextEncoder().encode(value).length
  else if (encoding === 'hex') {
    if (!/^[0-9a-fA-F]*$/.test(value) || value.length % 2) return 'not hex'
    n = value.length / 2
  } else {
    const body = value.replace(/=+$/, '')
    if (!/^[A-Za-z0-9+/_-]*$/.test(body) || body.length % 4 === 1) return 'not base64'
    n = Math.floor((body.length * 3) / 4)
  }
  return `${n} ${n === 1 ? 'byte' : 'bytes'}`
}
