// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { DEVICE_REQUEST_METHODS, type Method } from '../../contract/methods'
import { readInstance } from '../../headless/instance-file'
import { parse } from '../args'
import { readInputText } from '../input'
import { callRemote } from '../rpc-client'
import type { Command } from '../command'
import { defaultDataDir } from '../data-dir'
import { CommandError, UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb call <method> [json-params | @file | -] [--data-dir <dir> | --url <url> --token <token>]

Calls one contract method on a running instance and prints the result as JSON. On failure it
prints the error (code, message, details) and exits 1.

Examples:
  lwm2m-wb call system.info
  lwm2m-wb call settings.set '{"key":"ui.theme","value":"dark"}'
  lwm2m-wb call devices.read '{"endpoint":"dev1","path":"/3/0"}'
  lwm2m-wb call bootstrap.configs.put @config.json

A request to a device (devices.read, .write, .execute, .observe, ...) gets a deadline: --timeout
seconds (default 30), sent as timeoutMs, so the device's deadline ends it and the answer says why.
The CLI waits a little longer than that; if it still has no answer, it cancels the request by its
requestId (so a queued request never runs later) and says whether the device may have seen it.

Options:
  --timeout <s>      deadline for the answer in seconds (default 30)
  --data-dir <dir>   find the instance through <dir>/instance.json (default: ${defaultDataDir()})
  --url <url>        the instance's URL (a "#token=..." fragment is used as the token)
  --token <token>    the instance's token (with --url)
  -h, --help         show this help
  -v, --version      show the version
`

const MAX_PARAMS_DEPTH = 1000
/** How much longer than the device's deadline the CLI waits, so the server's answer arrives first. */
const GRACE_MS = 5_000

/** Whether arrays/objects nest deeper than `limit`; iterative, so any depth is safe to measure. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number]
    if (typeof v !== 'object' || v === null) continue
    if (depth >= limit) return true
    for (const x of Object.values(v)) stack.push([x, depth + 1])
  }
  return false
}

export const call: Command = {
  name: 'call',
  summary: 'call a contract method on a running instance and print the JSON result',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { 'data-dir': { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, timeout: { type: 'string' } },
      2
    )
    const [method, paramsText] = positionals
    if (!method) throw new UsageError('missing <method>, e.g. "lwm2m-wb call system.info"')
    if (!/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/.test(method))
      throw new UsageError(`"${method}" is not a method name (domain.verb, e.g. system.info)`)
    let params: unknown = {}
    if (paramsText !== undefined) {
      try {
        // "@file" and "-" (stdin) for parameters too large for a command line (bootstrap configs).
        params = JSON.parse(readInputText(paramsText))
      } catch (e) {
        if (e instanceof UsageError) throw e
        throw new UsageError(`json-params is not valid JSON: ${(e as Error).message}`)
      }
      // JSON.parse takes any depth, but JSON.stringify (sending) overflows the stack a few thousand
      // levels down; no contract method takes params more than a few dozen levels deep.
      if (depthExceeds(params, MAX_PARAMS_DEPTH))
        throw new UsageError(`json-params is nested too deeply (more than ${MAX_PARAMS_DEPTH} levels)`)
    }
    if (values.url && values['data-dir']) throw new UsageError('give either --data-dir or --url, not both')
    const timeoutS = values.timeout === undefined ? 30 : Number(values.timeout)
    if (!(timeoutS > 0 && timeoutS <= 3600)) throw new UsageError(`--timeout must be a number of seconds in (0, 3600], got "${values.timeout}"`)
    const toDevice = (DEVICE_REQUEST_METHODS as readonly string[]).includes(method as Method) && typeof params === 'object' && params !== null && !Array.isArray(params)
    let waitMs = timeoutS * 1000
    if (toDevice) {
      const p = params as Record<string, unknown>
      // The device's deadline ends the request; the CLI only waits a little longer for that answer.
      if (p.timeoutMs === undefined) p.timeoutMs = Math.round(timeoutS * 1000)
      if (p.requestId === undefined) p.requestId = `cli-${randomBytes(6).toString('hex')}`
      if (typeof p.timeoutMs === 'number') waitMs = p.timeoutMs + GRACE_MS
    }

    let url: string
    let token: string
    if (values.url) {
      const fragment = /#token=([A-Za-z0-9_-]+)/.exec(values.url)?.[1]
      token = values.token ?? fragment ?? ''
      if (!token) throw new UsageError('--url needs --token (or a URL ending in #token=...)')
      url = values.url.replace(/#.*$/, '')
    } else {
      if (values.token) throw new UsageError('--token goes with --url')
      const dataDir = values['data-dir'] ? resolve(values['data-dir']) : defaultDataDir()
      const inst = readInstance(dataDir)
      if (!inst.ok) throw new CommandError(`${inst.reason}; start one with "lwm2m-wb serve --data-dir ${dataDir}"`)
      if (!inst.alive)
        throw new CommandError(`the instance recorded in ${dataDir} (pid ${inst.info.pid}) is not running`)
      url = inst.info.url
      token = inst.info.token
    }

    let reply
    try {
      reply = await callRemote(url, token, method, params, waitMs)
    } catch (e) {
      if (!(e instanceof CommandError) || !toDevice || !/no answer from/.test(e.message)) throw e
      // Gave up anyway: withdraw what we started, so it does not run later unseen.
      const p = params as { endpoint?: unknown; requestId: string }
      const cancelled = await callRemote(url, token, 'devices.cancel', { endpoint: p.endpoint, requestId: p.requestId }, 10_000).catch(() => null)
      const r = cancelled?.ok ? (cancelled.result as { cancelled: boolean; note: string }) : null
      io.err(`error: cli.timeout: no answer within ${Math.round(waitMs / 1000)} s; request ${p.requestId} ${r ? (r.cancelled ? 'cancelled: ' + r.note : 'had already ended') : 'could not be cancelled'}`)
      return 1
    }
    if (reply.ok) {
      io.out(JSON.stringify(reply.result, null, 2))
      return 0
    }
    const { error } = reply
    io.err(`error: ${error.data?.code ?? error.code}: ${error.message}`)
    if (error.data?.details !== undefined) io.err(JSON.stringify(error.data.details, null, 2))
    return 1
  }
}
