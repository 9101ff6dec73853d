// SPDX-License-Identifier: Apache-2.0
// system.overview: what a technician looks at first (issue 13 items 15–18). Counts of live,
// sleeping and recently expired devices, today's bootstrap runs and failed requests, the latest
// activity (each pointing at a device or a run), the URIs devices can use, and the store's state.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { ActivityItem, Listener, SystemInfo, SystemOverview } from '../contract/system'
import { DATABASE_FILE } from '../store/database'
import { ActivityLog } from './activity-log'
import type { BootstrapService } from './bootstrap-service'
import { listenerUris } from './listener-uris'
import type { Lwm2mServerService } from './lwm2m-server-service'

const RECENT = 20

export interface SystemOverviewOptions {
  readonly dataDir: string
  readonly server: Lwm2mServerService
  readonly bootstrap: BootstrapService
  readonly listeners: () => readonly Listener[]
  readonly secrets: SystemInfo['secrets']
}

export class SystemOverviewService {
  readonly #log: ActivityLog

  constructor(private readonly o: SystemOverviewOptions) {
    this.#log = new ActivityLog((t) => localDay(Date.parse(o.server.iso(t))))
    o.server.tapTimeline((endpoint, entry) => this.#log.add(endpoint, entry))
  }

  overview(): SystemOverview {
    const now = new Date()
    const dayStart = new Date(now.getFullYear(), now.getMonth(), now.getDate())
    const live = this.o.server.liveCounts()
    const log = this.#log.counts(this.o.server.now())
    const bs = this.o.bootstrap.summary(dayStart.toISOString(), RECENT)
    const device: ActivityItem[] = this.#log.recent().map((e) => ({
      at: this.o.server.iso(e.at),
      kind: e.kind,
      endpoint: e.endpoint,
      text: e.text,
      link: { view: 'device', endpoint: e.endpoint }
    }))
    const runs: ActivityItem[] = bs.runs
      .filter((r) => r.outcome !== 'running')
      .map((r) => ({
        at: r.finishedAt ?? r.startedAt,
        kind: r.outcome === 'success' ? 'bootstrap-ok' : 'bootstrap-failed',
        endpoint: r.endpoint,
        text: `${r.kind === 'pack' ? 'Bootstrap-Pack' : 'Bootstrap'} ${r.outcome === 'success' ? 'finished' : 'failed'}: ${r.detail}`,
        link: { view: 'bootstrap-run', runId: r.id }
      }))
    const activity = [...device, ...runs].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, RECENT)
    const file = join(this.o.dataDir, DATABASE_FILE)
    let sizeBytes: number | null = null
    try {
      sizeBytes = statSync(file).size
    } catch {
      // An in-memory or not yet written store has no size to show.
    }
    return {
      at: now.toISOString(),
      dayStartedAt: dayStart.toISOString(),
      serverRunning: live !== null,
      counts: {
        registered: live?.registered ?? 0,
        sleeping: live?.sleeping ?? 0,
        expiredLastHour: log.expiredLastHour,
        bootstrapOk: bs.ok,
        bootstrapFailed: bs.failed,
        requestTimeouts: log.requestTimeouts,
        requestErrors: log.requestErrors
      },
      activity,
      listeners: listenerUris(this.o.listeners()),
      store: { path: file, sizeBytes, bootstrapConfigs: bs.configs, sealedConfigs: bs.configs, secrets: this.o.secrets }
    }
  }
}

function localDay(ms: number): number {
  const d = new Date(ms)
  return d.getFullYear() * 10_000 + d.getMonth() * 100 + d.getDate()
}
