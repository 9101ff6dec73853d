// SPDX-License-Identifier: Apache-2.0
import { decodeForPeople, FormatError, hasErrors, loadModels, parseFormat, parseRequestPath } from '../../services/format-service'
import { parse } from '../args'
import type { Command } from '../command'
import { readInputBytes } from '../input'
import { UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb decode --format <name|number> [--path /O/I/R] [--models DIR]... <hex | @file | ->

Decodes an LwM2M payload strictly and prints
  {"format", "contentFormat", "records": [{"path", "type", "value"}], "violations": [...],
   "violationsTotal"}
Only the first 100 violations are listed; "violationsTotal" counts all of them and, when some
were left out, "violationsOmitted" gives their count per rule.
Types: string, integer, unsigned, float, boolean, opaque (lowercase hex), time (seconds),
objlnk ("66:0"), corelnk, none. Values are typed by the OMA object models (plus --models).
Each violation has a severity: "error" (the payload breaks a rule; exit 1) or "warning" (accepted
as it stands, e.g. a non-preferred CBOR length; exit 0). Exit 2 on bad arguments.

Formats: text (0), link (40), opaque (42), cbor (60), senml-json (110), senml-cbor (112),
senml-etch-json (320), senml-etch-cbor (322), tlv (11542), lwm2m-json (11543),
lwm2m-cbor (11544); legacy 1541–1544 are accepted.

Options:
  --format <f>     content format name or number (required)
  --path <path>    the request path the payload answers (TLV, text, opaque and CBOR need it)
  --models <dir>   extra folder of DDF XML object definitions (repeatable)
  -h, --help       show this help
  -v, --version    show the version

Example: lwm2m-wb decode --format tlv --path /3/0 c8000a4f70656e204d6f62696c65
`

export const decode: Command = {
  name: 'decode',
  summary: 'decode an LwM2M payload (TLV, SenML, LwM2M CBOR, ...) to typed records',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { format: { type: 'string' }, path: { type: 'string' }, models: { type: 'string', multiple: true } },
      1
    )
    if (!values.format) throw new UsageError('--format is required (e.g. --format tlv)')
    const [input] = positionals
    if (input === undefined) throw new UsageError('missing the payload: hex, @file or - for stdin')
    try {
      const format = parseFormat(values.format)
      const path = parseRequestPath(values.path)
      const bytes = readInputBytes(input)
      const { models, failures } = await loadModels(values.models ?? [])
      for (const f of failures) io.err(`models: ${f.file}: ${f.reason}`)
      const out = decodeForPeople(format, bytes, path, models)
      io.out(JSON.stringify(out, null, 2))
      // Warnings (accepted as they stand) do not fail the command; errors do, listed or not.
      return hasErrors(out) ? 1 : 0
    } catch (e) {
      if (e instanceof FormatError) throw new UsageError(e.message)
      throw e
    }
  }
}
