// SPDX-License-Identifier: Apache-2.0
// Serial lines (issue 17): opens ports, keeps each line's console and decoded CoAP frames, and
// on a slipmux line puts the Server and Bootstrap Server roles on a CoAP endpoint of its own
// (role-attachment.ts), so a device on the line registers or bootstraps as over UDP. The line
// follows the roles: those that start (or restart) after serial.open serve it too (rolesChanged).
import type { ConsoleLineDto, OpenSerialPortDto, SerialConsolePage, SerialFrameDto, SerialPortDto } from '../contract/serial'
import type { Params } from '../contract/methods'
import { ServiceError } from '../contract/errors'
import { coapCodec } from '../core/coap/codec'
import { describeMessage } from '../core/coap/describe'
import { CoapEndpoint } from '../core/coap/endpoint'
import { decodeString, getOptions } from '../core/coap/options'
import { Option } from '../core/coap/message'
import { LineSplitter } from '../core/serial/line-splitter'
import type { CaptureFrame, CaptureTap } from '../transports/capture-tap'
import { nodeRandom, nodeScheduler } from '../transports/node-runtime'
import { PortWatcher, SerialLink, listSerialPorts, type BindingInterface, type SerialPortDescription } from '../transports/serial'
import type { EventHub } from './event-hub'
import { listenerEvents } from './coap-listener'
import { LiveRoleAttachment, type AttachedRoles } from './role-attachment'

export interface SerialServiceOptions {
  readonly events: EventHub
  /** The roles running now (null while one is not started); read again on rolesChanged(). */
  readonly roles: () => AttachedRoles
  /** The native binding unless given (tests of hot-plug pass the mock binding). */
  readonly binding?: BindingInterface
  /** Sees every CoAP frame on every line (the packet inspector). */
  readonly tap?: CaptureTap
  /** How often the port list is polled for hot-plug (default 2 s). */
  readonly pollMs?: number
}

/** Console lines kept per port; older ones are dropped (the terminal can save what it showed). */
const MAX_LINES = 5000
const MAX_FRAMES = 200
/** A partial line (a shell prompt) is shown once nothing more came for this long. */
const PARTIAL_FLUSH_MS = 150
const BATCH_MS = 50

interface Console {
  readonly lines: ConsoleLineDto[]
  readonly frames: SerialFrameDto[]
  nextSeq: number
  nextFrameSeq: number
  readonly splitter: LineSplitter
  partialTimer: ReturnType<typeof setTimeout> | null
  /** The last partial line shown, so the same prompt is not shown twice. */
  shownPartial: string
  endpoint: string | null
  /** Raw text listeners (shell provisioning waits on prompts). */
  readonly watchers: Set<(text: string) => void>
}

interface Line {
  readonly link: SerialLink
  readonly dto: Omit<OpenSerialPortDto, 'counters' | 'endpoint' | 'roles'>
  readonly endpoint: CoapEndpoint | null
  /** Slipmux lines: the roles serving the line, followed as they start and stop. */
  readonly roles: LiveRoleAttachment | null
}

type Settings = Params<'serial.open'>

