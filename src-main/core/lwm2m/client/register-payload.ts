// SPDX-License-Identifier: Apache-2.0
// What a client says about itself in Register and Update (C §6.2.1, T Tbl 6.4.3-1, facts §3.2):
// the query (ep, lt, lwm2m, b, Q, pid) and the object list in link format, which leaves out
// /0, /21 and /23 and must hold /1 and /3.
import type { ContentFormat } from '../content-format'
import { formatLinkFormat, type LinkInput } from '../link-format'
import type { LwM2MVersion } from './device-management'
import type { ObjectTree } from './object-tree'

/** Never announced in Register/Update (C §6.2.1; /23 from 1.2.1). */
const HIDDEN = new Set([0, 21, 23])

export function objectLinks(tree: ObjectTree, version: LwM2MVersion, preferred: ContentFormat | null): string {
  const links: LinkInput[] = []
  if (version !== '1.0') links.push({ target: '/', attributes: preferred === null ? { rt: 'oma.lwm2m' } : { rt: 'oma.lwm2m', ct: preferred } })
  for (const o of tree.objectIds()) {
    if (HIDDEN.has(o)) continue
    const ver = tree.version(o)
    const iids = tree.instanceIds(o)
    const announced = ver !== null && ver !== '1.0' && tree.model(o)?.version !== undefined
    if (iids.length === 0 || announced) links.push({ path: [o], attributes: announced ? { ver } : {} })
    for (const i of iids) links.push({ path: [o, i] })
  }
  return formatLinkFormat(links, { quoteVersions: version === '1.0' })
}

/** The Binding a client on UDP sends: UDP is assumed even when /1/x/7 lacks U (LwM2M-TRAN-BIND-05). */
export function bindingFor(configured: string | null, version: LwM2MVersion, queue: boolean): string {
  const letters = configured && /U/.test(configured) ? configured.replace(/Q/g, '') : 'U'
  // 1.0 carries queue mode inside b (UQ); 1.1+ as its own Q flag.
  return version === '1.0' && queue ? letters.replace('U', 'UQ') : letters
}

export interface RegisterParams {
  readonly endpoint: string
  readonly lifetime: number
  readonly version: LwM2MVersion
  readonly binding: string
  readonly queue: boolean
  readonly profileId?: string
}

export function registerQuery(p: RegisterParams): string[] {
  const q = [`ep=${p.endpoint}`, `lt=${p.lifetime}`, `lwm2m=${p.version}`, `b=${p.binding}`]
  if (p.queue && p.version !== '1.0') q.push('Q')
  if (p.profileId !== undefined) q.push(`pid=${p.profileId}`)
  return q
}
