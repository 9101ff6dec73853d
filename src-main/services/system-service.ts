// SPDX-License-Identifier: Apache-2.0
import type { Listener, SystemInfo } from '../contract/system'
import type { CallContext } from './dispatcher'
import { APP_NAME, APP_VERSION } from './app-info'
import { probePcsc, probeSerial } from './capabilities'

export interface SystemServiceOptions {
  readonly dataDir: string
  readonly electronVersion: string | null
  readonly startedAt: Date
  /** The protocol listeners currently open; roles register theirs as they arrive. */
  readonly listeners: () => readonly Listener[]
  readonly secrets: SystemInfo['secrets']
  /** Live registrations against the cap, or null without the LwM2M Server. */
  readonly registrations?: () => SystemInfo['registrations']
}

export class SystemService {
  constructor(private readonly opts: SystemServiceOptions) {}

  info(ctx: CallContext): SystemInfo {
    return {
      name: APP_NAME,
      version: APP_VERSION,
      nodeVersion: process.versions.node,
      electronVersion: this.opts.electronVersion,
      carrier: ctx.carrier,
      platform: `${process.platform}-${process.arch}`,
      dataDir: this.opts.dataDir,
      pid: process.pid,
      startedAt: this.opts.startedAt.toISOString(),
      secrets: this.opts.secrets,
      registrations: this.opts.registrations?.() ?? null,
      capabilities: { serial: probeSerial(), pcsc: probePcsc(), listeners: this.opts.listeners() }
    }
  }
}
