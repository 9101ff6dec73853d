// SPDX-License-Identifier: Apache-2.0
// cards.* through the dispatcher of a real workbench, against real pcscd + vpcd and the virtual
// UICC: the provisioning flow of issue 18 item 5 (VERIFY ADM, zeroed header, body, header last,
// read back, record) and its faults. LwM2M Core App. G letters are 1.1.1's, unverified for 1.2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CardBootstrapDto, CardReadersDto, CardWriteDto, CardWriteRecordDto } from '../../../src-main/contract/cards'
import { decodeCardFile } from '../../../src-main/core/lwm2m/bootstrap/card-file'
import { createWorkbench, type Workbench } from '../../../src-main/services/workbench'
import { startPcscd, type Pcscd } from '../../helpers/pcscd'
import { tempDir } from '../../helpers/temp-dir'
import { VirtualCard } from '../../helpers/virtual-card'
import type { VirtualUiccOptions } from '../../helpers/virtual-uicc'

const READER = 'Virtual PCD 00 00'
const ADM = '12345678'
const CONFIG = {
  endpoint: 'card-dev-1',
  discoverFirst: false,
  deletePaths: [],
  security: [{ instanceId: 0, uri: 'coap://127.0.0.1:5683', bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
  servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: true
}

let pcscd: Pcscd
let wb: Workbench
const dir = tempDir()

async function call<T>(method: string, params: unknown): Promise<T> {
  const o = await wb.dispatcher.dispatch(method, params, { carrier: 'in-process' })
  if (!o.ok) throw Object.assign(new Error(`${o.error.code}: ${o.error.message}`), { error: o.error })
  return o.result as T
}

async function failure(method: string, params: unknown): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const o = await wb.dispatcher.dispatch(method, params, { carrier: 'in-process' })
  if (o.ok) throw new Error(`${method} succeeded`)
  return o.error as never
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const reader = async () => (await call<CardReadersDto>('cards.readers', {})).readers.find((r) => r.name === READER)

async function withCard<T>(opts: VirtualUiccOptions, f: (card: VirtualCard) => Promise<T>): Promise<T> {
  await until('no card', async () => ((await reader())?.present ? undefined : true))
  const card = await VirtualCard.start(opts)
  await card.insert()
  await until('card present', async () => ((await reader())?.present ? true : undefined))
  try {
    return await f(card)
  } finally {
    await card.stop()
  }
}

beforeAll(async () => {
  pcscd = await startPcscd()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  await call('bootstrap.configs.put', { config: CONFIG })
}, 180_000)

afterAll(async () => {
  await wb?.close()
  await pcscd?.stop()
  dir.cleanup()
})

describe('cards.* (issue 18, LwM2M Core App. G)', () => {
  it('cards.readers lists the vpcd reader and the card\'s ATR', async () => {
    await withCard({}, async () => {
      const r = await reader()
      expect(r).toMatchObject({ name: READER, present: true, atr: '3b800181' })
    })
  })

  it('writes the stored configuration (App. G layout), reads it back, records it; a wrong ADM is refused first', async () => {
    await withCard({ t0: true }, async (card) => {
      const wrong = await failure('cards.writeBootstrap', { reader: READER, endpoint: CONFIG.endpoint, adm: '87654321' })
      expect(wrong.code).toBe('cards.failed')
      expect(wrong.details).toMatchObject({ failure: 'adm-wrong', triesLeft: 2, record: { outcome: 'failed', fileState: 'unchanged' } })
      expect((await card.state()).bootstrapFile.every((b) => b === 0xff)).toBe(true)

      const w = await call<CardWriteDto>('cards.writeBootstrap', { reader: READER, endpoint: CONFIG.endpoint, adm: ADM })
      expect(w.record).toMatchObject({ outcome: 'written', fileState: 'valid', reader: READER, atr: '3b021450', iccid: '8944500102030405067', endpoint: CONFIG.endpoint })
      expect(w.record.configHash).toMatch(/^[0-9a-f]{64}$/)
      // Secrets masked: the ADM key's ASCII and the file's bytes never appear in the log.
      const logText = JSON.stringify(w.log)
      expect(logText).not.toContain(Buffer.from(ADM).toString('hex'))
      expect(w.log.filter((e) => e.name === 'UPDATE BINARY').every((e) => /^01d6....[0-9a-f]{2}(\*\*)+$/.test(e.command))).toBe(true)

      const bytes = (await card.state()).bootstrapFile
      const numObjects = (bytes[0]! << 8) | bytes[1]!
      const total = (bytes[2]! << 8) | bytes[3]!
      expect(numObjects).toBe(2)
      const d = decodeCardFile(bytes)
      expect(d.violations).toEqual([])
      expect(d.objects.map((o) => [o.objectId, o.version])).toEqual([[0, null], [1, null]])
      expect(bytes.subarray(4 + total).every((b) => b === 0xff)).toBe(true)

      const read = await call<CardBootstrapDto>('cards.readBootstrap', { reader: READER })
      expect(read.violations).toEqual([])
      expect(read.iccid).toBe('8944500102030405067')
      expect(read.dataObjects.find((o) => o.oid === '2.23.43.9.1')).toMatchObject({ path: '6432' })
      const byPath = Object.fromEntries(read.records.map((r) => [r.path, r.value]))
      expect(byPath).toMatchObject({ '/0/0/0': 'coap://127.0.0.1:5683', '/0/0/1': false, '/0/0/2': 3, '/0/0/10': 101, '/1/0/0': 101, '/1/0/1': 300, '/1/0/6': true, '/1/0/7': 'U' })

      // Beside the stored configuration: no differences, until the configuration changes.
      expect((await call<CardBootstrapDto>('cards.readBootstrap', { reader: READER, endpoint: CONFIG.endpoint })).differences).toEqual([])
      await call('bootstrap.configs.put', { config: { ...CONFIG, servers: [{ ...CONFIG.servers[0], lifetime: 999 }] } })
      const diff = await call<CardBootstrapDto>('cards.readBootstrap', { reader: READER, endpoint: CONFIG.endpoint })
      expect(diff.differences).toEqual([{ path: '/1/0/1', card: 300, stored: 999 }])
      await call('bootstrap.configs.put', { config: CONFIG })

      const records = (await call<{ records: CardWriteRecordDto[] }>('cards.records', {})).records
      expect(records.slice(0, 2).map((r) => r.outcome).sort()).toEqual(['failed', 'written'])
    })
  })

  it('card removed mid-write: the record says the file is invalid, and it reads as invalid', async () => {
    await withCard({ removeAtUpdate: 3, bootstrapSize: 1024 }, async (card) => {
      const e = await failure('cards.writeBootstrap', { reader: READER, endpoint: CONFIG.endpoint, adm: ADM })
      expect(e.code).toBe('cards.failed')
      expect(e.details).toMatchObject({ record: { outcome: 'failed', fileState: 'invalid' } })
      expect(e.message).toMatch(/removed/)
      const d = decodeCardFile((await card.state()).bootstrapFile)
      expect(d.records).toEqual([])
      expect(d.violations.length).toBeGreaterThan(0)
    })
  })

  it('a card without the PKCS#15 application: 6A82 becomes a plain message', async () => {
    await withCard({ noApplication: true }, async () => {
      const e = await failure('cards.readBootstrap', { reader: READER })
      expect(e.code).toBe('cards.failed')
      expect(e.message).toMatch(/no PKCS#15 application/)
      expect(e.details).toMatchObject({ failure: 'no-application', sw: '6a82' })
    })
  })

  it('a bootstrap file too small for the configuration is refused before writing', async () => {
    await withCard({ bootstrapSize: 16 }, async (card) => {
      const e = await failure('cards.writeBootstrap', { reader: READER, endpoint: CONFIG.endpoint, adm: ADM })
      expect(e.details).toMatchObject({ failure: 'file-too-small', record: { fileState: 'unchanged' } })
      expect((await card.state()).log.some((c) => c.slice(2, 4) === 'd6')).toBe(false)
    })
  })

  it('cards.apdu sends one APDU, completes T=0, and masks VERIFY data', async () => {
    await withCard({ t0: true }, async () => {
      const sel = await call<{ sw: string; meaning: string; exchanges: unknown[]; response: string }>('cards.apdu', { reader: READER, hex: '00A4080402 2FE2 00' })
      expect(sel.sw).toBe('9000')
      expect(sel.exchanges).toHaveLength(2)
      const v = await call<{ command: string; sw: string; meaning: string }>('cards.apdu', { reader: READER, hex: '0020000A083132333435363738' })
      expect(v.command).toBe('0020000a08****************')
      expect(v.sw).toBe('9000')
      expect((await failure('cards.apdu', { reader: READER, hex: '00A4' })).code).toBe('rpc.invalid_params')
    })
  })
})
