// SPDX-License-Identifier: Apache-2.0
// Serial lines (UART, USB-CDC, ptys) over the `serialport` package's native binding. A line in
// slipmux framing is a core DatagramLink for CoAP (one peer: the device on the other end, keyed
// "serial:<path>") plus a console of diagnostic text; in raw framing it is a console only.
// `serialport` has no hot-plug events, so the port list is polled (PortWatcher).
import { readSync, writeSync } from 'node:fs'
import type { DatagramLink, PeerAddress } from '../core/ports'
import { emptyCounters, encodeCoapFrame, encodeDiagnosticFrame, SlipmuxDecoder, type SlipmuxCounters } from '../core/serial/slipmux'
import type { CaptureTap } from './capture-tap'

export type SerialFraming = 'slipmux' | 'raw'
export type SerialParity = 'none' | 'even' | 'odd' | 'mark' | 'space'

export interface SerialSettings {
  readonly baudRate: number
  readonly dataBits?: 5 | 6 | 7 | 8
  readonly parity?: SerialParity
  readonly stopBits?: 1 | 1.5 | 2
  /** Hardware flow control (RTS/CTS). */
  readonly rtscts?: boolean
  /** Software flow control (XON/XOFF). */
  readonly xonxoff?: boolean
}

export interface SerialLinkOptions extends SerialSettings {
  readonly path: string
  readonly framing: SerialFraming
  /** The native binding by default; tests of modem control and the port list pass the mock one. */
  readonly binding?: BindingInterface
  readonly tap?: CaptureTap
  /** Console text: diagnostic frames (slipmux) or everything received (raw), as it arrives. */
  readonly onConsole?: (text: string) => void
  /** The link ended (closed by us, unplugged, the other end gone); called once. */
  readonly onClose?: (reason: string) => void
  /** Slipmux frame counters changed (a frame came in). */
  readonly onFrame?: () => void
  /** Every chunk as read, before any decoding (a hex view, an echo); only valid during the call. */
  readonly onBytes?: (chunk: Uint8Array) => void
}

/** What we use of a `serialport` binding (the native one, or @serialport/binding-mock in tests). */
export interface BindingInterface {
  list(): Promise<PortInfo[]>
  open(options: {
    path: string
    baudRate: number
    dataBits: 5 | 6 | 7 | 8
    parity: SerialParity
    stopBits: 1 | 1.5 | 2
    rtscts: boolean
    xon: boolean
    xoff: boolean
    lock: boolean
  }): Promise<BindingPortInterface>
}

export interface BindingPortInterface {
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>
  write(buffer: Buffer): Promise<void>
  set(options: { dtr?: boolean; rts?: boolean }): Promise<void>
  close(): Promise<void>
}

/**
 * What the Linux and macOS ports of @serialport/bindings-cpp hold besides the interface: the
 * non-blocking descriptor and a poller for it (libuv uv_poll). Their read() and write() go through
 * the libuv thread pool: a read is a pool round trip for the data plus one more that ends in
 * EAGAIN (an Error with a stack) before the poller is armed, and a write is a pool round trip too.
 * On a serial line that is most of a request's time, so when these two are there we read when the
 * poller says readable and write at once, both on the descriptor, on this thread (it is
 * non-blocking: nothing waits). Windows' binding has neither: it keeps its own read and write.
 */
interface UnixPortInternals {
  readonly fd: number | null
  readonly poller: { once(event: 'readable', callback: (err: Error | null) => void): unknown }
}

function unixInternals(port: BindingPortInterface): UnixPortInternals | null {
  const p = port as unknown as Partial<UnixPortInternals>
  return typeof p.fd === 'number' && typeof p.poller?.once === 'function' ? (p as UnixPortInternals) : null
}

const RESOLVED = Promise.resolve()

function isAgain(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR'
}

interface PortInfo {
  path: string
  manufacturer?: string | undefined
  serialNumber?: string | undefined
  vendorId?: string | undefined
  productId?: string | undefined
}

