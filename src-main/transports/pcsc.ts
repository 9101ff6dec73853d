// SPDX-License-Identifier: Apache-2.0
// PC/SC readers and cards through pcsc-lite, on the `smartcard` package (N-API, so one build
// serves Node and Electron). It lists readers with card presence and ATR, reports insert/remove,
// connects T=0/T=1 and moves APDUs, completing T=0 answers (61xx GET RESPONSE, 6Cxx wrong Le).
// It never looks inside an APDU beyond that: the card programs in core/card/ do the rest,
// logical channels (MANAGE CHANNEL) included.
import { createRequire } from 'node:module'
import { claFor, decodeResponse, encodeCommand, INS, type ResponseApdu } from '../core/card/apdu'
import { statusWord } from '../core/card/status-word'
import { transmitComplete, type Exchange } from '../core/card/t0-exchange'

type Smartcard = typeof import('smartcard')
type NativeContext = import('smartcard').ContextInterface
type NativeCard = import('smartcard').CardInterface
type NativeMonitor = import('smartcard').ReaderMonitorInterface

/** pcscd is not running (or the library is missing): the message says what to do. */
export class PcscUnavailableError extends Error {
  constructor(
    readonly reason: 'no-library' | 'no-service',
    message: string
  ) {
    super(message)
    this.name = 'PcscUnavailableError'
  }
}

export class CardRemovedError extends Error {
  constructor(reader: string) {
    super(`the card in "${reader}" was removed (or stopped answering) during the exchange`)
    this.name = 'CardRemovedError'
  }
}

export const PCSCD_HINT =
  'pcscd (the PC/SC daemon) is not running: start it with `sudo systemctl start pcscd.socket` (Debian: `sudo apt-get install pcscd`), or run `sudo pcscd --foreground` in a terminal'

export interface ReaderStatus {
  readonly name: string
  readonly present: boolean
  /** The card's ATR (hex), when one is present. */
  readonly atr: string | null
  /** Another program holds the card exclusively. */
  readonly inUse: boolean
  readonly mute: boolean
}

export type CardProtocol = 'T=0' | 'T=1'

export interface CardLink {
  readonly reader: string
  readonly atr: Uint8Array
  readonly protocol: CardProtocol
  /** One APDU, T=0 answers completed; `exchanges` are every APDU that actually went. */
  transmit(command: Uint8Array): Promise<Uint8Array>
  transmitWithExchanges(command: Uint8Array): Promise<{ response: Uint8Array; exchanges: Exchange[] }>
  /** MANAGE CHANNEL open (ISO/IEC 7816-4 §11.1.2): the new logical channel's number. */
  openChannel(): Promise<number>
  /** MANAGE CHANNEL close of `channel` (1..19). */
  closeChannel(channel: number): Promise<void>
  /** Leaves the card reset by default, which closes its logical channels and forgets verified keys. */
  close(opts?: { reset?: boolean }): void
}

const hex = (b: Uint8Array | Buffer | null | undefined): string | null => (b && b.length > 0 ? Buffer.from(b).toString('hex') : null)

let loaded: Smartcard | null | undefined

function library(): Smartcard {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('smartcard') as Smartcard
    } catch {
      loaded = null
    }
  }
  if (loaded === null) throw new PcscUnavailableError('no-library', 'PC/SC support (the smartcard package) is not part of this build')
  return loaded
}

function wrap(e: unknown): Error {
  const message = (e as Error).message ?? String(e)
  if (/service not running|no service|SCARD_E_NO_SERVICE/i.test(message)) return new PcscUnavailableError('no-service', PCSCD_HINT)
  return e instanceof Error ? e : new Error(message)
}

export class Pcsc {
  #context: NativeContext | null = null

  private constructor(private readonly lib: Smartcard) {}

  /** Throws PcscUnavailableError with a plain message when pcsc-lite cannot be reached. */
  static open(): Pcsc {
    const p = new Pcsc(library())
    p.context()
    return p
  }

