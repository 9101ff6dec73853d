// SPDX-License-Identifier: Apache-2.0
// Capture files over HTTP for a browser on headless mode (issue 16 item 8): JSON-RPC requests are
// capped at 1 MiB, so a pcap goes up as the body of POST /capture/import and comes down from
// GET /capture/export. Both need `Authorization: Bearer <token>`; a custom header cannot be sent
// cross-site without a CORS preflight, which this server never grants.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ServiceError } from '../contract/errors'
import { exportCaptureFile, importCaptureFile } from '../services/capture-files'
import type { CaptureService } from '../services/capture-service'
import { SECURITY_HEADERS } from './static-files'
import { tokenMatches } from './token'

/** Largest upload taken (a capture of a busy fleet for an hour is well below this). */
export const MAX_UPLOAD = 4 * 1024 * 1024 * 1024

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
    req.on('data', (d: Buffer) => {
      size += d.length
      if (size > MAX_UPLOAD) {
        req.destroy()
        sink.destroy()
        cleanup()
        fail(res, 413, 'capture.file', `uploads are limited to ${MAX_UPLOAD} bytes`)
      }
    })
    req.pipe(sink)
    sink.on('finish', () => {
      try {
        const r = importCaptureFile(capture, file)
        json(res, 200, { frames: r.frames, packets: r.packets, skipped: r.skipped, firstId: r.firstId, lastId: r.lastId, stop: r.stop })
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
