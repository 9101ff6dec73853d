// SPDX-License-Identifier: Apache-2.0
import { encodeForPeople, FormatError, loadModels, parseFormat, parseRequestPath } from '../../services/format-service'
import { parse } from '../args'
import type { Command } from '../command'
import { readInputText, toHex } from '../input'
import { CommandError, UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb encode --format <name|number> [--path /O/I/R] [--models DIR]... <json | @file | ->

Encodes records (the shape "lwm2m-wb decode" prints: an array of {"path", "type", "value"}, or
the whole decode output) as an LwM2M payload and prints it as hex. The same input always gives
the same bytes. Values the object model forbids are refused with the reason (exit 1).

Options:
  --format <f>     content format name or number (required; see "lwm2m-wb decode --help")
  --path <path>    the request path the payload is for (TLV, text, opaque and CBOR need it)
  --models <dir>   extra folder of DDF XML object definitions (repeatable)
  -h, --help       show this help
  -v, --version    show the version

Example: lwm2m-wb encode --format tlv --path /1/0 '[{"path":"/1/0/1","type":"integer","value":3600}]'
`

export const encode: Command = {
  name: 'encode',
  summary: 'encode typed records as an LwM2M payload (hex)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { format: { type: 'string' }, path: { type: 'string' }, models: { type: 'string', multiple: true } },
      1
    )
    if (!values.format) throw new UsageError('--format is required (e.g. --format senml-json)')
    const [input] = positionals
    if (input === undefined) throw new UsageError('missing the records: JSON, @file or - for stdin')
    let format, path
    try {
      format = parseFormat(values.format)
      path = parseRequestPath(values.path)
    } catch (e) {
      if (e instanceof FormatError) throw new UsageError(e.message)
      throw e
    }
    let json: unknown
    try {
      json = JSON.parse(readInputText(input))
    } catch (e) {
      throw new UsageError(`records are not valid JSON: ${(e as Error).message}`)
    }
    const { models, failures } = await loadModels(values.models ?? [])
    for (const f of failures) io.err(`models: ${f.file}: ${f.reason}`)
    try {
      io.out(toHex(encodeForPeople(format, json, path, models)))
      return 0
    } catch (e) {
      if (e instanceof FormatError) throw new CommandError(e.message)
      throw e
    }
  }
}
