// SPDX-License-Identifier: Apache-2.0
// The composition root of the main process: opens the store, builds the services and the
// dispatcher table. Electron, headless and in-process CLI commands all start here.
import { join } from 'node:path'
import type { BootstrapConfig } from '../contract/bootstrap'
import type { Listener, SystemInfo } from '../contract/system'
import { openDatabase, type Database } from '../store/database'
import { SettingsStore } from '../store/settings-store'
import { Dispatcher, type HandlerTable } from './dispatcher'
import { EventHub } from './event-hub'
import { BootstrapStore } from '../store/bootstrap-store'
import { BootstrapService } from './bootstrap-service'
import { Lwm2mServerService, SERVER_SETTING_KEYS } from './lwm2m-server-service'
import type { Settings } from '../contract/settings'
import type { ModelLookup } from '../core/lwm2m/model'
import { SecretBox } from './secret-box'
import { ModelService } from './model-service'
import { findResourcesDir } from './resources-dir'
import { SettingsService } from './settings-service'
import { SystemService } from './system-service'
import { SystemOverviewService } from './system-overview'
import { SimulatorService } from './simulator-service'
import { CaptureService } from './capture-service'
import { applyCaptureSettings, captureHandlers } from './capture-handlers'

export interface WorkbenchOptions {
  readonly dataDir: string
  readonly electronVersion?: string | null
  /** What seals secrets at rest; default: a key file in the data dir. */
  readonly secretBox?: SecretBox
  /** The shipped resources/ folder; found next to the code when not given. */
  readonly resourcesDir?: string
  /** Where internal (programming) errors go; never receives secrets. */
  readonly log?: (line: string) => void
}

export interface ListenerOptions {
  /** LwM2M Server on UDP; null: not started. */
  readonly coap: { readonly host: string; readonly port: number } | null
  /** Bootstrap Server on UDP; null: not started. */
  readonly bootstrap: { readonly host: string; readonly port: number } | null
}

export interface Workbench {
  readonly dispatcher: Dispatcher
  readonly events: EventHub
  readonly dataDir: string
  /** The simulated devices (the CLI's serve --demo starts a fleet through it). */
  readonly simulator: SimulatorService
  /** The live packet capture (issue 16). */
  readonly capture: CaptureService
  /** Opens the protocol listeners (UDP sockets); a port in use rejects with EADDRINUSE. */
  startListeners(opts: ListenerOptions): Promise<void>
  /** The listeners open now (as system.info reports them). */
  listeners(): Listener[]
  close(): Promise<void>
}

