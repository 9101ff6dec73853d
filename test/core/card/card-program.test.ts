// SPDX-License-Identifier: Apache-2.0
// The App. G.2 APDU sequences (letters per 1.1.1, unverified for 1.2; facts §4.2) as pure
// programs, driven in memory against the project's virtual UICC (test/helpers/virtual-uicc.ts,
// the same card the PC/SC tests put behind pcscd), in T=1 and in T=0 behaviour.
import { describe, expect, it } from 'vitest'
import { CardFailure, readBootstrap, readIccid, writeBootstrap, type CardProgram } from '../../../src-main/core/card/card-program'
import { runProgram, type ApduLogEntry } from '../../../src-main/core/card/run-program'
import { transmitComplete } from '../../../src-main/core/card/t0-exchange'
import { decodeCardFile } from '../../../src-main/core/lwm2m/bootstrap/card-file'
import { VirtualUicc, type VirtualUiccOptions } from '../../helpers/virtual-uicc'

const hex = (s: string): Uint8Array => new Uint8Array((s.replace(/[^0-9a-fA-F]/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))
const ascii = (s: string): string => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('')
const ADM = new TextEncoder().encode('12345678')
const URI = 'coap://leshan.eclipseprojects.io:5783'
const NORDIC = hex(`0001 0036 0000 00 0031 08 00 2E C8 00 25 ${ascii(URI)} C1 01 01 C1 02 03`)

async function run<T>(card: VirtualUicc, program: CardProgram<T>, log: ApduLogEntry[] = []): Promise<T> {
  return runProgram(
    program,
    async (c) => {
      const raw = async (x: Uint8Array) => {
        const r = card.apdu(x)
        if (r === 'removed') throw new Error('card removed')
        return r
      }
      return (await transmitComplete(c, raw)).response
    },
    (e) => log.push(e)
  )
}

async function failure<T>(card: VirtualUicc, program: CardProgram<T>): Promise<CardFailure> {
  try {
    await run(card, program)
  } catch (e) {
    if (e instanceof CardFailure) return e
    throw e
  }
  throw new Error('the program did not fail')
}

for (const t0 of [false, true]) {
  const opts = (o: VirtualUiccOptions = {}): VirtualUiccOptions => ({ t0, ...o })
  describe(`card programs, ${t0 ? 'T=0 (61xx / 6Cxx)' : 'T=1'}`, () => {
    it('reads EF LwM2M_Bootstrap through EF(DIR) → AID → ODF → DODF → oidDO (App. G.2)', async () => {
      const card = new VirtualUicc(opts({ bootstrap: NORDIC, doubleWrappedOid: true }))
      const log: ApduLogEntry[] = []
      const r = await run(card, readBootstrap(), log)
      expect(r.opened).toMatchObject({ channel: 1, aidSource: 'EF(DIR)' })
      expect(r.location.object).toMatchObject({ oid: '2.23.43.9.1', oidEncoding: 'double-wrapped' })
      expect(r.bytes.length).toBe(512)
      expect(decodeCardFile(r.bytes).violations).toEqual([])
      // The facts' sequence (§4.2) appears in order.
      const cmds = log.map((e) => e.command)
      expect(cmds).toContain('0070000001')
      expect(cmds).toContain('01a404040ca000000063504b43532d313500')
      expect(cmds).toContain('01a40804047fff503100')
      expect(cmds).toContain('01a40804047fff643000')
      expect(cmds).toContain('01a40804047fff643200')
      expect(cmds.at(-1)).toBe('01708001')
      expect(log.every((e) => e.meaning.length > 0)).toBe(true)
    })

    it('finds the application by its default AID when the card has no EF(DIR)', async () => {
      const card = new VirtualUicc(opts({ bootstrap: NORDIC, noDir: true }))
      const r = await run(card, readBootstrap())
      expect(r.opened.aidSource).toBe('default')
    })

    it('writes with ADM: header zeroed first, written last; read back matches; log masks the data', async () => {
      const card = new VirtualUicc(opts())
      const log: ApduLogEntry[] = []
      const r = await run(card, writeBootstrap(NORDIC, { adm: ADM }), log)
      expect(r.mismatchAt).toBeNull()
      expect(Buffer.from(card.bootstrapFile.subarray(0, NORDIC.length))).toEqual(Buffer.from(NORDIC))
      expect(card.bootstrapFile.subarray(NORDIC.length).every((b) => b === 0xff)).toBe(true)
      const updates = log.filter((e) => e.name === 'UPDATE BINARY')
      expect(updates[0]!.command).toBe('01d6000004********')
      expect(updates.at(-1)!.command).toBe('01d6000004********')
      expect(updates.slice(1, -1).every((u) => !u.command.startsWith('01d60000'))).toBe(true)
      const verify = log.find((e) => e.purpose === 'VERIFY ADM 0A')!
      expect(verify.command).toBe('0120000a08****************')
      expect(log.map((e) => e.command).join(' ')).not.toContain(ascii('12345678'))
      // The read-back carries the file (keys): masked too.
      const back = log.filter((e) => e.purpose.startsWith('READ BINARY EF LwM2M_Bootstrap'))
      expect(back.length).toBeGreaterThan(0)
      expect(back.every((e) => /^(\*\*)+$/.test(e.response))).toBe(true)
    })

    it('a wrong ADM key is refused with the tries left (63Cx), nothing written', async () => {
      const card = new VirtualUicc(opts())
      const f = await failure(card, writeBootstrap(NORDIC, { adm: new TextEncoder().encode('87654321') }))
      expect(f).toMatchObject({ code: 'adm-wrong', triesLeft: 2 })
      expect(card.bootstrapFile.every((b) => b === 0xff)).toBe(true)
    })

    it('refuses to go on at one ADM try left unless told to (issue 18 item 4)', async () => {
      const card = new VirtualUicc(opts({ admTries: 1 }))
      expect(await failure(card, writeBootstrap(NORDIC, { adm: ADM }))).toMatchObject({ code: 'adm-last-try', triesLeft: 1 })
      expect(card.remainingAdmTries).toBe(1)
      const r = await run(new VirtualUicc(opts({ admTries: 1 })), writeBootstrap(NORDIC, { adm: ADM, allowLastTry: true }))
      expect(r.mismatchAt).toBeNull()
    })

    it('a card without the PKCS#15 application: 6A82 becomes a plain message', async () => {
      const f = await failure(new VirtualUicc(opts({ noApplication: true })), readBootstrap())
      expect(f.code).toBe('no-application')
      expect(f.message).toMatch(/no PKCS#15 application.*6A82/)
    })

    it('a file too small for the data is refused before anything is written', async () => {
      const card = new VirtualUicc(opts({ bootstrapSize: 32 }))
      const f = await failure(card, writeBootstrap(NORDIC, { adm: ADM }))
      expect(f.code).toBe('file-too-small')
      expect(f.message).toContain('58 bytes')
      expect(card.bootstrapFile.every((b) => b === 0xff)).toBe(true)
    })

    it('a card that refuses plain access says it needs a secure channel (SCP03 not offered)', async () => {
      const f = await failure(new VirtualUicc(opts({ secureChannelOnly: true })), readBootstrap())
      expect(f.code).toBe('secure-channel-needed')
      expect(f.message).toMatch(/secure channel.*SCP03/)
    })

    it('an object the DODF marks private needs the PIN', async () => {
      const card = new VirtualUicc(opts({ private: true, bootstrap: NORDIC }))
      expect((await failure(card, readBootstrap())).code).toBe('pin-required')
      const r = await run(card, readBootstrap({ pin: hex('30303030FFFFFFFF') }))
      expect(decodeCardFile(r.bytes).violations).toEqual([])
    })

    it('a torn write (card pulled mid-write) leaves a file that decodes as invalid', async () => {
      const card = new VirtualUicc(opts({ bootstrap: NORDIC, removeAtUpdate: 3, bootstrapSize: 1024 }))
      await expect(run(card, writeBootstrap(NORDIC, { adm: ADM, chunk: 64 }))).rejects.toThrow('card removed')
      const d = decodeCardFile(card.bootstrapFile)
      expect(d.records).toEqual([])
      expect(d.violations.length).toBeGreaterThan(0)
    })

    it('reads the ICCID from EF 2FE2 (BCD, nibbles swapped)', async () => {
      expect(await run(new VirtualUicc(opts({ iccid: '8944500102030405067' })), readIccid())).toBe('8944500102030405067')
    })
  })
}

describe('card programs against any card answers (fuzz)', () => {
  it('end in a result or a CardFailure within a bounded number of APDUs, whatever the card says', async () => {
    const fc = (await import('fast-check')).default
    const { decodeResponse } = await import('../../../src-main/core/card/apdu')
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 30 }), fc.boolean(), (answers, write) => {
        const program = write ? writeBootstrap(NORDIC, { adm: ADM, allowLastTry: true }) : readBootstrap()
        let steps = 0
        try {
          let next = program.next()
          while (!next.done) {
            if (++steps > 2000) throw new Error('the program does not end')
            const raw = answers[steps % answers.length]!
            next = program.next(decodeResponse(raw.length >= 2 ? raw : Uint8Array.of(0x90, 0x00)))
          }
        } catch (e) {
          if (!(e instanceof CardFailure)) throw e
        }
      }),
      { numRuns: 2000 }
    )
  })
})
