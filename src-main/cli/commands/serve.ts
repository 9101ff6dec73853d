// SPDX-License-Identifier: Apache-2.0
import { fileURLToPath } from 'node:url'
import { startHeadless } from '../../headless/server'
import { readInstance, removeInstance, writeInstance } from '../../headless/instance-file'
import { APP_VERSION } from '../../services/app-info'
import { acquireInstanceLock, InstanceLockError, LOCK_FILE, type InstanceLock } from '../../services/instance-lock'
import { createLogger, LOG_FORMATS, LOG_LEVELS } from '../../services/logger'
import { attachProtocolLog } from '../../services/protocol-log'
import { startDemo } from '../../services/demo-fleet'
import { parseSerialSpec } from '../serial-spec'
import { createWorkbench } from '../../services/workbench'
import { oneOf, parse, portOption } from '../args'
import type { Command } from '../command'
import { defaultDataDir } from '../data-dir'
import { urlAnnouncement } from '../url-announcement'
import { CommandError, UsageError } from '../usage-error'
import { join, resolve } from 'node:path'

export const DEFAULT_HTTP_PORT = 7683
/** IANA "coap" port; the LwM2M Server listens here by default (T §6.8). */
export const DEFAULT_COAP_PORT = 5683
/** Conventional port of a plain-CoAP LwM2M Bootstrap Server beside the server (Leshan's default). */
export const DEFAULT_BS_PORT = 5783
/** IANA "coaps" port: the LwM2M Server over DTLS 1.2. */
export const DEFAULT_COAPS_PORT = 5684
/** The Bootstrap Server over DTLS 1.2, beside its plain port. */
export const DEFAULT_BS_COAPS_PORT = 5784

const HELP = `Usage: lwm2m-wb serve [options]

Runs the Workbench headless: serves the UI and the contract (JSON-RPC 2.0 over WebSocket) on
127.0.0.1, prints "Workbench UI: <url>" and writes <data-dir>/instance.json (mode 0600) so that
"lwm2m-wb call" finds this instance. On a terminal the URL carries the token in its fragment;
when stdout is a pipe or a file the token is left out and only instance.json holds it. Requests
must name this server in their Host header (loopback always; this machine's addresses and name
too with a non-loopback --host). Stops on Ctrl+C.

Options:
  --http-port <port>   port of the UI and WebSocket (default ${DEFAULT_HTTP_PORT}; 0 picks a free one)
  --host <addr>        address to listen on (default 127.0.0.1); the token is required on any address
  --data-dir <dir>     where state lives (default: ${defaultDataDir()})
  --coap-port <port>   LwM2M Server on UDP (default ${DEFAULT_COAP_PORT}; 0 picks a free one)
  --coap-host <addr>   address of the CoAP listeners (default 0.0.0.0; "::" for IPv6)
  --no-coap            do not start the LwM2M Server
  --bs-port <port>     Bootstrap Server on UDP (default ${DEFAULT_BS_PORT}; 0 picks a free one)
  --no-bs              do not start the Bootstrap Server
  --coaps-port <port>  LwM2M Server on DTLS 1.2 (default ${DEFAULT_COAPS_PORT}; 0 picks a free one); PSKs
                       come from the credential store (security.put)
  --bs-coaps-port <port>
                       Bootstrap Server on DTLS 1.2 (default ${DEFAULT_BS_COAPS_PORT}; 0 picks a free one)
  --no-coaps           do not start the DTLS listeners
  --cid-length <n>     Connection ID length the DTLS listeners hand out (RFC 9146; default 6, 0 = off)
  --dtls-cert <file>   certificate chain (PEM, leaf first) for the ECDHE_ECDSA suites in X.509 mode,
  --dtls-key <file>    with its P-256 key (PEM); without them the listeners offer raw public keys
                       with a key kept sealed in the data dir (PSK works either way)
  --log-level <level>  error, info (default: registrations, bootstrap runs, errors) or debug
                       (also each CoAP request and response); the log goes to stderr
  --log-format <fmt>   text (default) or json (one JSON object per line)
  --serial <spec>      open a serial port at start: PATH[:BAUD][:slipmux|raw] (default 115200,
                       slipmux); repeatable. A slipmux line serves the LwM2M Server and
                       Bootstrap Server as coap+uart://<device name>
  --demo <n>           also run n simulated devices against this instance's own LwM2M Server
                       (coap://127.0.0.1:<coap port>): n-1 sensors demo-0 … with values that
                       change (profile "sensor") and one sleeping tracker in queue mode
                       (demo-tracker, profile "tracker"); they de-register when serve stops.
                       The Simulator view shows them and starts more.
  -h, --help           show this help
  -v, --version        show the version
`

