// SPDX-License-Identifier: Apache-2.0
// The composition root of the main process: opens the store, builds the services and the
// dispatcher table. Electron, headless and in-process CLI commands all start here.
import { join } from 'node:path'
import { openDatabase, type Database } from '../store/database'
import { SettingsStore } from '../store/settings-store'
import { Dispatcher, type HandlerTable } from './dispatcher'
import { EventHub } from './event-hub'
import { ModelService } from './model-service'
import { findResourcesDir } from './resources-dir'
import { SettingsService } from './settings-service'
import { SystemService } from './system-service'

export interface WorkbenchOptions {
  readonly dataDir: string
  readonly electronVersion?: string | null
  /** The shipped resources/ folder; found next to the code when not given. */
  readonly resourcesDir?: string
  /** Where internal (programming) errors go; never receives secrets. */
  readonly log?: (line: string) => void
}

export interface Workbench {
  readonly dispatcher: Dispatcher
  readonly events: EventHub
  readonly dataDir: string
  close(): Promise<void>
}

export function createWorkbench(opts: WorkbenchOptions): Workbench {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const database: Database = openDatabase(opts.dataDir)
  const events = new EventHub()
  const settings = new SettingsService(new SettingsStore(database.db), events)
  const system = new SystemService({
    dataDir: opts.dataDir,
    electronVersion: opts.electronVersion ?? null,
    startedAt: new Date(),
    listeners: () => []
  })

  const models = new ModelService(
    join(opts.resourcesDir ?? findResourcesDir(), 'models', 'models.json'),
    settings,
    events
  )

  const handlers: HandlerTable = {
    'system.info': (_p, ctx) => system.info(ctx),
    'settings.get': (p) => ({ settings: settings.get(p.keys) }),
    'settings.set': (p) => settings.set(p.key, p.value),
    'models.list': (p) => models.list(p.query),
    'models.get': (p) => models.get(p.id, p.version),
    'models.addFolder': (p) => models.addFolder(p.folder),
    'models.removeFolder': (p) => models.removeFolder(p.folder),
    'models.reload': () => models.reload()
  }

  const dispatcher = new Dispatcher(handlers, (method, e) =>
    log(`internal error in ${method}: ${(e as Error)?.stack ?? String(e)}`)
  )
  return {
    dispatcher,
    events,
    dataDir: opts.dataDir,
    close: async () => database.close()
  }
}
