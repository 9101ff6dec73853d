// SPDX-License-Identifier: Apache-2.0
import { fileURLToPath } from 'node:url'
import { startHeadless } from '../../headless/server'
import { readInstance, removeInstance, writeInstance } from '../../headless/instance-file'
import { APP_VERSION } from '../../services/app-info'
import { createWorkbench } from '../../services/workbench'
import { parse, portOption } from '../args'
import type { Command } from '../command'
import { defaultDataDir } from '../data-dir'
import { CommandError } from '../usage-error'
import { resolve } from 'node:path'

export const DEFAULT_HTTP_PORT = 7683

const HELP = `Usage: lwm2m-wb serve [options]

Runs the Workbench headless: serves the UI and the contract (JSON-RPC 2.0 over WebSocket) on
127.0.0.1, prints "Workbench UI: <url>" (the token is in the URL's fragment) and writes
<data-dir>/instance.json so that "lwm2m-wb call" finds this instance. Stops on Ctrl+C.

Options:
  --http-port <port>   port of the UI and WebSocket (default ${DEFAULT_HTTP_PORT}; 0 picks a free one)
  --host <addr>        address to listen on (default 127.0.0.1); the token is required on any address
  --data-dir <dir>     where state lives (default: ${defaultDataDir()})
  -h, --help           show this help
  -v, --version        show the version
`

export const serve: Command = {
  name: 'serve',
  summary: 'serve the UI and the contract headless (browser, scripts)',
  help: HELP,
  async run(argv, io) {
    const { values } = parse(
      argv,
      { 'http-port': { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } },
      0
    )
    const port = portOption('http-port', values['http-port'], DEFAULT_HTTP_PORT)
    const host = values.host ?? '127.0.0.1'
    const dataDir = values['data-dir'] ? resolve(values['data-dir']) : defaultDataDir()

    const existing = readInstance(dataDir)
    if (existing.ok && existing.alive && existing.info.pid !== process.pid)
      throw new CommandError(
        `another instance (pid ${existing.info.pid}) already serves ${dataDir} at ${existing.info.url}`
      )

    const workbench = createWorkbench({ dataDir, log: (l) => io.err(l) })
    const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url))
    let server
    try {
      server = await startHeadless({ workbench, rendererDir, host, port })
    } catch (e) {
      await workbench.close()
      const code = (e as NodeJS.ErrnoException).code
      throw new CommandError(
        code === 'EADDRINUSE'
          ? `port ${port} on ${host} is in use; choose another with --http-port (0 picks a free one)`
          : `cannot listen on ${host}:${port}: ${(e as Error).message}`
      )
    }
    writeInstance(dataDir, {
      url: server.baseUrl,
      token: server.token,
      pid: process.pid,
      version: APP_VERSION,
      startedAt: new Date().toISOString()
    })
    // Handlers go in before the URL is printed: whoever reads that line may stop us at once.
    const exit = new Promise<number>((resolveExit) => {
      let stopping = false
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return
        stopping = true
        removeInstance(dataDir)
        void server
          .close()
          .then(() => workbench.close())
          .finally(() => resolveExit(signal === 'SIGINT' ? 130 : 0))
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      process.on('SIGHUP', stop)
    })
    io.out(`Workbench UI: ${server.uiUrl}`)
    io.out(`Data dir: ${dataDir}`)
    return exit
  }
}
