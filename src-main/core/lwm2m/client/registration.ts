// SPDX-License-Identifier: Apache-2.0
// The client's registration procedure (C §6.2.1.1, Tbl 6.2.1.1-1; LwM2M-REG-01/02; facts §3.2):
// which servers to register to and in what order (Registration Priority Order, Initial
// Registration Delay, Registration Failure Block), how often to try (Communication Retry Count
// and Timer, Sequence Delay Timer and Retry Count), when to fall back to bootstrap (Bootstrap on
// Registration Failure), and, once registered, Update before the lifetime runs out, on request
// (/1/x/8) and when the object list changes; De-register at the end.
import type { Scheduler } from '../../ports'
import { formatCode as codeText } from '../../coap/message'
import { CF } from '../content-format'
import type { ServerAccount } from './bootstrap-interface'
import { serverAccounts } from './bootstrap-interface'
import { Code } from './client-request'
import type { LwM2MVersion } from './device-management'
import type { ObjectTree } from './object-tree'
import { bindingFor, objectLinks, registerQuery } from './register-payload'

export interface UplinkResult {
  readonly code: number
  readonly locationPath: readonly string[]
  /** Max-Age in seconds, when the server gave one (e.g. with 5.03). */
  readonly maxAge?: number
}

export interface UplinkSpec {
  readonly method: 'POST' | 'DELETE'
  readonly path: readonly string[]
  readonly query: readonly string[]
  readonly contentFormat?: number
  readonly payload?: Uint8Array
}

/** How the procedure reaches a server; rejects when no answer came (timeout, RST, no route). */
export interface RegistrationPort {
  send(account: ServerAccount, req: UplinkSpec): Promise<UplinkResult>
}

export type ServerState = 'waiting' | 'registering' | 'registered' | 'updating' | 'failed' | 'disabled' | 'deregistered'

export interface ServerStatus {
  readonly ssid: number
  readonly uri: string
  readonly state: ServerState
  readonly location: readonly string[] | null
  readonly attempts: number
  readonly lastError: string | null
  readonly registeredAt: number | null
  readonly lastUpdateAt: number | null
  /** The LwM2M version registered with (lower than the client's after a 4.12, VER-03). */
  readonly version: LwM2MVersion
}

export interface RegistrationOptions {
  readonly tree: ObjectTree
  readonly scheduler: Scheduler
  readonly port: RegistrationPort
  readonly endpoint: string
  readonly version: LwM2MVersion
  readonly queue: boolean
  readonly preferredFormat: number | null
  /** Profile ID (`pid`, 1.2); dropped for a full object list after a 4.09. */
  readonly profileId?: string
  readonly onStatus?: (s: ServerStatus) => void
  /** Every server failed and one of them asks for bootstrap on failure (/1/x/16). */
  readonly onBootstrapNeeded?: () => void
  /** A message went to a server (queue mode: the client is awake). */
  readonly onTraffic?: () => void
}

/** Tbl 6.2.1.1-1 defaults (absent resources). */
const DEFAULTS = { initialDelay: 0, failureBlock: false, bootstrapOnFailure: true, retryCount: 5, retryTimer: 60, sequenceDelay: 86400, sequenceRetryCount: 1, disableTimeout: 86400 }

interface Server {
  readonly account: ServerAccount
  state: ServerState
  location: readonly string[] | null
  attempts: number
  lastError: string | null
  registeredAt: number | null
  lastUpdateAt: number | null
  /** What the server last heard, to send only what changed in an Update. */
  sent: { lifetime: number; binding: string; links: string } | null
  cancelTimer: (() => void) | null
  /** Set once the server may be dropped from the procedure (failed or removed). */
  done: boolean
  /** Fires when this server's registration ended (registered or failed), for priority order. */
  settled: ((ok: boolean) => void) | null
  usePid: boolean
  /** The LwM2M version this server takes: the client's own, lower after a 4.12 (VER-03). */
  version: LwM2MVersion
  updating: boolean
  pendingUpdate: boolean
}

const utf8 = new TextEncoder()

export class RegistrationProcedure {
  private readonly servers = new Map<number, Server>()
  private stopped = false

  constructor(private readonly o: RegistrationOptions) {}