  private context(): NativeContext {
    if (this.#context?.isValid) return this.#context
    try {
      this.#context = new this.lib.Context()
      return this.#context
    } catch (e) {
      this.#context = null
      throw wrap(e)
    }
  }

  readers(): ReaderStatus[] {
    let list: ReturnType<NativeContext['listReaders']>
    try {
      list = this.context().listReaders()
    } catch (e) {
      // A context from before a pcscd restart goes stale: one fresh try.
      this.#context = null
      try {
        list = this.context().listReaders()
      } catch {
        throw wrap(e)
      }
    }
    const L = this.lib
    return list.map((r) => {
      const present = (r.state & L.SCARD_STATE_PRESENT) !== 0
      return { name: r.name, present, atr: present ? hex(r.atr) : null, inUse: (r.state & L.SCARD_STATE_EXCLUSIVE) !== 0, mute: (r.state & L.SCARD_STATE_MUTE) !== 0 }
    })
  }

  async connect(readerName: string, protocol: CardProtocol | 'any' = 'any'): Promise<CardLink> {
    const L = this.lib
    let reader: ReturnType<NativeContext['listReaders']>[number] | undefined
    try {
      reader = this.context()
        .listReaders()
        .find((r) => r.name === readerName)
    } catch (e) {
      throw wrap(e)
    }
    if (!reader) throw new Error(`no reader named "${readerName}" (readers: ${this.readers().map((r) => `"${r.name}"`).join(', ') || 'none'})`)
    if ((reader.state & L.SCARD_STATE_PRESENT) === 0) throw new Error(`no card in "${readerName}"`)
    const want = protocol === 'T=0' ? L.SCARD_PROTOCOL_T0 : protocol === 'T=1' ? L.SCARD_PROTOCOL_T1 : L.SCARD_PROTOCOL_T0 | L.SCARD_PROTOCOL_T1
    let card: NativeCard
    try {
      card = await reader.connect(L.SCARD_SHARE_SHARED, want)
    } catch (e) {
      throw wrap(e)
    }
    const atr = new Uint8Array(card.atr ?? card.getStatus().atr)
    const proto: CardProtocol = card.protocol === L.SCARD_PROTOCOL_T1 ? 'T=1' : 'T=0'
    const raw = async (command: Uint8Array): Promise<Uint8Array> => {
      let r: Uint8Array
      try {
        r = new Uint8Array(await card.transmit(Buffer.from(command), { maxRecvLength: 258 }))
      } catch (e) {
        const m = (e as Error).message ?? ''
        if (/removed|reset|no smart ?card|not transacted|unresponsive/i.test(m)) throw new CardRemovedError(readerName)
        throw wrap(e)
      }
      // No status word at all: the card went away under the reader (vpcd answers so on removal).
      if (r.length < 2) throw new CardRemovedError(readerName)
      return r
    }
    const transmitWithExchanges = (command: Uint8Array) => transmitComplete(command, raw)
    const transmit = async (command: Uint8Array) => (await transmitWithExchanges(command)).response
    const check = (r: Uint8Array, what: string): ResponseApdu => {
      const d = decodeResponse(r)
      if (d.sw1 !== 0x90) {
        const s = statusWord(d.sw1, d.sw2)
        throw new Error(`${what}: the card answered ${s.sw.toUpperCase()} "${s.meaning}"`)
      }
      return d
    }
    return {
      reader: readerName,
      atr,
      protocol: proto,
      transmitWithExchanges,
      transmit,
      openChannel: async () => {
        const d = check(await transmit(encodeCommand({ cla: 0, ins: INS.MANAGE_CHANNEL, p1: 0x00, p2: 0x00, le: 1 })), 'MANAGE CHANNEL open')
        const n = d.data[0]
        if (d.data.length !== 1 || n === undefined || n < 1 || n > 19) throw new Error(`MANAGE CHANNEL open: the card named no channel in 1..19`)
        return n
      },
      closeChannel: async (channel) => {
        check(await transmit(encodeCommand({ cla: claFor(channel), ins: INS.MANAGE_CHANNEL, p1: 0x80, p2: channel })), `MANAGE CHANNEL close ${channel}`)
      },
      close: (opts = {}) => {
        try {
          card.disconnect((opts.reset ?? true) ? L.SCARD_RESET_CARD : L.SCARD_LEAVE_CARD)
        } catch {
          // Already gone with the card.
        }
      }
    }
  }

  /**
   * Calls `onChange` with every reader's status when a reader comes or goes or a card is
   * inserted or removed. While pcscd is down it retries every `retryMs`. Returns the stop function.
   */
  watch(onChange: (readers: ReaderStatus[]) => void, opts: { retryMs?: number; onError?: (e: Error) => void } = {}): () => void {
    let monitor: NativeMonitor | null = null
    let timer: ReturnType<typeof setTimeout> | null = null
    let stopped = false
    const report = () => {
      try {
        onChange(this.readers())
      } catch (e) {
        opts.onError?.(wrap(e))
      }
    }
    const start = () => {
      timer = null
      if (stopped) return
      try {
        monitor = new this.lib.ReaderMonitor()
        monitor.start((ev) => {
          if (ev.type === 'error') {
            try {
              monitor?.stop()
            } catch {
              // stopping a failed monitor
            }
            monitor = null
            opts.onError?.(wrap(new Error(String(ev.reader || 'PC/SC monitor error'))))
            if (!stopped) timer = setTimeout(start, opts.retryMs ?? 2000)
            return
          }
          report()
        })
        report()
      } catch (e) {
        monitor = null
        opts.onError?.(wrap(e))
        timer = setTimeout(start, opts.retryMs ?? 2000)
      }
    }
    start()
    return () => {
      stopped = true
      if (timer) clearTimeout(timer)
      try {
        monitor?.stop()
      } catch {
        // already stopped
      }
    }
  }

  close(): void {
    try {
      this.#context?.close()
    } catch {
      // closing a context pcscd already dropped
    }
    this.#context = null
  }
}
