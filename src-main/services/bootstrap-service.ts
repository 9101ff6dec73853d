// SPDX-License-Identifier: Apache-2.0
// The Bootstrap Server listener behind bootstrap.*: configurations in the store (sealed, they hold
// keys), the role on its own UDP port, and a record of every run.
import { BOOTSTRAP_CONFIG_SCHEMA, type BootstrapConfigEntry, type BootstrapConfigReview, type BootstrapRunDto } from '../contract/bootstrap'
import { validate } from '../contract/schema'
import { fromLeshanBootstrapJson, isLeshanBootstrapJson } from '../core/lwm2m/bootstrap/leshan-import'
import { ServiceError } from '../contract/errors'
import type { Listener } from '../contract/system'
import { BootstrapServer, type BootstrapRun } from '../core/lwm2m/bootstrap/bootstrap-server'
import { checkConfig, readConfig, type BootstrapConfig } from '../core/lwm2m/bootstrap/config'
import type { ModelLookup } from '../core/lwm2m/model'
import { coapDeviceLink, serveUplink } from '../core/lwm2m/server/coap-binding'
import type { BootstrapStore, StoredRun } from '../store/bootstrap-store'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { CoapListener } from './coap-listener'
import { RoutedDeviceLink } from '../core/lwm2m/server/routed-device-link'
import type { RoleHandle } from './role-attachment'
import { WallClock } from './device-dto'
import type { EventHub } from './event-hub'

/** URI schemes the workbench's own servers answer today; other LwM2M schemes draw a warning. */
const SERVED_SCHEMES = ['coap', 'coap+uart']

export class BootstrapService {
  #listener: CoapListener | null = null
  #role: BootstrapServer | null = null
  readonly #links = new RoutedDeviceLink()
  readonly #clock = new WallClock(nodeScheduler.now())

  constructor(
    private readonly store: BootstrapStore,
    private readonly events: EventHub,
    private readonly models: () => Promise<ModelLookup>
  ) {}

  async start(opts: { host: string; port: number }): Promise<void> {
    const models = await this.models()
    const listener = await CoapListener.open('Bootstrap Server', opts)
    const endpoint = listener.endpoint
    this.#links.add('udp', coapDeviceLink(endpoint))
    const role = new BootstrapServer({
      link: this.#links,
      scheduler: nodeScheduler,
      random: nodeRandom,
      models,
      configFor: (ep) => this.configFor(ep),
      onRun: (run, change) => {
        const dto = this.runDto(run)
        this.store.saveRun(dto as StoredRun)
        this.events.emit('bootstrap.progress', { run: dto, change })
      }
    })
    serveUplink(endpoint, (req, accept) => role.handle(req, accept))
    this.#listener = listener
    this.#role = role
  }

