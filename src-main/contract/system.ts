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
  /** DTLS listeners: their own public key (SubjectPublicKeyInfo, base64 DER), what a device in raw-public-key mode pins in /0/x/4. */
  readonly publicKey?: string
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

/** A URI a device can be given for a listener: one per interface address when bound to all. */
export interface ListenerUri {
  readonly role: string
  readonly uri: string
  /** The interface it came from ("eth0", "lo"), or null when the listener is bound to one address. */
  readonly interface: string | null
  /** Loopback: only a device on this machine can use it. */
  readonly loopback: boolean
}

/** One line of recent activity, linking to the device or bootstrap run it is about. */
export interface ActivityItem {
  readonly at: string
  readonly kind: 'registered' | 'expired' | 'deregistered' | 'bootstrap-ok' | 'bootstrap-failed' | 'request-failed'
  readonly endpoint: string
  readonly text: string
  /** Where the UI opens it: a device page or the bootstrap run. */
  readonly link: { readonly view: 'device'; readonly endpoint: string } | { readonly view: 'bootstrap-run'; readonly runId: string }
}

/** system.overview: the Overview's counts (today = since local midnight of the main process). */
export interface SystemOverview {
  readonly at: string
  readonly dayStartedAt: string
  /** false: started without the LwM2M Server (device counts are 0). */
  readonly serverRunning: boolean
  readonly counts: {
    /** Live registrations (sleeping ones included). */
    readonly registered: number
    /** Queue-mode devices not awake now. */
    readonly sleeping: number
    readonly expiredLastHour: number
    readonly bootstrapOk: number
    readonly bootstrapFailed: number
    /** Requests that ended today without an answer (deadline passed). */
    readonly requestTimeouts: number
    /** Requests answered today with a 4.xx or 5.xx code, or failed otherwise. */
    readonly requestErrors: number
  }
  /** Newest first. */
  readonly activity: readonly ActivityItem[]
  readonly listeners: readonly ListenerUri[]
  readonly store: {
    readonly path: string
    readonly sizeBytes: number | null
    readonly bootstrapConfigs: number
    /** Configurations whose keys are sealed (all of them; stated so nobody has to wonder). */
    readonly sealedConfigs: number
    readonly secrets: SystemInfo['secrets']
  }
}
