// SPDX-License-Identifier: Apache-2.0
// `lwm2m-wb pcap`: reads a pcap/pcapng file and prints its CoAP/LwM2M frames (issue 16 item 7).
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import { ServiceError } from '../../contract/errors'
import { importCaptureFile } from '../../services/capture-files'
import { CaptureService, filterProblem } from '../../services/capture-service'
import { pskSecretFromText, type PskSecret } from '../../services/psk-secret-text'
import { EventHub } from '../../services/event-hub'
import { loadModels } from '../../services/format-service'
import { parse } from '../args'
import type { Command } from '../command'
import { CommandError, UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb pcap <file> [--filter EXPR] [--json] [--keylog FILE] [--psk IDENTITY:HEXKEY]... [--models DIR]... [--port N]... [--export-json OUT]

Reads a pcap or pcapng file (Ethernet, Linux cooked v1/v2, raw IP, loopback; IPv4/IPv6; UDP) and
prints one line per CoAP/DTLS frame:
  number  seconds-since-first  source → destination  endpoint: summary in LwM2M terms
Frames are numbered in the order they appear among the CoAP/DTLS frames of the file. A packet cut
short or unreadable is shown as such and the rest still decode; a file that cannot be read to the
end prints what came before, then the offset where reading stopped, and exits 1.

Options:
  --filter <expr>      only frames the filter matches (docs/filters.md), e.g. 'ep=dev1 && op=read'
  --json               one JSON object per line with the full decoded field tree
  --export-json <out>  write every (matching) frame with its field tree as a JSON array to <out>
  --keylog <file>      NSS key log (CLIENT_RANDOM lines) of the DTLS sessions: their records are
                       decrypted and decoded; a Decryption Secrets Block in a pcapng is used too
  --psk <id>:<hexkey>  pre-shared key of plain PSK sessions, matched by the PSK identity the
                       client sent (repeatable), e.g. --psk dev1:000102030405060708090a0b0c0d0e0f;
                       ECDHE-PSK and certificate sessions need the key log
  --models <dir>       extra folder of DDF XML object definitions (repeatable)
  --port <n>           a further UDP port to read as CoAP (repeatable; 5683, 5684, 5783, 5784 always)
  -h, --help           show this help

DTLS sessions that stay encrypted are listed on stderr with the reason (no key, ECDHE with only a
PSK, handshake not captured, unsupported suite, wrong key).

Exit: 0 read to the end; 1 the file stopped early or cannot be opened; 2 bad arguments.
Example: lwm2m-wb pcap field.pcapng --filter 'op=register || code>=4.00'
`

function addr(key: string): string {
  return key.replace(/^[a-z0-9]+:/i, '')
}

export const pcap: Command = {
  name: 'pcap',
  summary: 'print the CoAP/LwM2M frames of a pcap or pcapng file, decoded',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      filter: { type: 'string' },
      json: { type: 'boolean' },
      'export-json': { type: 'string' },
      keylog: { type: 'string' },
      psk: { type: 'string', multiple: true },
      models: { type: 'string', multiple: true },
      port: { type: 'string', multiple: true }
    }, 1)
    const [file] = positionals
    if (file === undefined) throw new UsageError('missing the capture file')
    const filter = values.filter?.trim() ?? ''
    if (filter !== '') {
      const problem = filterProblem(filter)
      if (problem) throw new UsageError(`--filter: column ${problem.column}: ${problem.message}`)
    }
    const ports = [5683, 5684, 5783, 5784]
    for (const s of values.port ?? []) {
      if (!/^[0-9]{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw new UsageError(`--port must be 1..65535, got ${JSON.stringify(s)}`)
      ports.push(Number(s))
    }
    let keylog: string | undefined
    if (values.keylog !== undefined) {
      if (!existsSync(values.keylog)) throw new UsageError(`--keylog: no file ${values.keylog}`)
      keylog = readFileSync(values.keylog, 'utf8')
    }
    const psks: PskSecret[] = []
    for (const s of values.psk ?? []) {
      const psk = pskSecretFromText(s)
      // The text is not echoed: it may be most of a key.
      if (psk === null) throw new UsageError('--psk wants IDENTITY:HEXKEY, the key as an even number of hex digits')
      psks.push(psk)
    }
    const { models, failures } = await loadModels(values.models ?? [])
    for (const f of failures) io.err(`models: ${f.file}: ${f.reason}`)
    // The whole capture is kept: a file is read once, bounded only by memory.
    const capture = new CaptureService({ events: new EventHub(), models: () => models, maxBytes: Number.MAX_SAFE_INTEGER })
    capture.setSettings({ coapPorts: ports })
    let result
    try {
      result = importCaptureFile(capture, file, { ...(keylog !== undefined ? { keylog } : {}), ...(psks.length > 0 ? { psks } : {}) })
    } catch (e) {
      if (e instanceof ServiceError) throw new CommandError(e.message)
      throw e
    }
    const store = capture.store
    const ids: number[] = []
    if (filter !== '') {
      const m = capture.matches(filter)
      for (let k = 0; k < m.count; k++) ids.push(m.ids[k] as number)
    } else for (let id = store.firstId; id < store.nextId; id++) ids.push(id)
    const t0 = store.row(store.firstId)?.at ?? 0
    const out = values['export-json'] !== undefined ? openSync(values['export-json'], 'w') : null
    try {
      if (out !== null) writeSync(out, '[\n')
      let first = true
      for (const id of ids) {
        const row = store.row(id)
        if (row === null) continue
        const dto = capture.dto(row)
        if (values.json || out !== null) {
          const detail = capture.get(id)
          const obj = { number: id - store.firstId + 1, time: new Date(row.at).toISOString(), ...dto, src: addr(row.src), dst: addr(row.dst), fields: detail.fields, bytes: detail.bytes }
          const line = JSON.stringify(obj)
          if (values.json) io.out(line)
          if (out !== null) {
            writeSync(out, (first ? '' : ',\n') + line)
            first = false
          }
        } else {
          const t = ((row.at - t0) / 1000).toFixed(6)
          io.out(`${String(id - store.firstId + 1).padStart(6)} ${t.padStart(12)} ${addr(row.src)} → ${addr(row.dst)} ${dto.endpoint !== null ? `${dto.endpoint}: ` : ''}${dto.summary}`)
        }
      }
      if (out !== null) writeSync(out, '\n]\n')
    } finally {
      if (out !== null) closeSync(out)
    }
    const closed = result.dtlsSessions.filter((s) => s.cause !== null)
    for (const s of closed.slice(0, 20)) io.err(`DTLS ${addr(s.client)} → ${addr(s.server)}${s.identity !== null ? ` (identity ${s.identity})` : ''}: not decrypted: ${s.reason ?? s.cause}`)
    if (closed.length > 20) io.err(`… and ${closed.length - 20} more DTLS sessions not decrypted`)
    if (result.stop) {
      io.err(`${file}: reading stopped at offset ${result.stop.offset}: ${result.stop.message}`)
      return 1
    }
    return 0
  }
}
