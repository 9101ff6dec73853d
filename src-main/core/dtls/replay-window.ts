// SPDX-License-Identifier: Apache-2.0
// The anti-replay window of RFC 6347 §4.1.2.6 (dtls-facts §1.7), one per epoch: a bitmap of the
// `size` sequence numbers up to the highest one that has authenticated. A record is worth
// deprotecting when `check` says so (newer than the window, or inside it and not seen); it
// counts as received only after it authenticates (`mark`), so forged records cannot move the
// window. 64 is the RFC's preferred size; any size up to 2^16 works.

export class ReplayWindow {
  /** Highest sequence number marked, -1 before the first. */
  private top = -1
  private readonly bits: Uint32Array

  constructor(readonly size = 64) {
    if (!Number.isInteger(size) || size < 1 || size > 65536) throw new RangeError(`replay window of ${size}`)
    this.bits = new Uint32Array(Math.ceil(size / 32))
  }

  private slot(seq: number): [number, number] {
    const i = seq % this.size
    return [i >>> 5, 1 << (i & 31)]
  }

  /** True when a record with this sequence number should be deprotected: not replayed, not too old. */
  check(seq: number): boolean {
    if (seq > this.top) return true
    if (this.top - seq >= this.size) return false
    const [w, bit] = this.slot(seq)
    return ((this.bits[w] as number) & bit) === 0
  }

  /** Records `seq` as received; call once the record has authenticated. */
  mark(seq: number): void {
    if (seq > this.top) {
      // Slide: the slots between the old right edge and seq now stand for unseen numbers.
      const gap = this.top < 0 ? this.size : Math.min(seq - this.top, this.size)
      if (gap >= this.size) {
        this.bits.fill(0)
      } else {
        for (let s = seq - gap + 1; s <= seq; s++) {
          const [w, bit] = this.slot(s)
          this.bits[w] = (this.bits[w] as number) & ~bit
        }
      }
      this.top = seq
    } else if (this.top - seq >= this.size) {
      return
    }
    const [w, bit] = this.slot(seq)
    this.bits[w] = (this.bits[w] as number) | bit
  }

  /** The right edge: the highest authenticated sequence number, or -1. */
  get highest(): number {
    return this.top
  }
}