export class SerialService {
  readonly #lines = new Map<string, Line>()
  readonly #consoles = new Map<string, Console>()
  readonly #watcher: PortWatcher
  readonly #batch = new Map<string, { lines: ConsoleLineDto[]; frames: SerialFrameDto[] }>()
  #batchTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly opts: SerialServiceOptions) {
    this.#watcher = new PortWatcher((ports) => this.opts.events.emit('serial.portsChanged', { ports: ports.map(portDto) }), opts.binding, opts.pollMs ?? 2000)
  }

  /** Starts polling the port list for hot-plug (while someone may look at it). */
  watch(): void {
    this.#watcher.start()
  }

  /** Also starts watching for hot-plug: whoever asked for the list wants to hear of changes. */
  async ports(): Promise<{ ports: SerialPortDto[]; open: OpenSerialPortDto[] }> {
    this.watch()
    let ports: SerialPortDescription[]
    try {
      ports = await listSerialPorts(this.opts.binding)
    } catch (e) {
      throw new ServiceError('serial.unavailable', (e as Error).message)
    }
    return { ports: ports.map(portDto), open: [...this.#lines.keys()].map((p) => this.#openDto(p)) }
  }

  async open(p: Settings): Promise<OpenSerialPortDto> {
    if (this.#lines.has(p.path)) throw new ServiceError('serial.invalid_request', `${p.path} is open already; close it first to change its settings`)
    const path = p.path
    let link: SerialLink
    try {
      link = await SerialLink.open({
        path,
        framing: p.framing,
        baudRate: p.baudRate,
        ...(p.dataBits !== undefined ? { dataBits: p.dataBits } : {}),
        ...(p.parity !== undefined ? { parity: p.parity } : {}),
        ...(p.stopBits !== undefined ? { stopBits: p.stopBits } : {}),
        ...(p.rtscts !== undefined ? { rtscts: p.rtscts } : {}),
        ...(p.xonxoff !== undefined ? { xonxoff: p.xonxoff } : {}),
        ...(this.opts.binding ? { binding: this.opts.binding } : {}),
        tap: (f) => this.#frame(path, f),
        onConsole: (text) => this.#consoleText(this.#console(path), path, text),
        onClose: (reason) => this.#closed(path, reason)
      })
    } catch (e) {
      throw new ServiceError('serial.open_failed', `cannot open ${path}: ${(e as Error).message}`)
    }
    let endpoint: CoapEndpoint | null = null
    let roles: LiveRoleAttachment | null = null
    if (p.framing === 'slipmux') {
      // Its events reach the protocol log like those of the UDP listeners.
      endpoint = new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom, onEvent: listenerEvents(`serial ${path}`) })
      // Keyed by the line's whole peer key: each line is its own link (several may be open).
      roles = new LiveRoleAttachment(endpoint, link.peer.key, this.opts.roles)
    }
    const dto = {
      path,
      framing: p.framing,
      baudRate: p.baudRate,
      dataBits: p.dataBits ?? 8,
      parity: p.parity ?? 'none',
      stopBits: p.stopBits ?? 1,
      rtscts: p.rtscts ?? false,
      xonxoff: p.xonxoff ?? false,
      openedAt: new Date().toISOString(),
      uri: uartUri(path)
    } as const
    this.#lines.set(path, { link, dto, endpoint, roles })
    this.#console(path)
    return this.#openDto(path)
  }

  async close(path: string, reason = 'closed by the user'): Promise<{ closed: boolean }> {
    const line = this.#lines.get(path)
    if (!line) return { closed: false }
    await line.link.close(reason)
    return { closed: true }
  }

  async control(p: Params<'serial.control'>): Promise<{ path: string; dtr?: boolean; rts?: boolean }> {
    const line = this.#line(p.path)
    const lines = { ...(p.dtr !== undefined ? { dtr: p.dtr } : {}), ...(p.rts !== undefined ? { rts: p.rts } : {}) }
    try {
      await line.link.control(lines)
    } catch (e) {
      throw new ServiceError('serial.control_failed', `${p.path} refused modem control: ${(e as Error).message}`)
    }
    return { path: p.path, ...lines }
  }

  async write(p: Params<'serial.write'>): Promise<{ bytes: number }> {
    if ((p.text === undefined) === (p.hex === undefined)) throw new ServiceError('serial.invalid_request', 'give either text or hex')
    const line = this.#line(p.path)
    let bytes: Uint8Array
    if (p.hex !== undefined) {
      const clean = p.hex.replace(/\s+/g, '')
      bytes = Uint8Array.from(Buffer.from(clean, 'hex'))
      await line.link.writeBytes(bytes)
    } else {
      const text = p.text as string
      bytes = new TextEncoder().encode(text)
      // On a slipmux line text goes as it is too: a device shell reads it outside the frames.
      await line.link.writeBytes(bytes)
      this.#hostLine(p.path, text)
    }
    return { bytes: bytes.length }
  }

  console(p: Params<'serial.console'>): SerialConsolePage {
    const c = this.#consoles.get(p.path)
    if (!c) throw new ServiceError('serial.not_open', `${p.path} has not been opened`)
    const first = c.lines[0]?.seq ?? c.nextSeq
    const cursor = Math.max(p.cursor ?? first, first)
    const limit = p.limit ?? 1000
    const from = cursor - first
    const lines = c.lines.slice(from, from + limit)
    const next = lines.length > 0 ? (lines[lines.length - 1] as ConsoleLineDto).seq + 1 : Math.max(cursor, c.nextSeq)
    return { path: p.path, open: this.#lines.has(p.path), lines, next, frames: c.frames.slice() }
  }

  /** The open line's link (shell provisioning drives it). */
  link(path: string): SerialLink {
    return this.#line(path).link
  }

  /** Follows the raw text arriving on `path` until the returned function is called. */
  watchText(path: string, watcher: (text: string) => void): () => void {
    const c = this.#console(path)
    c.watchers.add(watcher)
    return () => void c.watchers.delete(watcher)
  }

  /** Records a line the host wrote (it shows in the console, marked as ours). */
  hostLine(path: string, text: string): void {
    this.#hostLine(path, text)
  }

  /**
   * The Server or Bootstrap Server started, stopped or restarted: every open slipmux line follows,
   * without being reopened (a line opened before the listeners came up is served once they run).
   */
  rolesChanged(): void {
    for (const line of this.#lines.values()) line.roles?.sync()
  }

  async closeAll(): Promise<void> {
    this.#watcher.stop()
    await Promise.all([...this.#lines.keys()].map((p) => this.close(p, 'the workbench is shutting down')))
    this.#flush()
  }

  #line(path: string): Line {
    const line = this.#lines.get(path)
    if (!line) throw new ServiceError('serial.not_open', `${path} is not open`)
    return line
  }

  /** A port's console outlives the port: it is still there to read after an unplug, and continues on reopen. */
  #console(path: string): Console {
    let c = this.#consoles.get(path)
    if (!c) {
      const made: Console = {
        lines: [],
        frames: [],
        nextSeq: 0,
        nextFrameSeq: 0,
        splitter: new LineSplitter((text) => this.#deviceLine(made, path, text)),
        partialTimer: null,
        shownPartial: '',
        endpoint: null,
        watchers: new Set()
      }
      c = made
      this.#consoles.set(path, c)
    }
    return c
  }

  #consoleText(c: Console, path: string, text: string): void {
    for (const w of c.watchers) w(text)
    c.splitter.pushText(text)
    if (c.partialTimer) clearTimeout(c.partialTimer)
    c.partialTimer = null
    if (c.splitter.pending !== '') {
      c.partialTimer = setTimeout(() => {
        c.partialTimer = null
        const partial = c.splitter.pending
        if (partial !== '' && partial !== c.shownPartial) {
          c.shownPartial = partial
          this.#push(c, path, 'device', partial)
        }
      }, PARTIAL_FLUSH_MS)
    }
  }

  #deviceLine(c: Console, path: string, text: string): void {
    // The line whose start was shown as a partial (a prompt) now ends: show the whole line.
    c.shownPartial = ''
    this.#push(c, path, 'device', text)
  }

  #hostLine(path: string, text: string): void {
    const c = this.#console(path)
    for (const l of text.replace(/\r?\n$/, '').split(/\r?\n/)) this.#push(c, path, 'host', l)
  }

  #push(c: Console, path: string, source: 'device' | 'host', text: string): void {
    const line: ConsoleLineDto = { seq: c.nextSeq++, at: new Date().toISOString(), source, text }
    c.lines.push(line)
    if (c.lines.length > MAX_LINES) c.lines.splice(0, c.lines.length - MAX_LINES)
    this.#batchOf(path).lines.push(line)
    this.#schedule()
  }

  #frame(path: string, f: CaptureFrame): void {
    this.opts.tap?.(f)
    const c = this.#console(path)
    const decoded = coapCodec.decode(f.bytes)
    const m = decoded.message
    if (m && f.direction === 'in' && m.code >= 1 && m.code < 32) {
      // The endpoint name a Register or Bootstrap-Request carries (ep=…) names the line's device.
      for (const q of getOptions(m, Option.URI_QUERY)) {
        const t = decodeString(q.value)
        if (t.startsWith('ep=')) c.endpoint = t.slice(3)
      }
    }
    const frame: SerialFrameDto = {
      seq: c.nextFrameSeq++,
      at: new Date(f.at).toISOString(),
      direction: f.direction,
      summary: m ? describeMessage(m) : `undecodable CoAP (${f.bytes.length} B)`,
      endpoint: c.endpoint
    }
    c.frames.push(frame)
    if (c.frames.length > MAX_FRAMES) c.frames.splice(0, c.frames.length - MAX_FRAMES)
    this.#batchOf(path).frames.push(frame)
    this.#schedule()
  }

  #closed(path: string, reason: string): void {
    const line = this.#lines.get(path)
    if (!line) return
    this.#lines.delete(path)
    line.roles?.detach()
    // Pending requests to the device fail with the line's reason, not a generic one.
    line.endpoint?.close(`the serial line ${path} closed: ${reason}`)
    const c = this.#consoles.get(path)
    if (c?.partialTimer) clearTimeout(c.partialTimer)
    c?.splitter.flush()
    this.#flush()
    this.opts.events.emit('serial.closed', { path, reason })
  }

  #batchOf(path: string): { lines: ConsoleLineDto[]; frames: SerialFrameDto[] } {
    let b = this.#batch.get(path)
    if (!b) {
      b = { lines: [], frames: [] }
      this.#batch.set(path, b)
    }
    return b
  }

  #schedule(): void {
    if (this.#batchTimer) return
    this.#batchTimer = setTimeout(() => this.#flush(), BATCH_MS)
  }

  /** serial.data goes out batched: one event per line and batch window, not one per byte. */
  #flush(): void {
    if (this.#batchTimer) clearTimeout(this.#batchTimer)
    this.#batchTimer = null
    for (const [path, b] of this.#batch) {
      const line = this.#lines.get(path)
      const extra = line ? { counters: line.link.counters, endpoint: this.#consoles.get(path)?.endpoint ?? null } : {}
      this.opts.events.emit('serial.data', { path, lines: b.lines, frames: b.frames, ...extra })
    }
    this.#batch.clear()
  }

  #openDto(path: string): OpenSerialPortDto {
    const line = this.#line(path)
    return { ...line.dto, roles: line.roles?.names ?? [], endpoint: this.#consoles.get(path)?.endpoint ?? null, counters: line.link.counters }
  }
}

/** The machine's serial ports, without a workbench (`lwm2m-wb serial list`). */
export async function systemSerialPorts(): Promise<SerialPortDto[]> {
  return (await listSerialPorts()).map(portDto)
}

/**
 * The line's URI for a bootstrap configuration (slipmux draft §5: coap+uart://<port-name>): the
 * port's device name, "/dev/ttyUSB0" → coap+uart://ttyUSB0, as aiocoap names serial devices.
 */
export function uartUri(path: string): string {
  return `coap+uart://${path.split(/[\\/]/).filter((s) => s !== '').pop() ?? path}`
}

function portDto(p: SerialPortDescription): SerialPortDto {
  return { ...p }
}