/** Takes the data dir's instance lock, or says which instance holds it. */
function lockDataDir(dataDir: string): InstanceLock {
  try {
    return acquireInstanceLock(dataDir)
  } catch (e) {
    if (!(e instanceof InstanceLockError)) throw e
    const inst = readInstance(dataDir)
    if (e.holder === null) throw new CommandError(e.message)
    const at = inst.ok && inst.info.pid === e.holder ? ` at ${inst.info.url}` : ''
    throw new CommandError(`another instance (pid ${e.holder}) already serves ${dataDir}${at}; it holds ${join(dataDir, LOCK_FILE)}`)
  }
}

const MAX_DEMO = 1000

function demoCount(value: string | undefined): number {
  if (value === undefined) return 0
  if (!/^[0-9]{1,4}$/.test(value) || Number(value) > MAX_DEMO)
    throw new UsageError(`--demo must be a number of devices 0..${MAX_DEMO}, got ${JSON.stringify(value)}`)
  return Number(value)
}

export const serve: Command = {
  name: 'serve',
  summary: 'serve the UI and the contract headless (browser, scripts)',
  help: HELP,
  async run(argv, io) {
    const { values } = parse(
      argv,
      {
        'http-port': { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'coap-port': { type: 'string' },
        'coap-host': { type: 'string' },
        'no-coap': { type: 'boolean' },
        'bs-port': { type: 'string' },
        'no-bs': { type: 'boolean' },
        'coaps-port': { type: 'string' },
        'bs-coaps-port': { type: 'string' },
        'no-coaps': { type: 'boolean' },
        'cid-length': { type: 'string' },
        'dtls-cert': { type: 'string' },
        'dtls-key': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        demo: { type: 'string' },
        serial: { type: 'string', multiple: true }
      },
      0
    )
    const serialSpecs = (values.serial ?? []).map(parseSerialSpec)
    const port = portOption('http-port', values['http-port'], DEFAULT_HTTP_PORT)
    const host = values.host ?? '127.0.0.1'
    const coapPort = portOption('coap-port', values['coap-port'], DEFAULT_COAP_PORT)
    const coapHost = values['coap-host'] ?? '0.0.0.0'
    const bsPort = portOption('bs-port', values['bs-port'], DEFAULT_BS_PORT)
    const coapsPort = portOption('coaps-port', values['coaps-port'], DEFAULT_COAPS_PORT)
    const bsCoapsPort = portOption('bs-coaps-port', values['bs-coaps-port'], DEFAULT_BS_COAPS_PORT)
    const cidText = values['cid-length'] ?? '6'
    if (!/^[0-9]{1,2}$/.test(cidText) || Number(cidText) > 32) throw new UsageError(`--cid-length must be 0..32 bytes, got ${JSON.stringify(cidText)}`)
    const cidLength = Number(cidText)
    if ((values['dtls-cert'] === undefined) !== (values['dtls-key'] === undefined)) throw new UsageError('--dtls-cert and --dtls-key go together')
    const certFiles = values['dtls-cert'] !== undefined ? { certFile: resolve(values['dtls-cert']), keyFile: resolve(values['dtls-key'] as string) } : {}
    const dataDir = values['data-dir'] ? resolve(values['data-dir']) : defaultDataDir()
    const demo = demoCount(values.demo)
    if (demo > 0 && values['no-coap']) throw new UsageError('--demo needs the LwM2M Server: drop --no-coap')
    const log = createLogger({
      level: oneOf('log-level', values['log-level'], LOG_LEVELS, 'info'),
      format: oneOf('log-format', values['log-format'], LOG_FORMATS, 'text'),
      // stderr: stdout keeps the URL lines that scripts read.
      write: (line) => io.err(line)
    })

    const lock = lockDataDir(dataDir)
    if (lock.tookOverFrom !== null)
      io.err(`note: took over the stale lock ${lock.file} of pid ${lock.tookOverFrom}, which no longer runs`)
    let workbench
    try {
      workbench = createWorkbench({ dataDir, log: (l) => log.error('internal_error', { detail: l }) })
    } catch (e) {
      lock.release()
      // A damaged store or key file: its message names the file and what to do.
      throw new CommandError((e as Error).message)
    }
    const stopLog = attachProtocolLog(workbench.events, log)
    const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url))
    try {
      await workbench.startListeners({
        coap: values['no-coap'] ? null : { host: coapHost, port: coapPort },
        bootstrap: values['no-bs'] ? null : { host: coapHost, port: bsPort },
        coaps: values['no-coap'] || values['no-coaps'] ? null : { host: coapHost, port: coapsPort, cidLength, ...certFiles },
        bootstrapCoaps: values['no-bs'] || values['no-coaps'] ? null : { host: coapHost, port: bsCoapsPort, cidLength, ...certFiles }
      })
    } catch (e) {
      await workbench.close()
      stopLog()
      lock.release()
      const code = (e as NodeJS.ErrnoException).code
      throw new CommandError(
        code === 'EADDRINUSE'
          ? `a UDP port (${coapPort}, ${bsPort}, ${coapsPort} or ${bsCoapsPort}) on ${coapHost} is in use; choose others with --coap-port/--bs-port/--coaps-port/--bs-coaps-port (0 picks a free one), or --no-coap/--no-bs/--no-coaps`
          : `cannot open the CoAP listener on ${coapHost}:${coapPort}: ${(e as Error).message}`
      )
    }
    let server
    try {
      server = await startHeadless({ workbench, rendererDir, host, port })
    } catch (e) {
      await workbench.close()
      stopLog()
      lock.release()
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
          .finally(() => {
            stopLog()
            lock.release()
            resolveExit(signal === 'SIGINT' ? 130 : 0)
          })
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      process.on('SIGHUP', stop)
    })
    for (const line of urlAnnouncement({ baseUrl: server.baseUrl, uiUrl: server.uiUrl, dataDir, terminal: io.outIsTerminal === true }))
      io.out(line)
    io.out(`Data dir: ${dataDir}`)
    for (const l of workbench.listeners()) log.info('listener.started', { role: l.role, transport: l.transport, address: l.address, port: l.port })
    for (const l of workbench.listeners()) {
      const dtls = l.transport.startsWith('coaps')
      io.out(`${l.role}: ${dtls ? 'coaps' : 'coap'}://${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port} (${dtls ? 'DTLS 1.2' : 'UDP'})`)
    }
    for (const spec of serialSpecs) {
      // Like the demo: a port that cannot open is reported, and the instance keeps serving.
      try {
        const line = await workbench.serial.open(spec)
        io.out(`Serial: ${line.path} (${line.framing}, ${line.baudRate} baud)${line.framing === 'slipmux' ? ` ${line.uri}` : ''}`)
      } catch (e) {
        io.err(`serial: ${(e as Error).message}`)
      }
    }
    if (demo > 0) {
      // After the URL lines: a demo that cannot start is reported, and the instance keeps serving.
      for (const line of await startDemo(workbench, demo)) io.out(line)
    }
    return exit
  }
}