export function createWorkbench(opts: WorkbenchOptions): Workbench {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const database: Database = openDatabase(opts.dataDir)
  const events = new EventHub()
  const settings = new SettingsService(new SettingsStore(database.db), events)
  const models = new ModelService(
    join(opts.resourcesDir ?? findResourcesDir(), 'models', 'models.json'),
    settings,
    events
  )
  // The roles keep one lookup for their lifetime; it follows the library as it reloads (item 17:
  // a models.folders change applies at once, also to running servers).
  let currentModels: ModelLookup = { get: () => undefined }
  const liveModels: ModelLookup = { get: (id, version) => currentModels.get(id, version) }
  const modelsNow = async (): Promise<ModelLookup> => {
    currentModels = await models.registry()
    return liveModels
  }
  events.subscribe((name) => {
    if (name === 'models.changed') void modelsNow().catch(() => undefined)
  })
  const server = new Lwm2mServerService(events, modelsNow, () => settings.get([...SERVER_SETTING_KEYS]) as Settings)
  const secretBox = opts.secretBox ?? SecretBox.forDataDir(opts.dataDir)
  const bootstrap = new BootstrapService(new BootstrapStore(database.db, secretBox), events, modelsNow)
  const listeners = (): Listener[] => [server.listener(), bootstrap.listener()].filter((l) => l !== null)
  const secrets: SystemInfo['secrets'] = {
    protection: secretBox.protection,
    detail:
      secretBox.protection === 'os-keyring'
        ? 'AES-256-GCM with a key protected by the OS keyring'
        : `AES-256-GCM with the key in ${join(opts.dataDir, 'secrets.key')} (readable by this user only)`
  }
  const simulator = new SimulatorService({ events, models: modelsNow, profilesDir: join(opts.resourcesDir ?? findResourcesDir(), 'profiles') })
  // Capture is process-wide (one tap in every transport); the last workbench opened owns it.
  const capture = new CaptureService({ events, models: () => liveModels })
  applyCaptureSettings(capture, settings, events)
  capture.start()
  // The capture names objects and resources from the models as soon as frames arrive.
  void modelsNow().catch(() => undefined)
  const overview = new SystemOverviewService({ dataDir: opts.dataDir, server, bootstrap, listeners, secrets })
  const system = new SystemService({
    dataDir: opts.dataDir,
    electronVersion: opts.electronVersion ?? null,
    startedAt: new Date(),
    listeners,
    registrations: () => server.registrations(),
    secrets
  })

  const handlers: HandlerTable = {
    'system.info': (_p, ctx) => system.info(ctx),
    'settings.get': (p) => ({ settings: settings.get(p.keys) }),
    'settings.set': (p) => settings.set(p.key, p.value),
    'models.list': (p) => models.list(p.query),
    'models.get': (p) => models.get(p.id, p.version),
    'models.addFolder': (p) => models.addFolder(p.folder),
    'models.removeFolder': (p) => models.removeFolder(p.folder),
    'models.reload': () => models.reload(),
    'devices.list': (p) => server.list(p),
    'devices.get': (p) => server.get(p.endpoint),
    'devices.read': (p) => server.read(p),
    'devices.readComposite': (p) => server.readComposite(p),
    'devices.writeComposite': (p) => server.writeComposite(p),
    'devices.observeComposite': (p) => server.observeComposite(p),
    'devices.discover': (p) => server.discover(p),
    'devices.write': (p) => server.write(p),
    'devices.writeAttributes': (p) => server.writeAttributes(p),
    'devices.execute': (p) => server.execute(p),
    'devices.create': (p) => server.create(p),
    'devices.delete': (p) => server.delete(p),
    'devices.observe': (p) => server.observe(p),
    'devices.cancelObservation': (p) => server.cancelObservation(p.observationId, p.mode, p.clearAttributes),
    'devices.observations': (p) => server.observations(p.endpoint),
    'devices.queue': (p) => server.queue(p.endpoint),
    'devices.cancel': (p) => server.cancel(p.endpoint, p.requestId),
    'devices.timeline': (p) => server.timeline(p.endpoint, p.cursor, p.limit),
    'bootstrap.configs.list': () => bootstrap.list(),
    'bootstrap.configs.get': (p) => bootstrap.get(p.endpoint),
    'bootstrap.configs.put': (p) => bootstrap.put(p.config as BootstrapConfig),
    'bootstrap.configs.delete': (p) => bootstrap.delete(p.endpoint),
    'bootstrap.configs.import': (p) => bootstrap.import(p.json),
    'bootstrap.runs.list': (p) => bootstrap.runs(p.endpoint, p.limit),
    'bootstrap.configs.check': (p) => bootstrap.check(p.config as BootstrapConfig),
    'bootstrap.configs.rename': (p) => bootstrap.rename(p.from, p.to),
    'system.overview': () => overview.overview(),
    'simulator.start': (p) => simulator.start(p),
    'simulator.stop': (p) => simulator.stop(p.fleetId),
    'simulator.list': () => simulator.list(),
    'simulator.profiles': () => simulator.profiles(),
    'simulator.device': (p) => simulator.device(p.endpoint),
    'simulator.set': (p) => simulator.set(p),
    'simulator.inject': (p) => simulator.inject(p),
    'simulator.send': (p) => simulator.send(p),
    ...captureHandlers(capture, settings)
  }

  const dispatcher = new Dispatcher(handlers, (method, e) =>
    log(`internal error in ${method}: ${(e as Error)?.stack ?? String(e)}`)
  )
  return {
    dispatcher,
    events,
    dataDir: opts.dataDir,
    listeners,
    startListeners: async (l) => {
      if (l.coap) await server.start(l.coap)
      if (l.bootstrap) await bootstrap.start(l.bootstrap)
    },
    simulator,
    capture,
    close: async () => {
      capture.close()
      await simulator.close()
      await server.close()
      await bootstrap.close()
      database.close()
    }
  }
}
