// SPDX-License-Identifier: Apache-2.0
// CoRE Link Format (40) as a content codec: one corelnk record per link, named by the link's
// LwM2M path (the root and non-LwM2M targets such as an alternate path get the root path).
// Callers that need the attributes use parseLinkFormat directly; this keeps the record shape
// common to every format for the decode/encode CLI and the contract.
import type { ContentCodec } from '../codec'
import { EncodeError } from '../codec'
import { CF } from '../content-format'
import { formatLinkFormat, parseLinkFormat } from '../link-format'
import type { Lwm2mRecord } from '../record'
import { readUtf8, encodeUtf8 } from './utf8'

export const linkCodec: ContentCodec = {
  format: CF.LINK,
  decode(bytes) {
    const text = readUtf8(bytes, 0, bytes.length)
    if (text === null)
      return {
        records: [],
        violations: [{ offset: 0, rule: 'link.utf8', section: 'RFC 6690 §2', message: 'link format must be UTF-8 text' }]
      }
    const { links, violations } = parseLinkFormat(text)
    const records: Lwm2mRecord[] = links.map((l) => ({
      path: l.path ?? [],
      value: { type: 'corelnk', value: formatLinkFormat([{ target: l.target, attributes: l.attributes }]) }
    }))
    return { records, violations }
  },
  encode(records) {
    const parts: string[] = []
    for (const r of records) {
      if (r.value?.type !== 'corelnk' && r.value?.type !== 'string')
        throw new EncodeError('link.type', 'link format carries corelnk values only (one link each)')
      const { links, violations } = parseLinkFormat(r.value.value)
      if (violations.length > 0 || links.length === 0)
        throw new EncodeError('link.syntax', `not a valid link: ${r.value.value} (${violations[0]?.message ?? 'empty'})`)
      parts.push(formatLinkFormat(links))
    }
    return encodeUtf8(parts.join(','))
  }
}
