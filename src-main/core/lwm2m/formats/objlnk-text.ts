// SPDX-License-Identifier: Apache-2.0
// Objlnk as text ("OID:IID") in SenML vlo and CBOR text (C App. C Tbl C-2). The null link is
// 65535:65535; some texts print it as FFFF:FFFF (facts §7), which we accept on input and never write.
import { EncodeError } from '../codec'
import { formatObjectLink, parseObjectLink, type ObjectLink } from '../value'

const NULL_LINK: ObjectLink = { objectId: 65535, instanceId: 65535 }

export function readObjlnkText(text: string): ObjectLink | null {
  const link = parseObjectLink(text)
  if (link !== null) return link
  return text.length === 9 && text.toUpperCase() === 'FFFF:FFFF' ? NULL_LINK : null
}

/** "OID:IID" for writing; refuses ids outside 0..65535. */
export function writeObjlnkText(link: ObjectLink, rule: string, path: string): string {
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535
  if (!ok(link.objectId) || !ok(link.instanceId)) {
    throw new EncodeError(
      `${rule}.invalid-objlnk`,
      `object link ${link.objectId}:${link.instanceId} has ids outside 0..65535`,
      path
    )
  }
  return formatObjectLink(link)
}
