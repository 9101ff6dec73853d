// An in-process workbench with real UDP listeners (server and bootstrap on port 0) for the
// simulator's interop tests: contract calls, the events it emitted, and polling waits.
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import type { DevicesPage, DeviceSummary } from '../../src-main/contract/devices'
import type { SystemInfo } from '../../src-main/contract/system'
import { callIn } from './in-process'
import { tempDir } from './temp-dir'

export interface SimBench {
  readonly wb: Workbench
  readonly serverPort: number
  readonly bsPort: number
  readonly serverUri: string
  readonly bsUri: string
  readonly events: Array<[string, unknown]>
  /** DTLS 1.2 listeners (0 when started without them). */
  readonly coapsPort: number
  readonly bsCoapsPort: number
  call<T>(method: string, params: unknown): Promise<T>
  close(): Promise<void>
}

export async function startBench(opts: { dtls?: boolean; cidLength?: number; certFile?: string; keyFile?: string } = {}): Promise<SimBench> {
  const dir = tempDir()
  const wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  const events: Array<[string, unknown]> = []
  wb.events.subscribe((n, p) => events.push([n, p]))
  const dtls = opts.dtls
    ? { host: '127.0.0.1', port: 0, ...(opts.cidLength !== undefined ? { cidLength: opts.cidLength } : {}), ...(opts.certFile && opts.keyFile ? { certFile: opts.certFile, keyFile: opts.keyFile } : {}) }
    : null
  await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: { host: '127.0.0.1', port: 0 }, coaps: dtls, bootstrapCoaps: dtls })
  const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)
  const listeners = (await call<SystemInfo>('system.info', {})).capabilities.listeners
  const serverPort = listeners.find((l) => l.role === 'LwM2M Server')?.port ?? 0
  const bsPort = listeners.find((l) => l.role === 'Bootstrap Server')?.port ?? 0
  const dtlsPort = (role: string): number => listeners.find((l) => l.role === role && l.transport.startsWith('coaps'))?.port ?? 0
  return {
    wb,
    serverPort,
    bsPort,
    serverUri: `coap://127.0.0.1:${serverPort}`,
    bsUri: `coap://127.0.0.1:${bsPort}`,
    events,
    coapsPort: dtlsPort('LwM2M Server'),
    bsCoapsPort: dtlsPort('Bootstrap Server'),
    call,
    close: async () => {
      await wb.close()
      dir.cleanup()
    }
  }
}

/** Polls `probe` until it returns something other than undefined (or throws after `ms`). */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000, every = 50): Promise<T> {
  const end = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/** Every registered device, all pages. */
export async function registered(call: SimBench['call']): Promise<DeviceSummary[]> {
  const out: DeviceSummary[] = []
  for (let cursor = 0; ; ) {
    const page = await call<DevicesPage>('devices.list', { cursor, limit: 1000 })
    out.push(...page.devices)
    cursor += page.devices.length
    if (page.devices.length === 0 || cursor >= page.total) return out
  }
}

/** Waits until every endpoint named is registered with the server. */
export function allRegistered(bench: Pick<SimBench, 'call'>, endpoints: readonly string[], ms = 15_000): Promise<DeviceSummary[]> {
  return until(`${endpoints.length} registration(s)`, async () => {
    const list = await registered(bench.call)
    const live = new Set(list.filter((d) => d.state === 'registered').map((d) => d.endpoint))
    return endpoints.every((e) => live.has(e)) ? list : undefined
  }, ms)
}
