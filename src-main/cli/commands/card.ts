// SPDX-License-Identifier: Apache-2.0
// `lwm2m-wb card`: PC/SC readers and the LwM2M bootstrap file on a smart card (LwM2M Core App. G,
// letters per 1.1.1, unverified for 1.2). The ADM key comes from a file or standard input, never
// from the command line, where `ps` and shell history would keep it.
import { readFileSync } from 'node:fs'
import type { CardBootstrapDto, CardReadersDto, CardWriteDto } from '../../contract/cards'
import { createWorkbench } from '../../services/workbench'
import { parse } from '../args'
import type { Command, Io } from '../command'
import { defaultDataDir } from '../data-dir'
import { CommandError, UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb card list [--json]
       lwm2m-wb card read READER [--pin-file FILE] [--json]
       lwm2m-wb card write READER --endpoint EP (--adm-file FILE | --adm-file - ) [--allow-last-try] [--json]

Smart cards through PC/SC (pcscd). "read" decodes the card's EF LwM2M_Bootstrap (LwM2M Core
App. G); "write" writes the stored bootstrap configuration for EP into it, after VERIFY with the
ADM key (16 hex characters, or 8 decimal digits taken as ASCII), reads it back and compares.
With one ADM try left it stops unless --allow-last-try is given. The ADM key is read from a file
(first line) or from standard input with "--adm-file -"; it is never accepted on the command line.

Options:
  --endpoint <ep>     the stored bootstrap configuration to write ("*" for the default one)
  --adm-file <file>   file holding the ADM key, or "-" for standard input
  --pin-file <file>   file holding the PIN, when the card marks the LwM2M object private
  --allow-last-try    go on although only one ADM try is left
  --data-dir <dir>    the store with the configurations and write records (default: ${defaultDataDir()})
  --json              print JSON
  -h, --help          show this help
`

function readSecret(file: string, what: string): string {
  try {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')
    return (text.split(/\r?\n/)[0] ?? '').trim()
  } catch (e) {
    throw new UsageError(`cannot read the ${what} from ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

async function withWorkbench<T>(dataDir: string, f: (call: <R>(method: string, params: unknown) => Promise<R>) => Promise<T>): Promise<T> {
  const wb = createWorkbench({ dataDir, log: () => {} })
  try {
    return await f(async <R>(method: string, params: unknown): Promise<R> => {
      const o = await wb.dispatcher.dispatch(method, params, { carrier: 'in-process' })
      if (!o.ok) {
        const details = o.error.details as { triesLeft?: number | null; record?: { fileState?: string } } | undefined
        const extra = details?.record?.fileState === 'invalid' ? ' (the card\'s bootstrap file is now invalid)' : ''
        throw new CommandError(`${o.error.message}${extra}`)
      }
      return o.result as R
    })
  } finally {
    await wb.close()
  }
}

function printRead(io: Io, r: CardBootstrapDto): void {
  io.out(`reader ${r.reader}  ATR ${r.atr}  ${r.protocol}${r.iccid ? `  ICCID ${r.iccid}` : ''}`)
  io.out(`PKCS#15 application ${r.aid} (${r.aidSource}); EF LwM2M_Bootstrap ${r.filePath}, ${r.fileSize} bytes`)
  for (const o of r.objects) io.out(`object ${o.objectId}${o.version ? ` v${o.version}` : ''}: ${o.length} TLV bytes`)
  for (const rec of r.records) io.out(`  ${rec.path} = ${JSON.stringify(rec.value)}`)
  for (const v of r.violations) io.out(`problem at byte ${v.offset}: ${v.message}`)
}

export const card: Command = {
  name: 'card',
  summary: 'smart cards over PC/SC: list readers, read or write the LwM2M bootstrap file',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        endpoint: { type: 'string' },
        'adm-file': { type: 'string' },
        'pin-file': { type: 'string' },
        'allow-last-try': { type: 'boolean' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        adm: { type: 'string' }
      },
      2
    )
    if (values.adm !== undefined) throw new UsageError('the ADM key is never taken on the command line (ps and shell history keep it): use --adm-file FILE or --adm-file - for standard input')
    const [sub, reader] = positionals
    const dataDir = values['data-dir'] ?? defaultDataDir()
    const pin = values['pin-file'] !== undefined ? readSecret(values['pin-file'], 'PIN') : undefined
    if (sub === 'list') {
      const r = await withWorkbench(dataDir, (call) => call<CardReadersDto>('cards.readers', {}))
      if (values.json) io.out(JSON.stringify(r))
      else if (!r.available) throw new CommandError(r.detail)
      else if (r.readers.length === 0) io.out('no readers')
      else for (const x of r.readers) io.out(`${x.name}\t${x.present ? `card ATR ${x.atr}` : 'no card'}`)
      return 0
    }
    if (sub === 'read') {
      if (!reader) throw new UsageError('card read needs READER (see "lwm2m-wb card list")')
      const r = await withWorkbench(dataDir, (call) => call<CardBootstrapDto>('cards.readBootstrap', { reader, ...(pin ? { pin } : {}) }))
      if (values.json) io.out(JSON.stringify(r))
      else printRead(io, r)
      return r.violations.length > 0 ? 1 : 0
    }
    if (sub === 'write') {
      if (!reader) throw new UsageError('card write needs READER (see "lwm2m-wb card list")')
      if (values.endpoint === undefined) throw new UsageError('card write needs --endpoint EP (the stored configuration to write)')
      if (values['adm-file'] === undefined) throw new UsageError('card write needs --adm-file FILE (or --adm-file - to read the ADM key from standard input)')
      const adm = readSecret(values['adm-file'], 'ADM key')
      const r = await withWorkbench(dataDir, (call) =>
        call<CardWriteDto>('cards.writeBootstrap', { reader, endpoint: values.endpoint, adm, ...(pin ? { pin } : {}), ...(values['allow-last-try'] ? { allowLastTry: true } : {}) })
      )
      if (values.json) io.out(JSON.stringify(r))
      else io.out(`${r.record.outcome}: ${r.record.detail}; record ${r.record.id}${r.record.iccid ? `, ICCID ${r.record.iccid}` : ''}`)
      return 0
    }
    throw new UsageError(sub === undefined ? 'give list, read READER or write READER' : `unknown card command "${sub}" (list, read, write)`)
  }
}