  /** Starts registering to every server account the tree holds (REG-01: all of them, in order). */
  start(): void {
    this.stopped = false
    const accounts = serverAccounts(this.o.tree)
    const ordered: Server[] = []
    for (const account of accounts) {
      if (this.servers.has(account.ssid)) continue
      const s = this.newServer(account)
      this.servers.set(account.ssid, s)
      const order = this.res(account, 13)
      if (order === null) void this.runSequence(s, this.res(account, 14) ?? DEFAULTS.initialDelay)
      else ordered.push(s)
    }
    // Servers with a Registration Priority Order register one after the other, lowest first.
    ordered.sort((a, b) => (this.res(a.account, 13) ?? 0) - (this.res(b.account, 13) ?? 0))
    void this.runOrdered(ordered)
  }

  private newServer(account: ServerAccount): Server {
    return {
      account, state: 'waiting', location: null, attempts: 0, lastError: null, registeredAt: null, lastUpdateAt: null,
      sent: null, cancelTimer: null, done: false, settled: null, usePid: this.o.profileId !== undefined, version: this.o.version, updating: false, pendingUpdate: false
    }
  }

  private async runOrdered(list: Server[]): Promise<void> {
    for (const [k, s] of list.entries()) {
      const ok = await new Promise<boolean>((resolve) => {
        s.settled = resolve
        void this.runSequence(s, this.res(s.account, 14) ?? DEFAULTS.initialDelay)
      })
      if (this.stopped) return
      const block = this.bool(s.account, 15) ?? DEFAULTS.failureBlock
      if (!ok && block) {
        // Registration Failure Block: the servers after this one are not tried.
        this.failAll(list.slice(k + 1), `registration to server ${s.account.ssid} failed and blocks the others (/1/${s.account.serverInstance}/15)`)
        return
      }
    }
  }

  status(): ServerStatus[] {
    return [...this.servers.values()].map((s) => this.statusOf(s))
  }

  /** Whether at least one server has us registered. */
  get registered(): boolean {
    return [...this.servers.values()].some((s) => s.state === 'registered' || s.state === 'updating')
  }

  private statusOf(s: Server): ServerStatus {
    const { state, location, attempts, lastError, registeredAt, lastUpdateAt } = s
    return { ssid: s.account.ssid, uri: s.account.uri, state, location, attempts, lastError, registeredAt, lastUpdateAt, version: s.version }
  }

  private setState(s: Server, state: ServerState, error: string | null = s.lastError): void {
    s.state = state
    s.lastError = error
    this.o.onStatus?.(this.statusOf(s))
  }

  private res(a: ServerAccount, rid: number): number | null {
    const v = this.o.tree.value(1, a.serverInstance, rid)
    return v && (v.type === 'integer' || v.type === 'unsigned') ? Number(v.value) : null
  }

  private bool(a: ServerAccount, rid: number): boolean | null {
    const v = this.o.tree.value(1, a.serverInstance, rid)
    return v?.type === 'boolean' ? v.value : null
  }

  private lifetime(a: ServerAccount): number {
    return this.res(a, 1) ?? 86400
  }

  private wait(s: Server, seconds: number): Promise<void> {
    return new Promise((resolve) => {
      s.cancelTimer = this.o.scheduler.schedule(seconds * 1000, () => {
        s.cancelTimer = null
        resolve()
      })
    })
  }

  /**
   * One server's registration: up to Sequence Retry Count sequences, each of up to Communication
   * Retry Count attempts spaced by Retry Timer × 2^(n−1), sequences spaced by Sequence Delay.
   */
  private async runSequence(s: Server, initialDelaySeconds: number): Promise<void> {
    this.setState(s, 'waiting')
    if (initialDelaySeconds > 0) await this.wait(s, initialDelaySeconds)
    const a = s.account
    const retryCount = Math.max(1, this.res(a, 17) ?? DEFAULTS.retryCount)
    const retryTimer = this.res(a, 18) ?? DEFAULTS.retryTimer
    const sequences = Math.max(1, this.res(a, 20) ?? DEFAULTS.sequenceRetryCount)
    const sequenceDelay = this.res(a, 19) ?? DEFAULTS.sequenceDelay
    for (let seq = 0; seq < sequences; seq++) {
      if (seq > 0) await this.wait(s, sequenceDelay)
      for (let n = 1; n <= retryCount; n++) {
        if (this.stopped || s.done) return
        if (n > 1) await this.wait(s, retryTimer * 2 ** (n - 2))
        if (this.stopped || s.done) return
        if (await this.register(s)) {
          s.settled?.(true)
          s.settled = null
          return
        }
      }
    }
    s.done = true
    this.setState(s, 'failed')
    s.settled?.(false)
    s.settled = null
    this.afterFailure()
  }

