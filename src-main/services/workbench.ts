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
import { DtlsListener } from './dtls-listener'
import { processTap } from '../transports/capture-tap'
import { KeyLog } from './key-log'
import { serverCertificateFromFiles, serverIdentity } from './server-identity'
import type { PeerAddress } from '../core/ports'
import { listenerEvents } from './coap-listener'
import { CredentialStore } from '../store/credential-store'
import { SecurityService } from './security-service'
import { dtlsListeners as ownDtlsListeners } from './dtls-listeners'
import { SerialService } from './serial-service'
import { provisionOverShell } from './serial-provision'
import { CardService } from './card-service'
import { CardStore } from '../store/card-store'
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
  /** LwM2M Server on DTLS 1.2 (needs `coap`); null or absent: not started. */
  readonly coaps?: DtlsListenOptions | null
  /** Bootstrap Server on DTLS 1.2 (needs `bootstrap`); null or absent: not started. */
  readonly bootstrapCoaps?: DtlsListenOptions | null
}

export interface DtlsListenOptions {
  readonly host: string
  readonly port: number
  /** Connection ID length handed out (RFC 9146); 0 = off. Default 6. */
  readonly cidLength?: number
  /** X.509 mode: our certificate chain (PEM, leaf first) and its P-256 key (PEM); without them, raw public keys with the data dir's own key. */
  readonly certFile?: string
  readonly keyFile?: string
}

export interface Workbench {
  readonly dispatcher: Dispatcher
  readonly events: EventHub
  readonly dataDir: string
  /** The simulated devices (the CLI's serve --demo starts a fleet through it). */
  readonly simulator: SimulatorService
  /** DTLS credentials and handshake records: the CredentialLookup the DTLS listeners consult. */
  readonly security: SecurityService
  /** Serial lines (the CLI's serve --serial opens ports through it). */
  readonly serial: SerialService
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
  const bootstrapStore = new BootstrapStore(database.db, secretBox)
  const bootstrap = new BootstrapService(bootstrapStore, events, modelsNow)
  const cards = new CardService({ store: new CardStore(database.db), configs: bootstrapStore, events, models: modelsNow })
  // Read per write: the setting applies at once, to listeners already open.
  const keyLog = new KeyLog(opts.dataDir, () => settings.get(['dtls.keyLog'])['dtls.keyLog'] === true, log)
  const dtlsListeners: DtlsListener[] = []
  const listeners = (): Listener[] => [server.listener(), bootstrap.listener(), ...dtlsListeners.map((l) => l.describe())].filter((l) => l !== null)
  const openDtls = async (role: 'server' | 'bootstrap', o: DtlsListenOptions): Promise<void> => {
    const handle = role === 'server' ? server.role() : bootstrap.role()
    if (handle === null) throw new Error(`the ${role === 'server' ? 'LwM2M Server' : 'Bootstrap Server'} must run on UDP for its DTLS listener to start`)
    const certificate = o.certFile !== undefined && o.keyFile !== undefined ? serverCertificateFromFiles(o.certFile, o.keyFile) : serverIdentity(opts.dataDir, secretBox)
    dtlsListeners.push(
      await DtlsListener.open(role, handle, security, {
        host: o.host,
        port: o.port,
        certificate,
        ...(o.cidLength !== undefined ? { cidLength: o.cidLength } : {}),
        onEvent: listenerEvents(role === 'server' ? 'LwM2M Server' : 'Bootstrap Server'),
        keyLog: (line) => keyLog.write(line),
        ...(role === 'server' ? { onMoved: (peer: PeerAddress, from: string) => server.peerMoved(peer, `DTLS Connection ID kept the session; was ${from}`) } : {})
      })
    )
  }
  const secrets: SystemInfo['secrets'] = {
    protection: secretBox.protection,
    detail:
      secretBox.protection === 'os-keyring'
        ? 'AES-256-GCM with a key protected by the OS keyring'
        : `AES-256-GCM with the key in ${join(opts.dataDir, 'secrets.key')} (readable by this user only)`
  }
  const security = new SecurityService({
    store: new CredentialStore(database.db, secretBox),
    events,
    bootstrapConfig: (name) => bootstrap.list().configs.find((c) => c.endpoint === name)?.config,
    ownListeners: () => ownDtlsListeners(listeners())
  })
  const simulator = new SimulatorService({ events, models: modelsNow, profilesDir: join(opts.resourcesDir ?? findResourcesDir(), 'profiles') })
  const serial = new SerialService({ events, roles: () => ({ server: server.role(), bootstrap: bootstrap.role() }), tap: processTap })
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
    'security.put': (p) => security.put(p),
    'security.check': (p) => security.check(p),
    'security.list': (p) => security.list(p),
    'security.delete': (p) => security.delete(p.endpoint, p.role),
    'security.handshakes': (p) => security.handshakes(p),
    'serial.ports': () => serial.ports(),
    'serial.open': (p) => serial.open(p),
    'serial.close': (p) => serial.close(p.path),
    'serial.control': (p) => serial.control(p),
    'serial.write': (p) => serial.write(p),
    'serial.console': (p) => serial.console(p),
    'serial.provision': (p) => provisionOverShell(serial, bootstrap, p),
    'cards.readers': () => cards.readers(),
    'cards.readBootstrap': (p) => cards.readBootstrap(p),
    'cards.writeBootstrap': (p) => cards.writeBootstrap(p),
    'cards.apdu': (p) => cards.apdu(p),
    'cards.records': (p) => cards.records(p.limit),
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
      try {
        if (l.coap) await server.start(l.coap)
        if (l.bootstrap) await bootstrap.start(l.bootstrap)
      } finally {
        // Serial lines opened before (the app starts listeners while its window is up) get the roles now.
        serial.rolesChanged()
      }
      if (l.coaps) await openDtls('server', l.coaps)
      if (l.bootstrapCoaps) await openDtls('bootstrap', l.bootstrapCoaps)
    },
    simulator,
    security,
    serial,
    capture,
    close: async () => {
      capture.close()
      await serial.closeAll()
      cards.close()
      await simulator.close()
      for (const l of dtlsListeners.splice(0)) await l.close()
      security.close()
      await server.close()
      await bootstrap.close()
      database.close()
    }
  }
}
