// SPDX-License-Identifier: Apache-2.0
// The renderer loads from app://workbench/ rather than file://, so that it gets a real origin and
// the same CSP and security headers the headless server sends.
import { net, protocol } from 'electron'
import { existsSync, statSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CONTENT_SECURITY_POLICY } from '../services/content-security-policy'

export const APP_SCHEME = 'app'
export const APP_ORIGIN = 'app://workbench'

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

export function handleAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== 'workbench') return new Response('not found', { status: 404 })
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '')
    let file = join(rendererDir, rel)
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return new Response('forbidden', { status: 403 })
    if (!existsSync(file) || statSync(file).isDirectory()) {
      if (extname(rel) !== '') return new Response('not found', { status: 404 })
      file = join(rendererDir, 'index.html') // history-mode routes
    }
    const upstream = await net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(upstream.headers)
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(upstream.body, { status: upstream.status, headers })
  })
}
