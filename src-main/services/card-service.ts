// SPDX-License-Identifier: Apache-2.0
// Smart cards behind cards.*: PC/SC readers, and the LwM2M bootstrap file on a UICC (LwM2M Core
// App. G, letters per 1.1.1, unverified for 1.2): read it, or write a stored bootstrap
// configuration into it (VERIFY ADM → zeroed header → body → header last → read back → compare)
// and record the attempt. Keys never reach a log: VERIFY and UPDATE BINARY data are masked.
import { createHash, randomBytes } from 'node:crypto'
import type { ApduLogEntryDto, CardApduDto, CardBootstrapDto, CardRecordDto, CardReaderDto, CardReadersDto, CardWriteDto, CardWriteRecordDto, DerNodeDto } from '../contract/cards'
import { ServiceError } from '../contract/errors'
import type { Json } from '../contract/schema'
import { maskedCommandHex } from '../core/card/apdu'
import { CardFailure, readBootstrap, readIccid, writeBootstrap, type BootstrapRead } from '../core/card/card-program'
import { readDer, type DerNode } from '../core/card/der'
import { runProgram, type ApduLogEntry } from '../core/card/run-program'
import { parseAdm, parsePin } from '../core/card/secret-code'
import { statusWord } from '../core/card/status-word'
import { decodeCardFile } from '../core/lwm2m/bootstrap/card-file'
import { encodeConfigCardFile } from '../core/lwm2m/bootstrap/card-file-encoder'
import { checkConfig, readConfig, type BootstrapConfig } from '../core/lwm2m/bootstrap/config'
import { toJsonRecord } from '../core/lwm2m/json-record'
import type { ModelLookup } from '../core/lwm2m/model'
import type { Lwm2mRecord } from '../core/lwm2m/record'
import type { CardStore } from '../store/card-store'
import { CardRemovedError, Pcsc, PcscUnavailableError, type CardLink, type ReaderStatus } from '../transports/pcsc'
import type { EventHub } from './event-hub'

export interface CardServiceOptions {
  readonly store: CardStore
  /** The stored bootstrap configurations (sealed in the store). */
  readonly configs: { config(endpoint: string): unknown }
  readonly events: EventHub
  readonly models: () => Promise<ModelLookup>
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

function derDto(nodes: readonly DerNode[]): DerNodeDto[] {
  return nodes.map((n) => ({
    tag: n.tag.toString(16).toUpperCase().padStart(2, '0'),
    offset: n.offset,
    length: n.value.length,
    value: n.constructed ? null : hex(n.value),
    children: derDto(n.children)
  }))
}

function logDto(e: ApduLogEntry): ApduLogEntryDto {
  return { command: e.command, name: e.name, purpose: e.purpose, response: e.response, sw: e.sw, meaning: e.meaning }
}

export class CardService {
  #pcsc: Pcsc | null = null
  #stopWatch: (() => void) | null = null
  #busy = new Map<string, Promise<unknown>>()

  constructor(private readonly opts: CardServiceOptions) {}

  private pcsc(): Pcsc {
    try {
      this.#pcsc ??= Pcsc.open()
      return this.#pcsc
    } catch (e) {
      if (e instanceof PcscUnavailableError) throw new ServiceError('cards.unavailable', e.message)
      throw e
    }
  }

  /** Readers now; the first call also starts watching them (cards.changed). */
  readers(): CardReadersDto {
    try {
      const readers = this.pcsc().readers().map(readerDto)
      this.watch()
      return { available: true, detail: `${readers.length} reader(s) through pcsc-lite`, readers }
    } catch (e) {
      if (e instanceof ServiceError || e instanceof PcscUnavailableError) return { available: false, detail: e.message, readers: [] }
      throw e
    }
  }