  private afterFailure(): void {
    const all = [...this.servers.values()]
    if (all.every((x) => x.state === 'failed' || x.state === 'disabled' || x.state === 'deregistered') && all.length > 0) {
      const wantsBootstrap = all.some((x) => x.state === 'failed' && (this.bool(x.account, 16) ?? DEFAULTS.bootstrapOnFailure))
      if (wantsBootstrap) this.o.onBootstrapNeeded?.()
    }
  }

  /** Fails `blocked` (the servers after a blocking one in priority order; others run on). */
  private failAll(blocked: readonly Server[], why: string): void {
    for (const s of blocked) {
      if (s.state === 'waiting') {
        s.done = true
        s.cancelTimer?.()
        this.setState(s, 'failed', why)
      }
    }
    this.afterFailure()
  }

  /** One Register attempt; true when the server took it. */
  private async register(s: Server): Promise<boolean> {
    const a = s.account
    s.attempts++
    this.setState(s, 'registering')
    const lifetime = this.lifetime(a)
    const binding = bindingFor(this.bindingValue(a), s.version, this.o.queue)
    const links = objectLinks(this.o.tree, s.version, this.o.preferredFormat)
    const query = registerQuery({
      endpoint: this.o.endpoint, lifetime, version: s.version, binding, queue: this.o.queue,
      ...(s.usePid && this.o.profileId !== undefined ? { profileId: this.o.profileId } : {})
    })
    let r: UplinkResult
    try {
      this.o.onTraffic?.()
      r = await this.o.port.send(a, { method: 'POST', path: ['rd'], query, contentFormat: CF.LINK, payload: utf8.encode(links) })
    } catch (e) {
      this.setState(s, 'registering', `Register got no answer: ${e instanceof Error ? e.message : String(e)}`)
      return false
    }
    if (this.stopped || s.done) return false
    if (r.code === Code.CONFLICT && s.usePid) {
      // 4.09: the server does not know our Profile ID; send the full object list (1.2).
      s.usePid = false
      return this.register(s)
    }
    if (r.code === Code.PRECONDITION_FAILED && s.version !== '1.0') {
      // VER-02/03: the server does not speak our version; what Anjay does, and what a test of
      // somebody else's server needs: try the next lower one at once (1.2 → 1.1 → 1.0).
      const refused = s.version
      s.version = s.version === '1.2' ? '1.1' : '1.0'
      this.setState(s, 'registering', `the server refused LwM2M ${refused} (4.12); registering as ${s.version}`)
      return this.register(s)
    }
    if (r.code !== Code.CREATED) {
      this.setState(s, 'registering', `Register answered ${codeText(r.code)}`)
      return false
    }
    s.location = r.locationPath
    s.registeredAt = this.o.scheduler.now()
    s.lastUpdateAt = s.registeredAt
    s.sent = { lifetime, binding, links }
    this.setState(s, 'registered', null)
    this.armLifetimeUpdate(s)
    return true
  }

  private bindingValue(a: ServerAccount): string | null {
    const v = this.o.tree.value(1, a.serverInstance, 7)
    return v?.type === 'string' ? v.value : null
  }

  /** The Update goes out before the lifetime ends: at 90 % of it, at least one second ahead. */
  private armLifetimeUpdate(s: Server): void {
    s.cancelTimer?.()
    const lifetime = s.sent?.lifetime ?? this.lifetime(s.account)
    if (lifetime <= 0) return // 0: no expiry (1.2)
    const delay = Math.max(0.5, Math.min(lifetime * 0.9, lifetime - 1))
    s.cancelTimer = this.o.scheduler.schedule(delay * 1000, () => {
      s.cancelTimer = null
      void this.update(s.account.ssid)
    })
  }