export interface SerialPortDescription {
  readonly path: string
  readonly manufacturer?: string
  readonly serialNumber?: string
  readonly vendorId?: string
  readonly productId?: string
}

export function serialPeer(path: string): PeerAddress {
  return { key: `serial:${path}`, display: path }
}

/** The path a serial: peer key names, or null. */
export function parseSerialPeer(peer: PeerAddress): string | null {
  return peer.key.startsWith('serial:') ? peer.key.slice('serial:'.length) : null
}

let nativeBinding: BindingInterface | null | undefined
let nativeProblem = ''

/** The platform's binding, loaded on first use; null (with serialUnavailable() saying why) when it cannot load. */
export async function defaultBinding(): Promise<BindingInterface | null> {
  if (nativeBinding !== undefined) return nativeBinding
  try {
    const { SerialPort } = await import('serialport')
    nativeBinding = SerialPort.binding as unknown as BindingInterface
  } catch (e) {
    nativeBinding = null
    nativeProblem = `the serialport native module did not load: ${(e as Error).message}`
  }
  return nativeBinding
}

/** Why serial ports cannot be used here, or null when they can (after defaultBinding()). */
export function serialUnavailable(): string | null {
  return nativeBinding === null ? nativeProblem : null
}

async function bindingOf(given?: BindingInterface): Promise<BindingInterface> {
  const b = given ?? (await defaultBinding())
  if (!b) throw new Error(serialUnavailable() ?? 'serial ports are not available')
  return b
}

export async function listSerialPorts(binding?: BindingInterface): Promise<SerialPortDescription[]> {
  const ports = await (await bindingOf(binding)).list()
  return ports.map(describePort).sort((a, b) => a.path.localeCompare(b.path))
}

function describePort(p: PortInfo): SerialPortDescription {
  return {
    path: p.path,
    ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
    ...(p.vendorId ? { vendorId: p.vendorId } : {}),
    ...(p.productId ? { productId: p.productId } : {})
  }
}

const READ_SIZE = 16 * 1024

export class SerialLink implements DatagramLink {
  readonly peer: PeerAddress
  #handler: ((peer: PeerAddress, datagram: Uint8Array) => void) | null = null
  readonly #decoder: SlipmuxDecoder | null
  readonly #text = new TextDecoder('utf-8')
  #writes: Promise<void> = RESOLVED
  /** Writes handed to the binding and not yet done: a direct write must not overtake them. */
  #queued = 0
  /** The descriptor-level access of the Linux/macOS binding, when present. */
  readonly #unix: UnixPortInternals | null
  readonly #readBuf = Buffer.alloc(READ_SIZE)
  #closing = false
  #closeReason: string | null = null
  readonly #ended: Promise<string>
  #settleEnded: (reason: string) => void = () => undefined

  private constructor(
    private readonly portBinding: BindingPortInterface,
    private readonly opts: SerialLinkOptions
  ) {
    this.peer = serialPeer(opts.path)
    this.#unix = unixInternals(portBinding)
    this.#ended = new Promise((resolve) => (this.#settleEnded = resolve))
    this.#decoder =
      opts.framing === 'slipmux'
        ? new SlipmuxDecoder((f) => {
            if (f.kind === 'coap') this.#coapIn(f.message)
            else if (f.kind === 'diagnostic') opts.onConsole?.(f.text)
          })
        : null
  }

