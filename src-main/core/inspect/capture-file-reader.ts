// SPDX-License-Identifier: Apache-2.0
// Classic pcap and pcapng, read incrementally: the caller pushes the file in chunks of any size
// and gets each packet (and each pcapng Decryption Secrets Block) as soon as it is complete, so a
// large file is never held whole. Either byte order; pcap with micro- or nanosecond stamps;
// pcapng sections, interfaces with their own link types and timestamp resolutions, Enhanced,
// Simple and obsolete Packet Blocks. A file that cannot be read further stops with the offset
// where reading stopped; packets before it stay.

export interface CapturedPacket {
  /** 1-based packet number in the file. */
  readonly number: number
  /** Milliseconds since the Unix epoch (fractional). */
  readonly at: number
  readonly linkType: number
  /** View into the reader's buffer: copy it to keep it past the callback. */
  readonly data: Uint8Array
  /** Length on the wire; more than data.length when the capture cut the packet (snap length). */
  readonly originalLength: number
  /** File offset of the packet's record or block. */
  readonly offset: number
}

export interface SecretsBlock {
  /** 0x544c534b is a TLS key log (NSS format). */
  readonly secretsType: number
  readonly data: Uint8Array
}

export interface ReadStop {
  readonly offset: number
  readonly message: string
}

export const SECRETS_TLS_KEY_LOG = 0x544c534b

const PCAP_MAGIC_US = 0xa1b2c3d4
const PCAP_MAGIC_NS = 0xa1b23c4d
const PCAPNG_SHB = 0x0a0d0d0a
const BYTE_ORDER_MAGIC = 0x1a2b3c4d
/** Any block or record beyond this is taken as corruption, not as data to wait for. */
const MAX_BLOCK = 64 * 1024 * 1024

interface Interface {
  readonly linkType: number
  /** Timestamp units per millisecond. */
  readonly unitsPerMs: number
}

export class CaptureFileReader {
  #carry: Uint8Array = new Uint8Array(0)
  /** File offset of #carry[0]. */
  #base = 0
  #format: 'pcap' | 'pcapng' | null = null
  #little = true
  #pcapLink = 0
  #pcapUnitsPerMs = 1000
  #interfaces: Interface[] = []
  #number = 0
  #stop: ReadStop | null = null

  constructor(
    private readonly onPacket: (p: CapturedPacket) => void,
    private readonly onSecrets: (s: SecretsBlock) => void = () => {}
  ) {}

  get format(): 'pcap' | 'pcapng' | null {
    return this.#format
  }

  /** Why reading stopped early, or null. */
  get stopped(): ReadStop | null {
    return this.#stop
  }