  /**
   * Sends an Update to one server (or every registered one): what changed since the last one
   * (lifetime, binding, object list), nothing else. 4.04 means the registration is gone: Register again.
   */
  async update(ssid?: number, opts: { force?: boolean } = {}): Promise<void> {
    const targets = [...this.servers.values()].filter((s) => ssid === undefined || s.account.ssid === ssid)
    await Promise.all(targets.map((s) => this.updateOne(s, opts.force ?? true)))
  }

  private async updateOne(s: Server, force: boolean): Promise<void> {
    if (this.stopped || s.location === null || (s.state !== 'registered' && s.state !== 'updating')) return
    if (s.updating) {
      s.pendingUpdate = true
      return
    }
    const a = s.account
    const lifetime = this.lifetime(a)
    const binding = bindingFor(this.bindingValue(a), s.version, this.o.queue)
    const links = objectLinks(this.o.tree, s.version, this.o.preferredFormat)
    const query: string[] = []
    if (lifetime !== s.sent?.lifetime) query.push(`lt=${lifetime}`)
    if (binding !== s.sent?.binding) query.push(`b=${binding}`)
    if (this.o.queue && s.version !== '1.0') query.push('Q')
    const linksChanged = links !== s.sent?.links
    if (!force && query.length === (this.o.queue && s.version !== '1.0' ? 1 : 0) && !linksChanged) return
    s.updating = true
    this.setState(s, 'updating')
    let r: UplinkResult | null = null
    let error: string | null = null
    try {
      this.o.onTraffic?.()
      r = await this.o.port.send(a, {
        method: 'POST', path: s.location, query,
        ...(linksChanged ? { contentFormat: CF.LINK, payload: utf8.encode(links) } : {})
      })
    } catch (e) {
      error = `Update got no answer: ${e instanceof Error ? e.message : String(e)}`
    }
    s.updating = false
    if (this.stopped || s.done) return
    if (r?.code === Code.CHANGED) {
      s.lastUpdateAt = this.o.scheduler.now()
      s.sent = { lifetime, binding, links }
      this.setState(s, 'registered', null)
      this.armLifetimeUpdate(s)
      if (s.pendingUpdate) {
        s.pendingUpdate = false
        await this.updateOne(s, false)
      }
      return
    }
    // 4.04 (the server forgot us), another error, or silence: Register again (C §6.2.2).
    s.cancelTimer?.()
    s.location = null
    s.pendingUpdate = false
    this.setState(s, 'registering', error ?? `Update answered ${codeText(r?.code ?? 0)}; registering again`)
    void this.runSequence(s, 0)
  }

  /** De-registers from every server (or one) and stops its timers. */
  /** Resolves to whether every server that had us registered answered the De-register. */
  async deregister(ssid?: number): Promise<boolean> {
    const targets = [...this.servers.values()].filter((s) => ssid === undefined || s.account.ssid === ssid)
    let answered = true
    await Promise.all(targets.map(async (s) => {
      s.cancelTimer?.()
      s.done = true
      const location = s.location
      s.location = null
      if (location !== null) {
        try {
          await this.o.port.send(s.account, { method: 'DELETE', path: location, query: [] })
        } catch {
          // The server forgets us at the end of the lifetime anyway.
          answered = false
        }
      }
      this.setState(s, 'deregistered')
    }))
    return answered
  }

  /** /1/x/4 Disable: De-register, wait Disable Timeout (/1/x/5, default 86400 s), register again. */
  async disable(ssid: number): Promise<void> {
    const s = this.servers.get(ssid)
    if (!s) return
    await this.deregister(ssid)
    this.setState(s, 'disabled')
    const timeout = this.res(s.account, 5) ?? DEFAULTS.disableTimeout
    s.cancelTimer = this.o.scheduler.schedule(timeout * 1000, () => {
      s.cancelTimer = null
      s.done = false
      s.attempts = 0
      void this.runSequence(s, 0)
    })
  }

  /** Stops every timer; nothing more is sent. */
  stop(): void {
    this.stopped = true
    for (const s of this.servers.values()) {
      s.cancelTimer?.()
      s.cancelTimer = null
    }
  }

  /** Forgets every server (before a new bootstrap). */
  reset(): void {
    this.stop()
    this.servers.clear()
  }
}
