// SPDX-License-Identifier: Apache-2.0
// A schema issue's JSON pointer ("/security/0/uri") in the words of the form ("Security account
// /0/1, URI"), so a technician sees which field, not a path into the JSON (issue 13 item 3).
import type { BootstrapConfig } from '@contract/bootstrap'

const FIELDS: Record<string, string> = {
  uri: 'URI',
  securityMode: 'mode',
  publicKeyOrIdentity: 'identity',
  secretKey: 'key',
  shortServerId: 'Short Server ID',
  lifetime: 'lifetime',
  binding: 'binding',
  instanceId: 'instance id',
  notificationStoring: 'store notifications',
  endpoint: 'Endpoint',
  deletePaths: 'Delete first',
  contentFormat: 'Content format'
}

export function inWords(pointer: string, c: BootstrapConfig): string {
  const parts = pointer.split('/').filter(Boolean)
  if (parts.length === 0) return 'Configuration'
  const [list, index, field] = parts
  const name = (f: string | undefined) => (f === undefined ? '' : `, ${FIELDS[f] ?? f}`)
  if (list === 'security') return `Security account /0/${c.security[Number(index)]?.instanceId ?? index}${name(field)}`
  if (list === 'servers') return `Server account /1/${c.servers[Number(index)]?.instanceId ?? index}${name(field)}`
  if (list === 'deletePaths') return `Delete first, path ${Number(index) + 1}`
  return FIELDS[list as string] ?? list ?? 'Configuration'
}