  static async open(opts: SerialLinkOptions): Promise<SerialLink> {
    const binding = await bindingOf(opts.binding)
    const port = await binding.open({
      path: opts.path,
      baudRate: opts.baudRate,
      dataBits: opts.dataBits ?? 8,
      parity: opts.parity ?? 'none',
      stopBits: opts.stopBits ?? 1,
      rtscts: opts.rtscts ?? false,
      xon: opts.xonxoff ?? false,
      xoff: opts.xonxoff ?? false,
      // Other programs writing into our frames would corrupt both sides' traffic.
      lock: true
    })
    const link = new SerialLink(port, opts)
    if (link.#unix) link.#awaitReadable()
    else void link.#readLoop()
    return link
  }

  get path(): string {
    return this.opts.path
  }

  get framing(): SerialFraming {
    return this.opts.framing
  }

  get counters(): SlipmuxCounters {
    return this.#decoder ? { ...this.#decoder.counters } : emptyCounters()
  }

  /** Reads and writes go straight to the descriptor (Linux, macOS) rather than through the binding's thread-pool calls. */
  get directIo(): boolean {
    return this.#unix !== null
  }

  get isOpen(): boolean {
    return this.#closeReason === null
  }

  /** Settles with the reason once the link has ended. */
  get ended(): Promise<string> {
    return this.#ended
  }

  onReceive(handler: (peer: PeerAddress, datagram: Uint8Array) => void): void {
    this.#handler = handler
  }

  /** A CoAP message to the device; only slipmux lines carry CoAP. */
  send(peer: PeerAddress, datagram: Uint8Array): void {
    if (this.opts.framing !== 'slipmux' || peer.key !== this.peer.key || !this.isOpen) return
    this.opts.tap?.({ direction: 'out', transport: 'serial', local: this.opts.path, peer, bytes: datagram, at: Date.now() })
    // A failed write ends nothing by itself (the read loop notices a port that went away).
    this.#write(encodeCoapFrame(datagram)).catch(() => undefined)
  }

  /** Bytes as they are (a shell command, a test's garbage). */
  writeBytes(bytes: Uint8Array): Promise<void> {
    return this.#write(bytes)
  }

  /** Diagnostic text in a slipmux frame (what a device sends); raw lines get the text as it is. */
  writeText(text: string): Promise<void> {
    return this.#write(this.opts.framing === 'slipmux' ? encodeDiagnosticFrame(text) : new TextEncoder().encode(text))
  }

  /** DTR/RTS (many boards reset on DTR). Ptys refuse modem control: that rejects. */
  async control(lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
    if (!this.isOpen) throw new Error(`${this.opts.path} is closed`)
    await this.portBinding.set({ ...(lines.dtr !== undefined ? { dtr: lines.dtr } : {}), ...(lines.rts !== undefined ? { rts: lines.rts } : {}) })
  }

  /** Closes the port; what was queued to write is written first when it can be. */
  async close(reason = 'closed'): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    await Promise.race([this.#writes, new Promise((r) => setTimeout(r, 500))])
    try {
      await this.portBinding.close()
    } catch {
      // Already gone (unplugged): nothing left to release.
    }
    this.#end(reason)
  }

  /** Writes `bytes` in order with what was written before; they may be reused once this returns. */
  #write(bytes: Uint8Array): Promise<void> {
    let rest = bytes
    const fd = this.#unix?.fd
    if (typeof fd === 'number' && this.#queued === 0 && this.isOpen && !this.#closing) {
      // Nothing queued: straight to the descriptor. A full output buffer (EAGAIN) or a short
      // write leaves the rest to the binding, which waits until the port takes more.
      let n = 0
      try {
        n = writeSync(fd, bytes)
      } catch (e) {
        if (!isAgain(e)) return Promise.reject(e as Error)
      }
      if (n === bytes.length) return RESOLVED
      rest = bytes.subarray(n)
    }
    // Copied: the caller may reuse its bytes (an echo of the read buffer) before this is written.
    const buf = Buffer.from(rest)
    this.#queued++
    const next = this.#writes.then(async () => {
      try {
        if (!this.isOpen || this.#closing) return
        await this.portBinding.write(buf)
      } finally {
        this.#queued--
      }
    })
    // A failed write ends nothing by itself: the read loop notices a port that went away.
    this.#writes = next.catch(() => undefined)
    return next
  }

