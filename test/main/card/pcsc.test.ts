// SPDX-License-Identifier: Apache-2.0
// The PC/SC transport against real pcscd with Debian's vsmartcard-vpcd reader driver, and the
// project's virtual UICC (test/helpers/virtual-uicc.ts) as the card on vpcd's socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pcsc, PcscUnavailableError, type ReaderStatus } from '../../../src-main/transports/pcsc'
import { readBootstrap } from '../../../src-main/core/card/card-program'
import { runProgram } from '../../../src-main/core/card/run-program'
import { startPcscd, type Pcscd } from '../../helpers/pcscd'
import { VirtualCard } from '../../helpers/virtual-card'
import { ATR_T0, ATR_T1 } from '../../helpers/virtual-uicc'

const READER = 'Virtual PCD 00 00'
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'))

let pcscd: Pcscd
let pcsc: Pcsc

async function until<T>(what: string, f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Inserts the card and waits until pcscd shows its ATR (vpcd is polled, so a removal shows late). */
async function insert(card: VirtualCard, atr: Uint8Array): Promise<void> {
  await until('no card', () => (pcsc.readers().find((r) => r.name === READER)?.present ? undefined : true))
  await card.insert()
  await until('the card\'s ATR', () => (pcsc.readers().find((r) => r.name === READER)?.atr === toHex(atr) ? true : undefined))
}

beforeAll(async () => {
  pcscd = await startPcscd()
  pcsc = Pcsc.open()
}, 180_000)

afterAll(async () => {
  pcsc?.close()
  await pcscd?.stop()
})

describe('PC/SC transport (pcscd + vpcd)', () => {
  it('lists the vpcd readers, then the card with its ATR once inserted, and reports insert/remove', async () => {
    const seen: ReaderStatus[][] = []
    const stop = pcsc.watch((r) => seen.push(r))
    try {
      expect(pcsc.readers().map((r) => r.name)).toContain(READER)
      const card = await VirtualCard.start({ t0: false })
      await card.insert()
      const inserted = await until('card present', () => seen.find((s) => s.find((r) => r.name === READER)?.present))
      expect(inserted.find((r) => r.name === READER)!.atr).toBe(toHex(ATR_T1))
      const n = seen.length
      await card.stop()
      await until('card removed', () => seen.slice(n).find((s) => s.find((r) => r.name === READER)?.present === false))
    } finally {
      stop()
    }
  })

  it('T=0 card: SELECT answered 61xx is completed by GET RESPONSE, READ BINARY 6Cxx retried with the right Le', async () => {
    const card = await VirtualCard.start({ t0: true })
    await insert(card, ATR_T0)
    try {
      const link = await pcsc.connect(READER)
      expect(link.protocol).toBe('T=0')
      expect(toHex(link.atr)).toBe(toHex(ATR_T0))
      const open = await link.transmit(hex('00 70 00 00 01'))
      expect(toHex(open)).toBe('019000')
      await link.transmit(hex('01 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35'))
      const sel = await link.transmitWithExchanges(hex('01 A4 08 04 04 7F FF 50 31 00'))
      expect(sel.exchanges.map((e) => toHex(e.command))).toEqual(['01a40804047fff503100', '01c0000011'])
      expect(toHex(sel.response).slice(0, 2)).toBe('62')
      const rb = await link.transmitWithExchanges(hex('01 B0 00 00 00'))
      expect(rb.exchanges.map((e) => toHex(e.command))).toEqual(['01b0000000', '01b0000008'])
      expect(toHex(rb.response)).toBe('a7063004040264309000')
      expect(toHex(await link.transmit(hex('01 70 80 01')))).toBe('9000')
      link.close()
    } finally {
      await card.stop()
    }
  })

  it('T=1 card: the whole App. G read runs through pcscd', async () => {
    const card = await VirtualCard.start({ t0: false, bootstrap: hex('0000 0000') })
    await insert(card, ATR_T1)
    try {
      const link = await pcsc.connect(READER, 'T=1')
      expect(link.protocol).toBe('T=1')
      const r = await runProgram(readBootstrap(), link.transmit)
      expect(r.location.object.oid).toBe('2.23.43.9.1')
      // MANAGE CHANNEL through the transport: channels 1 and 2 open, close, and 1 is free again.
      expect(await link.openChannel()).toBe(1)
      expect(await link.openChannel()).toBe(2)
      await link.closeChannel(1)
      await expect(link.closeChannel(1)).rejects.toThrow(/6881/)
      expect(await link.openChannel()).toBe(1)
      expect(toHex(r.bytes.subarray(0, 4))).toBe('00000000')
      link.close()
    } finally {
      await card.stop()
    }
  })

  it('without pcscd it says so and how to start it', async (ctx) => {
    // Only a pcscd this test started can be stopped by it.
    if (!pcscd.owned) ctx.skip()
    pcsc.close()
    await pcscd.stop({ keepLock: true })
    try {
      let err: unknown
      try {
        Pcsc.open().readers()
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(PcscUnavailableError)
      expect((err as Error).message).toMatch(/pcscd .*not running.*systemctl start pcscd/)
    } finally {
      pcscd = await startPcscd({ haveLock: true })
      pcsc = Pcsc.open()
    }
  })
})
