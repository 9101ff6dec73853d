// SPDX-License-Identifier: Apache-2.0
// Capture files over HTTP for a browser on headless mode (issue 16 item 8): JSON-RPC requests are
// capped at 1 MiB, so a pcap goes up as the body of POST /capture/import and comes down from
// GET /capture/export. Both need `Authorization: Bearer <token>`; a custom header cannot be sent
// cross-site without a CORS preflight, which this server never grants. The upload is the file as
// the whole body, or a multipart/form-data body (what fetch sends for a FormData) with the file
// in a `file` part and, for DTLS, a `keylog` part and `psk` parts ("IDENTITY:HEXKEY"): secrets in
// the body, never in the URL, where logs and histories keep it.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ServiceError } from '../contract/errors'
import { exportCaptureFile, importCaptureFile, type ImportOptions } from '../services/capture-files'
import { importResultDto } from '../services/capture-handlers'
import type { CaptureService } from '../services/capture-service'
import { pskSecretFromText, type PskSecret } from '../services/psk-secret-text'
import { formBoundary, MultipartFormReader, type FormPartTarget } from './multipart-form'
import { SECURITY_HEADERS } from './static-files'
import { tokenMatches } from './token'

/** Largest upload taken (a capture of a busy fleet for an hour is well below this). */
export const MAX_UPLOAD = 4 * 1024 * 1024 * 1024
/** Largest key log taken in an upload form (a line is about 180 bytes). */
const MAX_KEYLOG = 64 * 1024 * 1024
const MAX_PSKS = 10_000

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS }).end(JSON.stringify(body))
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message } })
}

/** Handles /capture/import and /capture/export; false for any other path. */
export function handleCaptureTransfer(req: IncomingMessage, res: ServerResponse, capture: CaptureService, token: string): boolean {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.pathname !== '/capture/import' && url.pathname !== '/capture/export') return false
  const auth = req.headers.authorization
  const presented = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined
  if (!tokenMatches(token, presented)) {
    fail(res, 401, 'rpc.unauthorized', 'send the instance token as Authorization: Bearer <token>')
    return true
  }
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-wb-capture-'))
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true })
  if (url.pathname === '/capture/import') {
    if (req.method !== 'POST') {
      cleanup()
      res.writeHead(405, { Allow: 'POST', ...SECURITY_HEADERS }).end()
      return true
    }
    const file = join(dir, 'upload')
    const sink = createWriteStream(file)
    let size = 0
    let failed = false
    const refuse = (status: number, code: string, message: string): void => {
      if (failed) return
      failed = true
      sink.destroy()
      cleanup()
      fail(res, status, code, message)
      // The rest of a refused upload is not read: the connection goes once the answer is out.
      if (!req.complete) res.once('finish', () => req.destroy())
    }
    const boundary = formBoundary(req.headers['content-type'])
    const texts = { keylog: [] as Buffer[], keylogBytes: 0, psk: [] as string[], files: 0 }
    // A text field collects its bytes; the capture part streams into the file.
    const textPart = (add: (b: Buffer) => void, done: () => void = () => {}): FormPartTarget => ({
      write: (b) => {
        add(b)
        return true
      },
      end: done
    })
    const form = boundary === null ? null : new MultipartFormReader(boundary, (head) => {
      if (head.name === 'file') {
        texts.files++
        if (texts.files > 1) {
          refuse(400, 'capture.file', 'one capture file per upload')
          return textPart(() => {})
        }
        return { write: (b) => sink.write(b), end: () => sink.end() }
      }
      if (head.name === 'keylog') return textPart((b) => {
        texts.keylogBytes += b.length
        if (texts.keylogBytes > MAX_KEYLOG) refuse(413, 'capture.file', `the key log is limited to ${MAX_KEYLOG} bytes`)
        else texts.keylog.push(Buffer.from(b))
      })
      if (head.name === 'psk') {
        const parts: Buffer[] = []
        return textPart((b) => parts.push(Buffer.from(b)), () => {
          if (texts.psk.length >= MAX_PSKS) refuse(413, 'capture.file', `at most ${MAX_PSKS} PSKs per upload`)
          else texts.psk.push(Buffer.concat(parts).toString('utf8').slice(0, 4096))
        })
      }
      return textPart(() => {})
    })
    req.on('data', (d: Buffer) => {
      if (failed) return
      size += d.length
      if (size > MAX_UPLOAD) return refuse(413, 'capture.file', `uploads are limited to ${MAX_UPLOAD} bytes`)
      const more = form ? form.push(d) : sink.write(d)
      if (form?.problem) return refuse(400, 'capture.file', `not a form: ${form.problem}`)
      if (!more && !failed) {
        req.pause()
        sink.once('drain', () => req.resume())
      }
    })
    req.on('end', () => {
      if (failed) return
      if (!form) return void sink.end()
      const problem = form.finish()
      if (problem) return refuse(400, 'capture.file', `not a form: ${problem}`)
      if (texts.files === 0) return refuse(400, 'capture.file', 'the form has no "file" part with the capture')
    })
    sink.on('finish', () => {
      if (failed) return
      try {
        const opts: { -readonly [K in keyof ImportOptions]: ImportOptions[K] } = {}
        if (texts.keylog.length > 0) opts.keylog = Buffer.concat(texts.keylog).toString('utf8')
        const psks: PskSecret[] = []
        for (const [k, t] of texts.psk.entries()) {
          const psk = pskSecretFromText(t)
          // Which field, never its text: it may be most of a key.
          if (psk === null) throw new ServiceError('capture.file', `psk field ${k + 1} is not IDENTITY:HEXKEY (the key as an even number of hex digits)`)
          psks.push(psk)
        }
        if (psks.length > 0) opts.psks = psks
        json(res, 200, importResultDto(importCaptureFile(capture, file, opts)))
      } catch (e) {
        fail(res, 400, e instanceof ServiceError ? e.code : 'capture.file', (e as Error).message)
      } finally {
        cleanup()
      }
    })
    sink.on('error', (e) => {
      cleanup()
      if (!res.headersSent) fail(res, 500, 'capture.file', e.message)
    })
    return true
  }
  if (req.method !== 'GET') {
    cleanup()
    res.writeHead(405, { Allow: 'GET', ...SECURITY_HEADERS }).end()
    return true
  }
  const format = url.searchParams.get('format') === 'pcap' ? 'pcap' : 'pcapng'
  const filter = url.searchParams.get('filter') ?? undefined
  const file = join(dir, `capture.${format}`)
  try {
    exportCaptureFile(capture, file, format, filter !== undefined ? { filter } : {})
  } catch (e) {
    cleanup()
    fail(res, 400, e instanceof ServiceError ? e.code : 'capture.file', (e as Error).message)
    return true
  }
  res.writeHead(200, {
    'Content-Type': 'application/vnd.tcpdump.pcap',
    'Content-Length': String(statSync(file).size),
    'Content-Disposition': `attachment; filename="capture.${format}"`,
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS
  })
  const stream = createReadStream(file)
  stream.pipe(res)
  stream.on('close', cleanup)
  return true
}
