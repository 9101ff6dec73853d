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
  /**
   * Every /0 instance that may be that account: those Bootstrap-Discover showed without `ssid`.
   * More than one is a client that leaves `ssid` out; then none of them is written. Absent: just
   * `bootstrapAccount`.
   */
  readonly bootstrapCandidates?: readonly number[]
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
  const guarded = client.bootstrapCandidates?.length ? client.bootstrapCandidates : bs === null ? [] : [bs]
  if (guarded.length === 0) return { ok: true, config, moved: [] }
  const named = guarded.map((i) => `/0/${i}`).join(', ')
  if (config.security.some((s) => s.bootstrapServer))
    return {
      ok: false,
      reason: `the client already has a Bootstrap-Server account (${named}); a second one is refused — change its credentials with rotateBootstrapAccount (BS-01) instead`
    }
  if (config.rotateBootstrapAccount && guarded.length > 1)
    return {
      ok: false,
      reason: `BS-01 rotation refused: Bootstrap-Discover shows ${guarded.length} /0 instances without ssid (${named}), so which one is the client's Bootstrap-Server account is unclear; nothing was written`
    }
  // Taken: the configuration's own ids, the BS account(s), and whatever /0 instance the deletes leave.
  const deletesAll = config.deletePaths.some((p) => p === '/' || p === '/0' || p === '/0/')
  const survivors = deletesAll ? [] : client.securityInstances.filter((i) => !config.deletePaths.includes(`/0/${i}`))
  const taken = new Set<number>([...guarded, ...survivors, ...config.security.map((s) => s.instanceId)])
  const moved: InstanceUse[] = []
  const security = config.security.map((s) => {
    if (!guarded.includes(s.instanceId)) return s
    let id = s.instanceId
    for (let n = 0; n <= MAX_ID && taken.has(id); n++) id = (id + 1) % (MAX_ID + 1)
    taken.add(id)
    const why =
      guarded.length > 1
        ? `/0/${s.instanceId} may be the client's own Bootstrap-Server account: ${client.source} shows ${guarded.length} /0 instances without ssid (${named})`
        : `/0/${s.instanceId} is the client's own Bootstrap-Server account (${client.source})`
    moved.push({ configured: `/0/${s.instanceId}`, used: `/0/${id}`, note: `${why}; written at the next free id` })
    return { ...s, instanceId: id }
  })
  return { ok: true, config: { ...config, security }, moved }
}