  /** The role for other transports (DTLS, serial) to attach to; null while not running. */
  role(): RoleHandle | null {
    const role = this.#role
    return role ? { handle: (req, accept) => role.handle(req, accept), links: this.#links } : null
  }

  /** Records a run made elsewhere (shell provisioning over a serial line) like a network one. */
  recordRun(run: BootstrapRunDto, change: 'started' | 'step' | 'finished'): void {
    this.store.saveRun(run as StoredRun)
    this.events.emit('bootstrap.progress', { run, change })
  }

  /** The configuration stored for `endpoint`, or the "*" default; undefined when there is none. */
  storedConfig(endpoint: string): BootstrapConfig | undefined {
    return this.configFor(endpoint)
  }

  listener(): Listener | null {
    return this.#listener?.describe() ?? null
  }

  async close(): Promise<void> {
    await this.#listener?.close()
    this.#listener = null
    this.#role = null
  }

  list(): { configs: BootstrapConfigEntry[] } {
    return { configs: this.store.configs().map((c) => this.entry(c.endpoint, readConfig(c.config as BootstrapConfig), c.updatedAt)) }
  }

  get(endpoint: string): BootstrapConfigEntry {
    const c = this.store.configs().find((x) => x.endpoint === endpoint)
    if (!c) throw new ServiceError('bootstrap.not_found', `no bootstrap configuration for "${endpoint}"`)
    return this.entry(c.endpoint, readConfig(c.config as BootstrapConfig), c.updatedAt)
  }

  /** Problems block saving and every run; warnings do not (item 12). */
  check(config: BootstrapConfig): BootstrapConfigReview {
    return checkConfig(readConfig(config), { servedSchemes: SERVED_SCHEMES })
  }

  /** Saves with the encodings spelled out, so the stored JSON says what its bytes are. */
  put(given: BootstrapConfig): BootstrapConfigEntry {
    const config = readConfig(given)
    const { problems, warnings } = this.check(config)
    if (problems.length > 0)
      throw new ServiceError('bootstrap.invalid_config', `the configuration for "${config.endpoint}" cannot be used: ${problems.join('; ')}`, { problems, warnings })
    const now = new Date()
    this.store.putConfig(config.endpoint, config, now)
    return this.entry(config.endpoint, config, now.toISOString())
  }

  /** Imports our format (one configuration or an array) or Leshan's file; nothing is saved if any fails. */
  import(json: unknown): { imported: BootstrapConfigEntry[]; problems: string[] } {
    let configs: BootstrapConfig[]
    let problems: string[] = []
    if (isLeshanBootstrapJson(json)) ({ configs, problems } = fromLeshanBootstrapJson(json))
    else configs = (Array.isArray(json) ? json : [json]) as BootstrapConfig[]
    configs.forEach((c, i) => {
      const issues = validate(BOOTSTRAP_CONFIG_SCHEMA, c)
      if (issues.length > 0)
        throw new ServiceError('bootstrap.invalid_config', `configuration ${i + 1}: ${issues.map((x) => `${x.at} ${x.message}`).join('; ')}`, { issues })
      const p = this.check(c).problems
      if (p.length > 0) throw new ServiceError('bootstrap.invalid_config', `${c.endpoint}: ${p.join('; ')}`, { problems: p })
    })
    return { imported: configs.map((c) => this.put(c)), problems }
  }

  /** Renames a configuration (checked under its new name first); nothing is copied or left behind. */
  rename(from: string, to: string): BootstrapConfigEntry {
    const current = this.get(from)
    if (from === to) return current
    const { problems } = this.check({ ...current.config, endpoint: to })
    if (problems.length > 0) throw new ServiceError('bootstrap.invalid_config', `cannot rename to "${to}": ${problems.join('; ')}`, { problems })
    const r = this.store.renameConfig(from, to, new Date())
    if (r === 'missing') throw new ServiceError('bootstrap.not_found', `no bootstrap configuration for "${from}"`)
    if (r === 'taken') throw new ServiceError('bootstrap.invalid_config', `a configuration for "${to}" exists already: delete or rename it first`, { endpoint: to })
    return this.get(to)
  }

  /** For the Overview: finished runs since a time, the stored count, the latest runs. */
  summary(sinceIso: string, recent: number): { ok: number; failed: number; configs: number; runs: BootstrapRunDto[] } {
    const c = this.store.runCounts(sinceIso)
    return { ok: c.success, failed: c.failed, configs: this.store.configCount(), runs: this.runs(undefined, recent).runs }
  }

  delete(endpoint: string): { deleted: boolean } {
    return { deleted: this.store.deleteConfig(endpoint) }
  }

  runs(endpoint: string | undefined, limit = 100): { runs: BootstrapRunDto[] } {
    return { runs: this.store.runs(endpoint, limit) as unknown as BootstrapRunDto[] }
  }

  private configFor(endpoint: string): BootstrapConfig | undefined {
    // The "*" default applies only if someone saved one on purpose; none is ever made up here.
    const stored = (this.store.config(endpoint) ?? this.store.config('*')) as BootstrapConfig | undefined
    return stored ? readConfig(stored) : undefined
  }

  private entry(endpoint: string, config: BootstrapConfig, updatedAt: string): BootstrapConfigEntry {
    return { endpoint, config, updatedAt, ...this.check(config) }
  }

  private runDto(run: BootstrapRun): BootstrapRunDto {
    return {
      id: run.id,
      endpoint: run.endpoint,
      kind: run.kind,
      peer: run.peer,
      startedAt: this.#clock.iso(run.startedAt),
      finishedAt: run.finishedAt === null ? null : this.#clock.iso(run.finishedAt),
      outcome: run.outcome,
      detail: run.detail,
      format: run.format,
      clientVersion: run.clientVersion,
      steps: run.steps.map((s) => ({ ...s, at: this.#clock.iso(s.at), durationMs: Math.round(s.durationMs * 10) / 10 })),
      config: run.config,
      bootstrapAccount: run.bootstrapAccount,
      instances: [...run.instances],
      written: [...run.written]
    }
  }
}
