// SPDX-License-Identifier: Apache-2.0
// A virtual UICC for tests: a plain Node TCP client of Debian's vsmartcard-vpcd reader driver
// (pcscd loads it from /etc/reader.conf.d/vpcd; reader 0 listens on 127.0.0.1:35963 = 0x8C7B,
// reader 1 on 35964). vpcd frames every message as a 2-byte big-endian length plus payload; a
// 1-byte payload is a control message (0 power off, 1 power on, 2 reset, 4 get ATR). The card
// answers only ATR requests and APDUs.
//
// It holds what LwM2M Core App. G (letters per 1.1.1) puts on a card (facts §4.1): EF(DIR) with
// the PKCS#15 application template, the PKCS#15 ADF with EF(ODF) 5031, EF(DODF) 6430 holding the
// LwM2M oidDO, EF LwM2M_Bootstrap 6432, EF ICCID 2FE2 under the MF, and an ADM key (reference
// 0x0A) with a try counter. Faults are switched on by options. This is test code standing in for
// a real card, which nothing here can reach. Behind pcscd it must run outside the test's thread
// (virtual-card.ts puts it in a worker): the smartcard package's reader listing is synchronous,
// and pcscd waits on the card while it answers, so a card on the same thread would deadlock.
// Plain erasable TypeScript, so that Node runs it in the worker without a build step.
import { connect, type Socket } from 'node:net'

export const PKCS15_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35])
/** T=0 only (no interface bytes); two historical bytes. */
export const ATR_T0 = Uint8Array.from([0x3b, 0x02, 0x14, 0x50])
/** T=1 only: TD1 = 0x01, and TCK since T=1 is offered. */
export const ATR_T1 = Uint8Array.from([0x3b, 0x80, 0x01, 0x81])

export interface VirtualUiccOptions {
  /** vpcd port: 35963 for reader 0. */
  readonly port?: number
  /** T=0 behaviour: data-bearing answers come as 61xx (fetch with GET RESPONSE), a wrong Le gets 6Cxx. */
  readonly t0?: boolean
  readonly atr?: Uint8Array
  /** 8-byte ADM key (reference 0x0A). */
  readonly adm?: Uint8Array
  readonly admTries?: number
  /** PIN1 (reference 0x01), asked for when the DODF marks the LwM2M object private. */
  readonly pin?: Uint8Array
  readonly private?: boolean
  /** Size of EF LwM2M_Bootstrap. */
  readonly bootstrapSize?: number
  readonly bootstrap?: Uint8Array
  /** No PKCS#15 application: SELECT by AID answers 6A82. */
  readonly noApplication?: boolean
  /** The DODF uses the double-wrapped OID of the spec's own example (06 06 06 04 67 2B 09 01). */
  readonly doubleWrappedOid?: boolean
  /** Reads and updates of the application's files answer 6982 (a card that wants a secure channel). */
  readonly secureChannelOnly?: boolean
  /** The card is pulled out when this UPDATE BINARY (counted from 1) arrives; it is not applied. */
  readonly removeAtUpdate?: number
  /** No EF(DIR): the PKCS#15 application must be found by its default AID. */
  readonly noDir?: boolean
  readonly iccid?: string
}

interface Ef {
  readonly fid: number
  data: Uint8Array
  /** Linear fixed: record length (EF(DIR)). */
  readonly recordLength?: number
  readonly updateNeedsAdm: boolean
  readonly readNeedsPin: boolean
}

interface Channel {
  df: 'mf' | 'adf'
  ef: Ef | null
}

const SW = (sw: number): Uint8Array => Uint8Array.from([sw >> 8, sw & 0xff])
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const tlv = (tag: number, ...value: Uint8Array[]): Uint8Array => {
  const v = cat(...value)
  const len = v.length < 0x80 ? Uint8Array.of(v.length) : v.length < 0x100 ? Uint8Array.of(0x81, v.length) : Uint8Array.of(0x82, v.length >> 8, v.length & 0xff)
  return cat(Uint8Array.of(tag), len, v)
}
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** ICCID digits as EF ICCID holds them: BCD, nibbles swapped, padded with F. */
export function iccidBytes(digits: string): Uint8Array {
  const d = digits.padEnd(20, 'F')
  const out = new Uint8Array(10)
  for (let i = 0; i < 10; i++) out[i] = parseInt(d[2 * i + 1]! + d[2 * i]!, 16)
  return out
}

