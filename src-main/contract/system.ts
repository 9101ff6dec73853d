// SPDX-License-Identifier: Apache-2.0
// What `system.info` tells a client about this instance.

/** How the caller reaches the main process. */
export type Carrier = 'ipc' | 'websocket' | 'in-process'

/** Whether a kind of device can be reached here, and if not, why (shown to the user as is). */
export interface Capability {
  readonly available: boolean
  readonly detail: string
}

/** A network listener of one of the protocol roles (server, bootstrap server, ...). */
export interface Listener {
  readonly role: string
  readonly transport: string
  readonly address: string
  readonly port: number
}

export interface SystemInfo {
  readonly name: string
  readonly version: string
  readonly nodeVersion: string
  /** null when running headless on plain Node. */
  readonly electronVersion: string | null
  readonly carrier: Carrier
  readonly platform: string
  readonly dataDir: string
  readonly pid: number
  readonly startedAt: string
  /** What protects secrets at rest (bootstrap keys): the OS keyring, or a key file in the data dir. */
  readonly secrets: { readonly protection: 'os-keyring' | 'key-file'; readonly detail: string }
  /** Live registrations against the cap (setting server.maxRegistrations); null without the LwM2M Server. */
  readonly registrations: { readonly count: number; readonly max: number } | null
  readonly capabilities: {
    readonly serial: Capability
    readonly pcsc: Capability
    readonly listeners: readonly Listener[]
  }
}
