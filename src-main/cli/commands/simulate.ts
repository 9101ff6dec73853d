// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Params } from '../../contract/methods'
import type { FleetDto } from '../../contract/simulator'
import { ServiceError } from '../../contract/errors'
import { EventHub } from '../../services/event-hub'
import { loadModelLibrary } from '../../services/model-library'
import { findResourcesDir } from '../../services/resources-dir'
import { SimulatorHeapMode } from '../../services/simulator-heap-mode'
import { SimulatorService } from '../../services/simulator-service'
import { readCardBootstrapFile, watchCardFile } from '../../services/card-service'
import { oneOf, parse } from '../args'
import type { Command } from '../command'
import { CommandError, UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb simulate (--server URI | --bootstrap URI | --card-file FILE | --card READER | --serial PATH) [options]

Runs simulated LwM2M clients in this process until interrupted (Ctrl+C de-registers them).
Each device has its own UDP socket. On a terminal the counts are redrawn in place; otherwise
one line is printed per change (or one JSON object per line with --json).

Options:
  --server <uri>        LwM2M Server, e.g. coap://127.0.0.1:5683 (factory bootstrap, NoSec) or
                        coaps://127.0.0.1:5684 (DTLS 1.2 with the PSK below, Security mode 0)
  --bootstrap <uri>     Bootstrap-Server, e.g. coap://127.0.0.1:5783 (client-initiated bootstrap)
  --psk-identity <id>   PSK identity for coaps:// servers; {endpoint} becomes the device name
                        (default {endpoint})
  --psk-key-file <file> the PSK (hex) for coaps:// servers, read from a file: a key on the
                        command line would stay in ps and the shell history
  --cid                 offer a DTLS Connection ID (RFC 9146) to coaps:// servers
  --card-file <file>    smartcard bootstrap data: the EF LwM2M_Bootstrap file (facts §4.1)
  --serial <path>       one device on this serial port, speaking slipmux (CoAP plus diagnostic
                        text lines); its server is coap+uart://<device name> unless --server
                        or --bootstrap names another coap+uart:// URI
  --card <reader>       the same, read from the smart card in this PC/SC reader ("lwm2m-wb card list")
  --endpoint <name>     one device with this endpoint name
  --count <n>           n devices named <prefix>0 … <prefix>(n-1) (default 1)
  --prefix <p>          endpoint prefix (default "sim-")
  --lwm2m <v>           1.0, 1.1 or 1.2 (default: the profile's, else 1.2)
  --format <f>          tlv, senml-json, senml-cbor or lwm2m-cbor (default: per version)
  --lifetime <s>        registration lifetime in seconds (default: the profile's, else 300)
  --queue               queue mode (sleep when idle, wake with an Update)
  --profile <name|file> a built-in profile (sensor, gateway, tracker, broken) or a JSON file
                        (docs/simulator-profile.md); default sensor
  --gateway <k>         k end devices behind /25 prefixes on every device
  --json                one JSON object per change instead of text
  -h, --help            show this help
`

/** The key file's first line, trimmed (hex). */
function readKeyFile(file: string): string {
  try {
    return (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim()
  } catch (e) {
    throw new UsageError(`--psk-key-file: cannot read ${file}: ${(e as Error).message}`)
  }
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  if (!/^[0-9]{1,9}$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(v)}`)
  return Number(v)
}

function summary(f: FleetDto): string {
  const s = f.states
  // "waiting": not started yet (a fleet starts a bounded number at a time, simulated-fleet.ts).
  const parts = [`registered ${s.registered}`, `sleeping ${s.sleeping}`, `registering ${s.registering}`, `bootstrapping ${s.bootstrapping}`, `waiting ${s.starting}`, `bootstrapped ${f.bootstrapped}`, `failed ${s.failed}`]
  return `${f.total} devices: ${parts.join(', ')}`
}

export const simulate: Command = {
  name: 'simulate',
  summary: 'run simulated LwM2M clients against a server or bootstrap server',
  help: HELP,
  async run(argv, io) {
    const { values } = parse(
      argv,
      {
        server: { type: 'string' },
        bootstrap: { type: 'string' },
        'card-file': { type: 'string' },
        card: { type: 'string' },
        endpoint: { type: 'string' },
        count: { type: 'string' },
        prefix: { type: 'string' },
        lwm2m: { type: 'string' },
        format: { type: 'string' },
        lifetime: { type: 'string' },
        queue: { type: 'boolean' },
        profile: { type: 'string' },
        gateway: { type: 'string' },
        'psk-identity': { type: 'string' },
        'psk-key-file': { type: 'string' },
        cid: { type: 'boolean' },
        serial: { type: 'string' },
        json: { type: 'boolean' }
      },
      0
    )
    if (values.serial !== undefined) {
      if (values.count !== undefined) throw new UsageError('a serial line carries one device: use --endpoint, not --count')
      for (const [name, uri] of [['server', values.server], ['bootstrap', values.bootstrap]] as const)
        if (uri !== undefined && !/^coap\+uart:\/\/[^/]/i.test(uri)) throw new UsageError(`with --serial, --${name} must be a coap+uart:// URI, got ${JSON.stringify(uri)}`)
      // The device name of the far end is unknown here; any coap+uart:// URI leads to the line.
      if (values.server === undefined && values.bootstrap === undefined && values['card-file'] === undefined && values.card === undefined) values.server = `coap+uart://${basename(values.serial)}`
    }
    if (values.server === undefined && values.bootstrap === undefined && values['card-file'] === undefined && values.card === undefined) {
      throw new UsageError('give --server URI, --bootstrap URI, --card-file FILE, --card READER or --serial PATH')
    }
    if (values['card-file'] !== undefined && values.card !== undefined) throw new UsageError('give --card-file or --card, not both')
    if (values.server !== undefined && values.bootstrap !== undefined) throw new UsageError('give --server or --bootstrap, not both')
    if (values.endpoint !== undefined && values.count !== undefined) throw new UsageError('--endpoint names one device; use --count with --prefix')
    const resources = findResourcesDir()
    const library = await loadModelLibrary({ shippedFile: join(resources, 'models', 'models.json') })
    for (const f of library.failures) io.err(`models: ${f.file}: ${f.reason}`)
    let card
    let cardBytes: Uint8Array | null = null
    const cardSource = values['card-file'] ?? (values.card !== undefined ? `the card in "${values.card}"` : undefined)
    if (cardSource !== undefined) {
      let bytes: Uint8Array
      try {
        // The card and the card file go the same way from here (C §6.1.3.2, App. G).
        bytes = values.card !== undefined ? await readCardBootstrapFile(values.card) : readFileSync(cardSource)
      } catch (e) {
        throw new CommandError(`cannot read ${cardSource}: ${(e as Error).message}`)
      }
      const decoded = SimulatorService.decodeCard(bytes, library.registry)
      for (const problem of decoded.problems) io.err(`card file: ${problem}`)
      if (decoded.records.length === 0) throw new CommandError(`${cardSource} holds no bootstrap data`)
      card = decoded.records
      cardBytes = bytes
    }
    let profile: Params<'simulator.start'>['profile'] = values.profile ?? 'sensor'
    if (values.profile !== undefined && /[./\\]/.test(values.profile)) {
      try {
        profile = JSON.parse(readFileSync(values.profile, 'utf8'))
      } catch (e) {
        throw new CommandError(`cannot read the profile ${values.profile}: ${(e as Error).message}`)
      }
    }
    const events = new EventHub()
    const simulator = new SimulatorService({ events, models: async () => library.registry, profilesDir: join(resources, 'profiles') })
    const params: Params<'simulator.start'> = {
      profile,
      ...(values.server !== undefined ? { server: values.server } : {}),
      ...(values.bootstrap !== undefined ? { bootstrap: values.bootstrap } : {}),
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
      ...(values.count !== undefined ? { count: positiveInt('count', values.count) as number } : {}),
      ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
      ...(values.lwm2m !== undefined ? { lwm2m: oneOf('lwm2m', values.lwm2m, ['1.0', '1.1', '1.2'] as const, undefined) as '1.0' } : {}),
      ...(values.format !== undefined ? { format: oneOf('format', values.format, ['tlv', 'senml-json', 'senml-cbor', 'lwm2m-cbor'] as const, undefined) as 'tlv' } : {}),
      ...(values.lifetime !== undefined ? { lifetime: positiveInt('lifetime', values.lifetime) as number } : {}),
      ...(values.queue ? { queue: true } : {}),
      ...(values.gateway !== undefined ? { gateway: positiveInt('gateway', values.gateway) as number } : {}),
      ...(values['psk-identity'] !== undefined ? { pskIdentity: values['psk-identity'] } : {}),
      ...(values['psk-key-file'] !== undefined ? { pskKey: readKeyFile(values['psk-key-file']) } : {}),
      ...(values.cid ? { cid: true } : {}),
      ...(values.serial !== undefined ? { serial: values.serial } : {})
    }
    const terminal = io.outIsTerminal === true && !values.json
    let last = ''
    // This process only simulates: V8's memory saver mode once the fleet has started
    // (services/simulator-heap-mode.ts).
    const heapMode = new SimulatorHeapMode()
    events.subscribe((name, payload) => {
      if (name !== 'simulator.changed') return
      heapMode.update(simulator.startingUp())
      const { fleet } = payload as { fleet: FleetDto }
      const line = summary(fleet)
      if (line === last) return
      last = line
      if (values.json) io.out(JSON.stringify({ total: fleet.total, states: fleet.states, bootstrapped: fleet.bootstrapped, failures: fleet.failures }))
      else if (terminal) process.stdout.write(`\r\x1b[K${line}`)
      else io.out(line)
    })
    let started
    try {
      started = await simulator.start(params, card)
    } catch (e) {
      throw new CommandError(e instanceof ServiceError ? e.message : (e as Error).message)
    }
    if (!values.json) io.out(`started ${started.endpoints.length} device(s): ${started.endpoints.slice(0, 3).join(', ')}${started.endpoints.length > 3 ? ', …' : ''}`)
    // A device provisioned from a card follows it (C §6.1.3.2): a removed card takes away what it
    // provisioned, a changed card replaces it.
    let fleetId: string | null = started.fleetId
    let follow: Promise<void> = Promise.resolve()
    const unwatch =
      values.card !== undefined && cardBytes !== null
        ? watchCardFile(
            values.card,
            cardBytes,
            (bytes) => {
              follow = follow.then(async () => {
                if (fleetId !== null) await simulator.stop(fleetId).catch(() => undefined)
                fleetId = null
                if (bytes === null) {
                  if (!values.json) io.out('card removed: the device(s) it provisioned are stopped')
                  return
                }
                const next = SimulatorService.decodeCard(bytes, library.registry)
                for (const problem of next.problems) io.err(`card file: ${problem}`)
                if (next.records.length === 0) {
                  io.err('card changed: it holds no bootstrap data; no device runs')
                  return
                }
                try {
                  fleetId = (await simulator.start(params, next.records)).fleetId
                  if (!values.json) io.out('card changed: the device(s) restarted with its new bootstrap data')
                } catch (e) {
                  io.err(`card changed, but the device(s) did not start: ${(e as Error).message}`)
                }
              })
            },
            (message) => io.err(`card: ${message}`)
          )
        : () => undefined
    return new Promise<number>((resolveExit) => {
      let stopping = false
      const stop = (signal: NodeJS.Signals): void => {
        const code = signal === 'SIGINT' ? 130 : 0
        // A second signal, or a close that hangs (a device waiting on a silent server, a reader
        // call that never returns), still ends the process: de-registering is a courtesy.
        if (stopping) return resolveExit(code)
        stopping = true
        if (terminal) process.stdout.write('\n')
        unwatch()
        setTimeout(() => {
          io.err('stopping took over 10 s: exiting without waiting for the devices to de-register')
          resolveExit(code)
        }, 10_000).unref()
        void simulator.close().finally(() => resolveExit(code))
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      process.on('SIGHUP', stop)
    })
  }
}