  private watch(): void {
    if (this.#stopWatch || !this.#pcsc) return
    this.#stopWatch = this.#pcsc.watch((readers) => this.opts.events.emit('cards.changed', { readers: readers.map(readerDto) }))
  }

  /** One operation per reader at a time: a second waits for the first. */
  private async exclusive<T>(reader: string, f: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(reader) ?? Promise.resolve()
    const run = before.catch(() => undefined).then(f)
    this.#busy.set(reader, run)
    try {
      return await run
    } finally {
      if (this.#busy.get(reader) === run) this.#busy.delete(reader)
    }
  }

  private async connect(reader: string): Promise<CardLink> {
    try {
      return await this.pcsc().connect(reader)
    } catch (e) {
      if (e instanceof ServiceError) throw e
      if (e instanceof PcscUnavailableError) throw new ServiceError('cards.unavailable', e.message)
      throw new ServiceError('cards.failed', (e as Error).message)
    }
  }

  async readBootstrap(p: { reader: string; pin?: string; endpoint?: string }): Promise<CardBootstrapDto> {
    const pin = p.pin === undefined ? undefined : codeOrThrow(parsePin(p.pin))
    const stored = p.endpoint === undefined ? null : this.storedImage(p.endpoint)
    return this.exclusive(p.reader, async () => {
      const link = await this.connect(p.reader)
      const log: ApduLogEntryDto[] = []
      try {
        const iccid = await runProgram(readIccid(), link.transmit, (e) => log.push(logDto(e)))
        const r = await runProgram(readBootstrap(pin ? { pin } : {}), link.transmit, (e) => log.push(logDto(e)))
        return this.bootstrapDto(link, iccid, r, log, await this.opts.models(), stored)
      } catch (e) {
        throw cardError(e, log)
      } finally {
        link.close()
      }
    })
  }

  /** The raw EF LwM2M_Bootstrap bytes (for a simulated device bootstrapping from the card). */
  async bootstrapBytes(reader: string, pin?: string): Promise<Uint8Array> {
    const code = pin === undefined ? undefined : codeOrThrow(parsePin(pin))
    return this.exclusive(reader, async () => {
      const link = await this.connect(reader)
      try {
        return (await runProgram(readBootstrap(code ? { pin: code } : {}), link.transmit)).bytes
      } catch (e) {
        throw cardError(e, [])
      } finally {
        link.close()
      }
    })
  }

  /** The stored configuration for `endpoint` as the card file it would write. */
  private storedImage(endpoint: string): Uint8Array {
    const raw = this.opts.configs.config(endpoint)
    if (raw === undefined) throw new ServiceError('bootstrap.not_found', `no stored bootstrap configuration for "${endpoint}"`)
    try {
      return encodeConfigCardFile(readConfig(raw as BootstrapConfig))
    } catch (e) {
      throw new ServiceError('bootstrap.invalid_config', `the configuration for "${endpoint}" does not fit the card file: ${(e as Error).message}`)
    }
  }

  private bootstrapDto(link: CardLink, iccid: string | null, r: BootstrapRead, log: ApduLogEntryDto[], models: ModelLookup, storedImage: Uint8Array | null): CardBootstrapDto {
    const d = decodeCardFile(r.bytes, models)
    const o = r.location.object
    const records = d.records.map(recordDto)
    const stored = storedImage ? decodeCardFile(storedImage, models).records.map(recordDto) : null
    const last = d.objects.at(-1)
    const dataSize = last ? last.offset + (last.version === null ? 5 : 6) + last.length : Math.min(4, r.bytes.length)
    return {
      reader: link.reader,
      atr: hex(link.atr),
      protocol: link.protocol,
      iccid,
      aid: hex(r.opened.aid),
      aidSource: r.opened.aidSource,
      applications: r.opened.applications.map((a) => ({ aid: hex(a.aid), label: a.label })),
      odf: derDto(readDer(r.location.odf).nodes),
      dodf: derDto(r.location.dodfNodes),
      dataObjects: r.location.objects.map((x) => ({ kind: x.kind, label: x.label, applicationName: x.applicationName, private: x.private, oid: x.oid, oidEncoding: x.oidEncoding, path: x.path ? hex(x.path) : null })),
      filePath: o.path ? hex(o.path) : '',
      fileSize: r.bytes.length,
      dataSize,
      objects: d.objects.map((x) => ({ objectId: x.objectId, version: x.version, length: x.length })),
      records: records.map((x) => x.shown),
      violations: d.violations.map((v) => ({ offset: v.offset, rule: v.rule, message: v.message })),
      stored: stored ? stored.map((x) => x.shown) : null,
      differences: stored ? differences(records, stored) : null,
      log
    }
  }

  async writeBootstrap(p: { reader: string; endpoint: string; adm: string; pin?: string; allowLastTry?: boolean }): Promise<CardWriteDto> {
    const adm = codeOrThrow(parseAdm(p.adm))
    const pin = p.pin === undefined ? undefined : codeOrThrow(parsePin(p.pin))
    const raw = this.opts.configs.config(p.endpoint)
    if (raw === undefined) throw new ServiceError('bootstrap.not_found', `no stored bootstrap configuration for "${p.endpoint}"`)
    const config = readConfig(raw as BootstrapConfig)
    const review = checkConfig(config)
    if (review.problems.length > 0) throw new ServiceError('bootstrap.invalid_config', `the configuration for "${p.endpoint}" has problems: ${review.problems.join('; ')}`, review)
    let content: Uint8Array
    try {
      content = encodeConfigCardFile(config)
    } catch (e) {
      throw new ServiceError('bootstrap.invalid_config', `the configuration for "${p.endpoint}" does not fit the card file: ${(e as Error).message}`)
    }
    const configHash = createHash('sha256').update(JSON.stringify(raw)).digest('hex')
    return this.exclusive(p.reader, async () => {
      const link = await this.connect(p.reader)
      const log: ApduLogEntryDto[] = []
      let touched = false
      let iccid: string | null = null
      const record = (outcome: CardWriteRecordDto['outcome'], fileState: CardWriteRecordDto['fileState'], detail: string): CardWriteRecordDto => {
        const r: CardWriteRecordDto = { id: randomBytes(6).toString('hex'), at: new Date().toISOString(), reader: p.reader, atr: hex(link.atr), iccid, endpoint: p.endpoint, configHash, outcome, fileState, detail, bytes: content.length }
        this.opts.store.save(r)
        return r
      }
      try {
        iccid = await runProgram(readIccid(), link.transmit, (e) => log.push(logDto(e)))
        const w = await runProgram(writeBootstrap(content, { adm, ...(pin ? { pin } : {}), ...(p.allowLastTry ? { allowLastTry: true } : {}) }), link.transmit, (e) => {
          log.push(logDto(e))
          if (e.name === 'UPDATE BINARY' && e.sw === '9000') touched = true
          if (e.progress) this.opts.events.emit('cards.progress', { reader: p.reader, done: e.progress.done, total: e.progress.total, step: e.purpose })
        })
        if (w.mismatchAt !== null) {
          const rec = record('failed', 'invalid', `read-back differs from what was written at byte ${w.mismatchAt}`)
          throw new ServiceError('cards.failed', rec.detail, { record: rec, log })
        }
        const valid = decodeCardFile(w.bytes).violations.length === 0
        this.opts.events.emit('cards.progress', { reader: p.reader, done: w.written.length, total: w.written.length, step: 'verified' })
        return { record: record('written', valid ? 'valid' : 'invalid', `wrote ${content.length} bytes (file ${w.written.length}), read back and compared byte for byte`), log }
      } catch (e) {
        if (e instanceof ServiceError) throw e
        const state = touched ? 'invalid' : 'unchanged'
        const why =
          e instanceof CardRemovedError
            ? `the card was removed during the write${touched ? '; its bootstrap file header was zeroed first, so the file now decodes as invalid' : ''}`
            : (e as Error).message
        const rec = record('failed', state, why)
        throw cardError(e, log, rec)
      } finally {
        link.close()
      }
    })
  }

  async apdu(p: { reader: string; hex: string }): Promise<CardApduDto> {
    const h = p.hex.replace(/\s+/g, '')
    if (!/^([0-9A-Fa-f]{2}){4,261}$/.test(h)) throw new ServiceError('cards.invalid_request', 'an APDU is 4 to 261 bytes of hex')
    const command = new Uint8Array(Buffer.from(h, 'hex'))
    return this.exclusive(p.reader, async () => {
      const link = await this.connect(p.reader)
      try {
        const r = await link.transmitWithExchanges(command)
        const sw1 = r.response[r.response.length - 2] ?? 0x6f
        const sw2 = r.response[r.response.length - 1] ?? 0
        const s = statusWord(sw1, sw2)
        return {
          command: maskedCommandHex(command),
          response: hex(r.response.subarray(0, -2)),
          sw: s.sw,
          meaning: s.meaning,
          exchanges: r.exchanges.map((x) => ({ command: maskedCommandHex(x.command), response: hex(x.response) }))
        }
      } catch (e) {
        throw cardError(e, [])
      } finally {
        link.close({ reset: false })
      }
    })
  }

  records(limit = 100): { records: CardWriteRecordDto[] } {
    return { records: this.opts.store.list(limit) }
  }

  close(): void {
    this.#stopWatch?.()
    this.#stopWatch = null
    this.#pcsc?.close()
    this.#pcsc = null
  }
}

/**
 * EF LwM2M_Bootstrap of the card in `reader`, read once without a workbench (the simulator's
 * `--card`: Bootstrap from Smartcard, C §6.1.3.2). Failures come back as plain messages.
 */
export async function readCardBootstrapFile(reader: string, pin?: string): Promise<Uint8Array> {
  const code = pin === undefined ? undefined : codeOrThrow(parsePin(pin))
  let pcsc: Pcsc
  try {
    pcsc = Pcsc.open()
  } catch (e) {
    throw cardError(e, [])
  }
  try {
    const link = await pcsc.connect(reader).catch((e: unknown) => {
      throw cardError(e, [])
    })
    try {
      return (await runProgram(readBootstrap(code ? { pin: code } : {}), link.transmit)).bytes
    } catch (e) {
      throw cardError(e, [])
    } finally {
      link.close()
    }
  } finally {
    pcsc.close()
  }
}

/** A record as JSON, and as shown: a Security instance's secret key (/0/x/5) is never shown. */
function recordDto(r: Lwm2mRecord): { compare: string; shown: CardRecordDto } {
  const j = toJsonRecord(r) as CardRecordDto
  const secret = r.path[0] === 0 && r.path[2] === 5 && r.value?.type === 'opaque'
  const shown = secret && r.value?.type === 'opaque' ? { ...j, value: `(secret, ${r.value.value.length} bytes)` } : j
  return { compare: JSON.stringify(j.value ?? null), shown }
}

function differences(card: ReturnType<typeof recordDto>[], stored: ReturnType<typeof recordDto>[]): { path: string; card: Json | null; stored: Json | null }[] {
  const a = new Map(card.map((x) => [x.shown.path, x]))
  const b = new Map(stored.map((x) => [x.shown.path, x]))
  const out: { path: string; card: Json | null; stored: Json | null }[] = []
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(path)
    const y = b.get(path)
    if (x?.compare !== y?.compare) out.push({ path, card: x?.shown.value ?? null, stored: y?.shown.value ?? null })
  }
  return out.sort((p, q) => p.path.localeCompare(q.path, undefined, { numeric: true }))
}

/**
 * Follows the card in `reader` for a device bootstrapped from it (C §6.1.3.2; facts §4.3): calls
 * `onChange(null)` when the card goes away and `onChange(bytes)` when a card whose
 * EF LwM2M_Bootstrap differs from `current` comes in. Returns the stop function.
 */
export function watchCardFile(reader: string, current: Uint8Array, onChange: (bytes: Uint8Array | null) => void, onError: (message: string) => void): () => void {
  let last: Uint8Array | null = current
  let lastAtr: string | null | undefined
  let reading = Promise.resolve()
  let pcsc: Pcsc
  try {
    pcsc = Pcsc.open()
  } catch (e) {
    onError((e as Error).message)
    return () => undefined
  }
  const stop = pcsc.watch(
    (readers) => {
      const r = readers.find((x) => x.name === reader)
      const atr = r?.present ? r.atr : null
      if (lastAtr === undefined) {
        lastAtr = atr
        return
      }
      if (atr === lastAtr) return
      lastAtr = atr
      reading = reading.then(async () => {
        if (atr === null) {
          if (last !== null) {
            last = null
            onChange(null)
          }
          return
        }
        try {
          const bytes = await readCardBootstrapFile(reader)
          if (last === null || Buffer.compare(Buffer.from(bytes), Buffer.from(last)) !== 0) {
            last = bytes
            onChange(bytes)
          }
        } catch (e) {
          onError((e as Error).message)
        }
      })
    },
    { onError: (e) => onError(e.message) }
  )
  return () => {
    stop()
    pcsc.close()
  }
}

function readerDto(r: ReaderStatus): CardReaderDto {
  return { name: r.name, present: r.present, atr: r.atr, inUse: r.inUse }
}

function codeOrThrow(r: ReturnType<typeof parseAdm>): Uint8Array {
  if (!r.ok) throw new ServiceError('cards.invalid_request', r.problem)
  return r.bytes
}


function cardError(e: unknown, log: ApduLogEntryDto[], record?: CardWriteRecordDto): ServiceError {
  if (e instanceof ServiceError) return e
  if (e instanceof CardFailure) return new ServiceError('cards.failed', e.message, { failure: e.code, sw: e.sw, triesLeft: e.triesLeft, log, ...(record ? { record } : {}) })
  if (e instanceof PcscUnavailableError) return new ServiceError('cards.unavailable', e.message)
  return new ServiceError('cards.failed', (e as Error).message, { log, ...(record ? { record } : {}) })
}