/** The DODF content: one oidDO for LwM2M (2.23.43.9.1) pointing at 6432 (facts §4.1 example). */
export function dodfBytes(opts: { doubleWrapped: boolean; private: boolean }): Uint8Array {
  const oid = Uint8Array.from([0x06, 0x04, 0x67, 0x2b, 0x09, 0x01])
  const common = opts.private ? tlv(0x30, tlv(0x0c, utf8('LwM2M')), tlv(0x03, Uint8Array.of(0x07, 0x80)), tlv(0x04, Uint8Array.of(0x01))) : tlv(0x30)
  return tlv(0xa1, common, tlv(0x30, tlv(0x0c, utf8('LwM2M Bootstrap'))), tlv(0xa1, tlv(0x30, opts.doubleWrapped ? tlv(0x06, oid) : oid, tlv(0x30, tlv(0x04, Uint8Array.of(0x64, 0x32))))))
}

export class VirtualUicc {
  readonly port: number
  private socket: Socket | null = null
  private buffer: Uint8Array = new Uint8Array(0)
  private readonly atr: Uint8Array
  private readonly t0: boolean
  private readonly adm: Uint8Array
  private admTries: number
  private readonly admMaxTries: number
  private readonly pin: Uint8Array
  private admVerified = false
  private pinVerified = false
  private channels = new Map<number, Channel>([[0, { df: 'mf', ef: null }]])
  private pending: Uint8Array | null = null
  private updates = 0
  readonly mf: Map<number, Ef>
  readonly adf: Map<number, Ef>
  /** Every command APDU received, as hex (for assertions). */
  readonly log: string[] = []
  private closed: Promise<void> = Promise.resolve()

  private readonly opts: VirtualUiccOptions

  constructor(opts: VirtualUiccOptions = {}) {
    this.opts = opts
    this.port = opts.port ?? 35963
    this.t0 = opts.t0 ?? false
    this.atr = opts.atr ?? (this.t0 ? ATR_T0 : ATR_T1)
    this.adm = opts.adm ?? utf8('12345678')
    this.admMaxTries = opts.admTries ?? 3
    this.admTries = this.admMaxTries
    this.pin = opts.pin ?? Uint8Array.from([0x30, 0x30, 0x30, 0x30, 0xff, 0xff, 0xff, 0xff])
    const dirRecord = new Uint8Array(32).fill(0xff)
    dirRecord.set(tlv(0x61, tlv(0x4f, PKCS15_AID), tlv(0x50, utf8('PKCS15')), tlv(0x51, Uint8Array.of(0x3f, 0x00, 0x7f, 0xff))))
    this.mf = new Map<number, Ef>()
    if (!opts.noDir) this.mf.set(0x2f00, { fid: 0x2f00, data: dirRecord, recordLength: 32, updateNeedsAdm: true, readNeedsPin: false })
    this.mf.set(0x2fe2, { fid: 0x2fe2, data: iccidBytes(opts.iccid ?? '8944500102030405067'), updateNeedsAdm: true, readNeedsPin: false })
    const size = opts.bootstrapSize ?? 512
    const boot = new Uint8Array(size).fill(0xff)
    if (opts.bootstrap) boot.set(opts.bootstrap.subarray(0, size))
    this.adf = new Map<number, Ef>([
      [0x5031, { fid: 0x5031, data: Uint8Array.from([0xa7, 0x06, 0x30, 0x04, 0x04, 0x02, 0x64, 0x30]), updateNeedsAdm: true, readNeedsPin: false }],
      [0x6430, { fid: 0x6430, data: dodfBytes({ doubleWrapped: opts.doubleWrappedOid ?? false, private: opts.private ?? false }), updateNeedsAdm: true, readNeedsPin: false }],
      [0x6432, { fid: 0x6432, data: boot, updateNeedsAdm: true, readNeedsPin: opts.private ?? false }]
    ])
  }

  /** The bootstrap file's bytes as the card holds them now. */
  get bootstrapFile(): Uint8Array {
    return this.adf.get(0x6432)!.data
  }

  get remainingAdmTries(): number {
    return this.admTries
  }