  push(chunk: Uint8Array): void {
    if (this.#stop) return
    let buf: Uint8Array
    if (this.#carry.length === 0) buf = chunk
    else {
      buf = new Uint8Array(this.#carry.length + chunk.length)
      buf.set(this.#carry)
      buf.set(chunk, this.#carry.length)
    }
    const used = this.#parse(buf)
    this.#base += used
    // Keep only the incomplete tail (a copy, so the caller may reuse its chunk buffer).
    this.#carry = buf.slice(used)
  }

  /** Call at end of file; reports a cut-short last record. */
  finish(): ReadStop | null {
    if (!this.#stop && this.#carry.length > 0) {
      this.#stop = this.#format === null
        ? { offset: 0, message: 'the file is too short to be pcap or pcapng' }
        : { offset: this.#base, message: `the file ends inside a ${this.#format === 'pcap' ? 'packet record' : 'block'} (${this.#carry.length} bytes left over)` }
    }
    if (!this.#stop && this.#format === null) this.#stop = { offset: 0, message: 'the file is empty' }
    return this.#stop
  }

  #u32(b: Uint8Array, at: number, little = this.#little): number {
    return little
      ? ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0
      : (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0
  }

  #u16(b: Uint8Array, at: number): number {
    return this.#little ? (b[at] as number) | ((b[at + 1] as number) << 8) : ((b[at] as number) << 8) | (b[at + 1] as number)
  }

  #fail(offset: number, message: string): number {
    this.#stop = { offset, message }
    return Number.MAX_SAFE_INTEGER
  }

  /** Parses what is complete in `b`; returns how many bytes were used. */
  #parse(b: Uint8Array): number {
    let p = 0
    if (this.#format === null) {
      if (b.length < 4) return 0
      const le = this.#u32(b, 0, true)
      const be = this.#u32(b, 0, false)
      if (le === PCAPNG_SHB) this.#format = 'pcapng'
      else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
        if (b.length < 24) return 0
        this.#format = 'pcap'
        this.#little = le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS
        this.#pcapUnitsPerMs = (this.#little ? le : be) === PCAP_MAGIC_NS ? 1e6 : 1e3
        this.#pcapLink = this.#u32(b, 20) & 0x0fffffff
        p = 24
      } else {
        return this.#fail(0, `not a pcap or pcapng file (it starts with 0x${be.toString(16).padStart(8, '0')})`)
      }
    }
    const used = this.#format === 'pcap' ? this.#parsePcap(b, p) : this.#parsePcapng(b, p)
    return Math.min(used, b.length)
  }

  #parsePcap(b: Uint8Array, p: number): number {
    while (p + 16 <= b.length) {
      const incl = this.#u32(b, p + 8)
      const orig = this.#u32(b, p + 12)
      if (incl > MAX_BLOCK) return this.#fail(this.#base + p, `packet record claims ${incl} bytes: the file is corrupt here`)
      if (p + 16 + incl > b.length) break
      const at = this.#u32(b, p) * 1000 + this.#u32(b, p + 4) / this.#pcapUnitsPerMs
      this.onPacket({ number: ++this.#number, at, linkType: this.#pcapLink, data: b.subarray(p + 16, p + 16 + incl), originalLength: orig, offset: this.#base + p })
      p += 16 + incl
    }
    return p
  }

  #parsePcapng(b: Uint8Array, p: number): number {
    while (p + 12 <= b.length) {
      const le = this.#u32(b, p, true)
      if (le === PCAPNG_SHB) {
        // A new section may switch byte order: read it from the byte-order magic.
        const bom = this.#u32(b, p + 8, true)
        if (bom === BYTE_ORDER_MAGIC) this.#little = true
        else if (this.#u32(b, p + 8, false) === BYTE_ORDER_MAGIC) this.#little = false
        else return this.#fail(this.#base + p + 8, 'section header has no valid byte-order magic')
        this.#interfaces = []
      }
      const type = this.#u32(b, p)
      const len = this.#u32(b, p + 4)
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) return this.#fail(this.#base + p + 4, `block of type 0x${type.toString(16)} has an impossible length ${len}`)
      if (p + len > b.length) break
      if (this.#u32(b, p + len - 4) !== len) return this.#fail(this.#base + p + len - 4, `block of type 0x${type.toString(16)} ends with a length that does not match its start (${len})`)
      this.#block(type, b.subarray(p + 8, p + len - 4), this.#base + p)
      if (this.#stop) return Number.MAX_SAFE_INTEGER
      p += len
    }
    return p
  }

  #block(type: number, body: Uint8Array, offset: number): void {
    switch (type) {
      case 1: {
        // Interface Description Block: link type, snap length, options (if_tsresol = 9).
        if (body.length < 8) return void this.#fail(offset, 'interface description block is too short')
        let unitsPerMs = 1000
        for (let q = 8; q + 4 <= body.length; ) {
          const code = this.#u16(body, q)
          const olen = this.#u16(body, q + 2)
          if (code === 0) break
          if (code === 9 && olen >= 1) {
            const r = body[q + 4] as number
            const perSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r
            unitsPerMs = perSecond / 1000
          }
          q += 4 + ((olen + 3) & ~3)
        }
        this.#interfaces.push({ linkType: this.#u16(body, 0), unitsPerMs })
        return
      }
      case 6:
      case 2: {
        // Enhanced Packet Block (6), obsolete Packet Block (2: 16-bit interface id and drops).
        if (body.length < 20) return void this.#fail(offset, 'packet block is too short')
        const ifId = type === 6 ? this.#u32(body, 0) : this.#u16(body, 0)
        const iface = this.#interfaces[ifId]
        if (!iface) return void this.#fail(offset, `packet block names interface ${ifId}, which was not described`)
        const ts = this.#u32(body, 4) * 2 ** 32 + this.#u32(body, 8)
        const cap = this.#u32(body, 12)
        const orig = this.#u32(body, 16)
        if (20 + cap > body.length) return void this.#fail(offset, `packet block claims ${cap} captured bytes but holds ${body.length - 20}`)
        this.onPacket({ number: ++this.#number, at: ts / iface.unitsPerMs, linkType: iface.linkType, data: body.subarray(20, 20 + cap), originalLength: orig, offset })
        return
      }
      case 3: {
        // Simple Packet Block: interface 0, no timestamp.
        const iface = this.#interfaces[0]
        if (!iface || body.length < 4) return void this.#fail(offset, 'simple packet block without an interface')
        const orig = this.#u32(body, 0)
        const cap = Math.min(orig, body.length - 4)
        this.onPacket({ number: ++this.#number, at: 0, linkType: iface.linkType, data: body.subarray(4, 4 + cap), originalLength: orig, offset })
        return
      }
      case 10: {
        if (body.length < 8) return void this.#fail(offset, 'decryption secrets block is too short')
        const secretsType = this.#u32(body, 0)
        const n = this.#u32(body, 4)
        if (8 + n > body.length) return void this.#fail(offset, 'decryption secrets block claims more secrets than it holds')
        this.onSecrets({ secretsType, data: body.slice(8, 8 + n) })
        return
      }
      default:
      // Section header, statistics, name resolution, custom blocks: nothing the inspector needs.
    }
  }
}
