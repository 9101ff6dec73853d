// SPDX-License-Identifier: Apache-2.0
// Typed value editing for Write: text in, the contract's JSON record value out (or a reason).
import type { JsonRecord } from '@contract/devices'

export type ResourceType = NonNullable<JsonRecord['type']>

export function parseValue(type: ResourceType, text: string): { ok: true; value: JsonRecord['value'] } | { ok: false; reason: string } {
  const t = text.trim()
  switch (type) {
    case 'integer':
    case 'unsigned':
    case 'time':
      if (!/^-?[0-9]+$/.test(t)) return { ok: false, reason: 'a whole number' }
      if (type !== 'integer' && t.startsWith('-') && type === 'unsigned') return { ok: false, reason: 'not negative' }
      return { ok: true, value: Number.isSafeInteger(Number(t)) ? Number(t) : t }
    case 'float':
      return t !== '' && Number.isFinite(Number(t)) ? { ok: true, value: Number(t) } : { ok: false, reason: 'a number' }
    case 'boolean':
      return /^(true|1)$/i.test(t) ? { ok: true, value: true } : /^(false|0)$/i.test(t) ? { ok: true, value: false } : { ok: false, reason: 'true or false' }
    case 'opaque': {
      const h = t.replace(/[\s:]/g, '').toLowerCase()
      return /^([0-9a-f]{2})*$/.test(h) ? { ok: true, value: h } : { ok: false, reason: 'hex bytes, e.g. 01 02 ff' }
    }
    case 'objlnk':
      return /^\d{1,5}:\d{1,5}$/.test(t) ? { ok: true, value: t } : { ok: false, reason: 'OID:IID, e.g. 66:0' }
    case 'none':
      return { ok: true, value: null }
    default:
      return { ok: true, value: text }
  }
}

export function showValue(r: JsonRecord | undefined): string {
  if (!r || r.value === undefined) return ''
  if (r.type === 'opaque') return typeof r.value === 'string' ? `${r.value.length / 2} B ${r.value.slice(0, 32)}${r.value.length > 32 ? '…' : ''}` : ''
  if (r.type === 'time' && typeof r.value === 'number') return `${r.value} (${new Date(r.value * 1000).toISOString().replace('.000Z', 'Z')})`
  return String(r.value)
}