  /** Inserts the card: connects to vpcd (retrying while pcscd is still loading the driver). */
  async insert(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs
    for (;;) {
      try {
        await this.connectOnce()
        return
      } catch (e) {
        if (Date.now() > until) throw new Error(`virtual UICC: vpcd on 127.0.0.1:${this.port} did not accept: ${(e as Error).message}`, { cause: e })
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }

  /** Pulls the card out: closes the socket (vpcd then reports no card). */
  async remove(): Promise<void> {
    this.socket?.destroy()
    this.socket = null
    await this.closed
  }

  private connectOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: this.port })
      s.once('error', reject)
      s.once('connect', () => {
        s.off('error', reject)
        s.on('error', () => undefined)
        this.socket = s
        this.buffer = new Uint8Array(0)
        this.closed = new Promise((r) => s.once('close', () => r()))
        s.on('data', (chunk: Buffer) => this.onData(chunk))
        resolve()
      })
    })
  }

  private onData(chunk: Buffer): void {
    this.buffer = cat(this.buffer, new Uint8Array(chunk))
    while (this.buffer.length >= 2) {
      const len = (this.buffer[0]! << 8) | this.buffer[1]!
      if (this.buffer.length < 2 + len) return
      const msg = this.buffer.slice(2, 2 + len)
      this.buffer = this.buffer.slice(2 + len)
      const answer = len === 1 ? this.control(msg[0]!) : this.apdu(msg)
      if (answer === 'removed') {
        void this.remove()
        return
      }
      if (answer && this.socket) this.socket.write(cat(Uint8Array.of(answer.length >> 8, answer.length & 0xff), answer))
    }
  }

  private control(code: number): Uint8Array | null {
    if (code === 4) return this.atr
    // Power off, on or reset: the card's volatile state goes.
    this.admVerified = false
    this.pinVerified = false
    this.channels = new Map([[0, { df: 'mf', ef: null }]])
    this.pending = null
    return null
  }

  /** One command APDU in, its response out ('removed' when the card is pulled at this command). */
  apdu(c: Uint8Array): Uint8Array | 'removed' {
    this.log.push(Buffer.from(c).toString('hex'))
    if (c.length < 4) return SW(0x6700)
    const cla = c[0]!
    const ins = c[1]!
    const p1 = c[2]!
    const p2 = c[3]!
    // Case 1/2/3/4 short APDUs.
    let data = new Uint8Array(0)
    let le: number | null = null
    if (c.length === 5) le = c[4]! === 0 ? 256 : c[4]!
    else if (c.length > 5) {
      const lc = c[4]!
      data = c.slice(5, 5 + lc)
      if (data.length !== lc) return SW(0x6700)
      if (c.length === 6 + lc) le = c[5 + lc]! === 0 ? 256 : c[5 + lc]!
      else if (c.length !== 5 + lc) return SW(0x6700)
    }
    if (ins === 0xc0) return this.getResponse(le ?? 256)
    this.pending = null
    const ch = (cla & 0x40) !== 0 ? 4 + (cla & 0x0f) : cla & 0x03
    if (ins === 0x70) return this.manageChannel(ch, p1, p2)
    const channel = this.channels.get(ch)
    if (!channel) return SW(0x6881)
    switch (ins) {
      case 0xa4:
        return this.select(channel, p1, p2, data, le)
      case 0xb0:
        return this.readBinary(channel, (p1 << 8) | p2, le ?? 256)
      case 0xb2:
        return this.readRecord(channel, p1, le ?? 256)
      case 0xd6:
        return this.updateBinary(channel, (p1 << 8) | p2, data)
      case 0x20:
        return this.verify(p2, data)
      default:
        return SW(0x6d00)
    }
  }

  /** T=0: data waits for GET RESPONSE behind 61xx; T=1: it comes at once. */
  private answer(data: Uint8Array, sw = 0x9000): Uint8Array {
    if (this.t0 && data.length > 0) {
      this.pending = cat(data, SW(sw))
      return SW(0x6100 | (data.length >= 256 ? 0 : data.length))
    }
    return cat(data, SW(sw))
  }

  private getResponse(le: number): Uint8Array {
    const p = this.pending
    if (!p) return SW(0x6985)
    const data = p.subarray(0, p.length - 2)
    if (le !== 256 && le !== data.length) return SW(0x6c00 | data.length)
    this.pending = null
    return p
  }

  private manageChannel(ch: number, p1: number, p2: number): Uint8Array {
    if (p1 === 0x00) {
      for (let n = 1; n < 4; n++) {
        if (!this.channels.has(n)) {
          this.channels.set(n, { df: 'mf', ef: null })
          return this.answer(Uint8Array.of(n))
        }
      }
      return SW(0x6a81)
    }
    if (p1 === 0x80) {
      const n = p2 || ch
      if (n === 0 || !this.channels.delete(n)) return SW(0x6881)
      return SW(0x9000)
    }
    return SW(0x6a86)
  }

  private fcp(ef: Ef): Uint8Array {
    const size = ef.data.length
    const desc = ef.recordLength ? Uint8Array.of(0x42, 0x21, 0x00, ef.recordLength, size / ef.recordLength) : Uint8Array.of(0x41, 0x21)
    return tlv(0x62, tlv(0x82, desc), tlv(0x83, Uint8Array.of(ef.fid >> 8, ef.fid & 0xff)), tlv(0x80, Uint8Array.of(size >> 8, size & 0xff)), tlv(0x8a, Uint8Array.of(0x05)))
  }

  private select(channel: Channel, p1: number, p2: number, data: Uint8Array, le: number | null): Uint8Array {
    const wantFcp = (p2 & 0x0c) === 0x04 && le !== null
    if (p1 === 0x04) {
      if (this.opts.noApplication || !Buffer.from(data).equals(Buffer.from(PKCS15_AID))) return SW(0x6a82)
      channel.df = 'adf'
      channel.ef = null
      return wantFcp ? this.answer(tlv(0x62, tlv(0x82, Uint8Array.of(0x78, 0x21)), tlv(0x84, PKCS15_AID))) : SW(0x9000)
    }
    let fids: number[] = []
    for (let i = 0; i + 1 < data.length; i += 2) fids.push((data[i]! << 8) | data[i + 1]!)
    if (p1 === 0x08) {
      // Path from the MF; 7FFF stands for the current application (ETSI TS 102 221).
      if (fids[0] === 0x7fff) {
        if (channel.df !== 'adf') return SW(0x6a82)
        fids = fids.slice(1)
      } else channel.df = 'mf'
    } else if (p1 !== 0x00) return SW(0x6a86)
    if (fids.length !== 1) return SW(0x6a82)
    const fid = fids[0]!
    if (fid === 0x3f00) {
      channel.df = 'mf'
      channel.ef = null
      return SW(0x9000)
    }
    const ef = (channel.df === 'adf' ? this.adf : this.mf).get(fid)
    if (!ef) return SW(0x6a82)
    channel.ef = ef
    return wantFcp ? this.answer(this.fcp(ef)) : SW(0x9000)
  }

  private guarded(channel: Channel): number | null {
    if (this.opts.secureChannelOnly && channel.df === 'adf') return 0x6982
    return null
  }

  private readBinary(channel: Channel, offset: number, le: number): Uint8Array {
    const ef = channel.ef
    if (!ef || ef.recordLength) return SW(0x6986)
    const g = this.guarded(channel)
    if (g !== null) return SW(g)
    if (ef.readNeedsPin && !this.pinVerified) return SW(0x6982)
    if (offset > ef.data.length) return SW(0x6b00)
    const avail = Math.min(ef.data.length - offset, 256)
    if (le > avail) {
      if (this.t0) return SW(0x6c00 | (avail & 0xff))
      return cat(ef.data.slice(offset, offset + avail), SW(0x6282))
    }
    return cat(ef.data.slice(offset, offset + le), SW(0x9000))
  }

  private readRecord(channel: Channel, n: number, le: number): Uint8Array {
    const ef = channel.ef
    if (!ef?.recordLength) return SW(0x6981)
    const count = ef.data.length / ef.recordLength
    if (n < 1 || n > count) return SW(0x6a83)
    if (le !== 256 && le !== ef.recordLength && this.t0) return SW(0x6c00 | ef.recordLength)
    return this.answer(ef.data.slice((n - 1) * ef.recordLength, n * ef.recordLength))
  }

  private updateBinary(channel: Channel, offset: number, data: Uint8Array): Uint8Array | 'removed' {
    const ef = channel.ef
    if (!ef || ef.recordLength) return SW(0x6986)
    const g = this.guarded(channel)
    if (g !== null) return SW(g)
    if (ef.updateNeedsAdm && !this.admVerified) return SW(0x6982)
    this.updates++
    if (this.opts.removeAtUpdate !== undefined && this.updates >= this.opts.removeAtUpdate) return 'removed'
    if (offset + data.length > ef.data.length) return SW(0x6b00)
    ef.data.set(data, offset)
    return SW(0x9000)
  }

  private verify(p2: number, data: Uint8Array): Uint8Array {
    const isAdm = p2 === 0x0a
    if (!isAdm && p2 !== 0x01) return SW(0x6a88)
    if (!isAdm) {
      if (data.length === 0) return SW(this.pinVerified ? 0x9000 : 0x63c3)
      this.pinVerified = Buffer.from(data).equals(Buffer.from(this.pin))
      return SW(this.pinVerified ? 0x9000 : 0x63c2)
    }
    if (this.admTries === 0) return SW(0x6983)
    if (data.length === 0) return SW(this.admVerified ? 0x9000 : 0x63c0 | this.admTries)
    if (data.length !== 8) return SW(0x6700)
    if (Buffer.from(data).equals(Buffer.from(this.adm))) {
      this.admTries = this.admMaxTries
      this.admVerified = true
      return SW(0x9000)
    }
    this.admTries--
    this.admVerified = false
    return SW(this.admTries === 0 ? 0x6983 : 0x63c0 | this.admTries)
  }
}