  #coapIn(message: Uint8Array): void {
    this.opts.tap?.({ direction: 'in', transport: 'serial', local: this.opts.path, peer: this.peer, bytes: message, at: Date.now() })
    try {
      this.#handler?.(this.peer, message)
    } catch {
      // The CoAP layer above is total; this only guards the read loop against a bug there.
    }
  }

  /** Direct reads: wait for the poller, read what is there (one read: the poll is level-triggered), wait again. */
  #awaitReadable(): void {
    this.#unix?.poller.once('readable', (err) => this.#readable(err))
  }

  #readable(err: Error | null): void {
    if (this.#closing) return
    const fd = this.#unix?.fd
    if (err || typeof fd !== 'number') {
      const canceled = (err as (Error & { canceled?: boolean }) | null)?.canceled === true || typeof fd !== 'number'
      void this.#lost(canceled ? 'the port was closed' : `the port went away (unplugged, or the other end closed): ${err?.message ?? ''}`)
      return
    }
    let n: number
    try {
      n = readSync(fd, this.#readBuf, 0, READ_SIZE, null)
    } catch (e) {
      if (isAgain(e)) return this.#awaitReadable()
      void this.#lost(`the port went away (unplugged, or the other end closed): ${(e as Error).message}`)
      return
    }
    // Readable yet nothing to read: a terminal's end of file (the line hung up).
    if (n === 0) {
      void this.#lost('the port went away (unplugged, or the other end closed): end of file')
      return
    }
    this.#chunk(this.#readBuf.subarray(0, n))
    if (!this.#closing) this.#awaitReadable()
  }

  #chunk(chunk: Uint8Array): void {
    try {
      this.opts.onBytes?.(chunk)
      if (this.#decoder) {
        this.#decoder.push(chunk)
        this.opts.onFrame?.()
      } else if (this.opts.onConsole) {
        const text = this.#text.decode(chunk, { stream: true })
        if (text) this.opts.onConsole(text)
      }
    } catch {
      // Console consumers are ours and total; a bug there must not stop the line.
    }
  }

  async #readLoop(): Promise<void> {
    const buf = this.#readBuf
    while (!this.#closing) {
      let n: number
      try {
        n = (await this.portBinding.read(buf, 0, buf.length)).bytesRead
      } catch (e) {
        if (this.#closing) return
        const err = e as Error & { canceled?: boolean; disconnected?: boolean }
        void this.#lost(err.canceled ? 'the port was closed' : `the port went away (unplugged, or the other end closed): ${err.message}`)
        return
      }
      if (n === 0) continue
      this.#chunk(buf.subarray(0, n))
    }
  }

  async #lost(reason: string): Promise<void> {
    this.#closing = true
    try {
      await this.portBinding.close()
    } catch {
      // Already gone.
    }
    this.#end(reason)
  }

  #end(reason: string): void {
    if (this.#closeReason !== null) return
    this.#closeReason = reason
    this.#settleEnded(reason)
    this.opts.onClose?.(reason)
  }
}

/** Polls the port list (serialport has no hot-plug events) and reports each change. */
export class PortWatcher {
  #timer: ReturnType<typeof setInterval> | null = null
  #last = ''
  #ports: SerialPortDescription[] = []
  #busy = false

  constructor(
    private readonly onChange: (ports: SerialPortDescription[]) => void,
    private readonly binding?: BindingInterface,
    readonly intervalMs = 2000
  ) {}

  get ports(): readonly SerialPortDescription[] {
    return this.#ports
  }

  /** Reads the list now; reports it when it differs from the last one. */
  async poll(): Promise<SerialPortDescription[]> {
    if (this.#busy) return this.#ports
    this.#busy = true
    try {
      const ports = await listSerialPorts(this.binding)
      const key = JSON.stringify(ports)
      if (key !== this.#last) {
        const first = this.#last === ''
        this.#last = key
        this.#ports = ports
        if (!first) this.onChange(ports)
      }
      return ports
    } catch {
      // A failed listing (udev busy) is retried on the next tick.
      return this.#ports
    } finally {
      this.#busy = false
    }
  }

  start(): void {
    if (this.#timer) return
    void this.poll()
    this.#timer = setInterval(() => void this.poll(), this.intervalMs)
    this.#timer.unref?.()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }
}
