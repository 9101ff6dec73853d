// SPDX-License-Identifier: Apache-2.0
// Where the configuration's Security instances go on a client that already has a Bootstrap-Server
// account (BS-01, C §6.1.3.3). Its /0 instance id is not fixed (OMA issue #522), and a client may
// well accept a write there, so the server itself keeps off it: only rotateBootstrapAccount writes
// that instance (in place); an ordinary account configured at the same id moves to the next free
// id; a second Bootstrap-Server account is refused.
import type { BootstrapConfig } from './config'

/** What the client told us about its /0 instances. */
export interface ClientAccounts {
  /** The /0 instance of its Bootstrap-Server account; null when it showed none or was not asked. */
  readonly bootstrapAccount: number | null
  /** Every /0 instance it showed (Bootstrap-Discover), including the BS account. */
  readonly securityInstances: readonly number[]
  /** How we know: "Bootstrap-Discover" or "acc" (Bootstrap-Pack-Request). */
  readonly source: string
}

export interface InstanceUse {
  /** The instance as the configuration names it, e.g. "/0/0". */
  readonly configured: string
  /** The instance actually written. */
  readonly used: string
  /** Why they differ (or what is special about it); null for an ordinary write. */
  readonly note: string | null
}

export type AccountPlan =
  | { readonly ok: true; readonly config: BootstrapConfig; readonly moved: readonly InstanceUse[] }
  | { readonly ok: false; readonly reason: string }

const MAX_ID = 65534

export function planAccounts(config: BootstrapConfig, client: ClientAccounts): AccountPlan {
  const bs = client.bootstrapAccount
  if (bs === null) return { ok: true, config, moved: [] }
  if (config.security.some((s) => s.bootstrapServer))
    return {
      ok: false,
      reason: `the client already has a Bootstrap-Server account (/0/${bs}); a second one is refused — change its credentials with rotateBootstrapAccount (BS-01) instead`
    }
  // Taken: the configuration's own ids, the BS account, and whatever /0 instance the deletes leave.
  const deletesAll = config.deletePaths.some((p) => p === '/' || p === '/0' || p === '/0/')
  const survivors = deletesAll ? [] : client.securityInstances.filter((i) => !config.deletePaths.includes(`/0/${i}`))
  const taken = new Set<number>([bs, ...survivors, ...config.security.map((s) => s.instanceId)])
  const moved: InstanceUse[] = []
  const security = config.security.map((s) => {
    if (s.instanceId !== bs) return s
    let id = s.instanceId
    for (let n = 0; n <= MAX_ID && taken.has(id); n++) id = (id + 1) % (MAX_ID + 1)
    taken.add(id)
    moved.push({ configured: `/0/${s.instanceId}`, used: `/0/${id}`, note: `/0/${bs} is the client's own Bootstrap-Server account (${client.source}); written at the next free id` })
    return { ...s, instanceId: id }
  })
  return { ok: true, config: { ...config, security }, moved }
}
