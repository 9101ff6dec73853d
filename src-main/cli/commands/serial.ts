// SPDX-License-Identifier: Apache-2.0
// `lwm2m-wb serial list`: the serial ports this machine has (ptys never appear: open them by path).
import { systemSerialPorts } from '../../services/serial-service'
import { parse } from '../args'
import type { Command } from '../command'
import { CommandError, UsageError } from '../usage-error'

const HELP = `Usage: lwm2m-wb serial list [--json]

Lists the serial ports of this machine: path, USB vendor:product id, manufacturer and serial
number. Pseudo-terminals (ptys) never appear in the list; open them by path
(serve --serial PATH, simulate --serial PATH).

Options:
  --json      one JSON array instead of a table
  -h, --help  show this help
`

export const serial: Command = {
  name: 'serial',
  summary: 'list serial ports (serial list)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, 1)
    if (positionals[0] !== 'list') throw new UsageError(positionals[0] === undefined ? 'give a subcommand: list' : `unknown subcommand "${positionals[0]}"; the one there is: list`)
    let ports
    try {
      ports = await systemSerialPorts()
    } catch (e) {
      throw new CommandError(`cannot list serial ports: ${(e as Error).message}`)
    }
    if (values.json) {
      io.out(JSON.stringify(ports))
      return 0
    }
    if (ports.length === 0) {
      io.out('no serial ports found (ptys are not listed; open them by path)')
      return 0
    }
    const rows = ports.map((p) => [p.path, p.vendorId ? `${p.vendorId}:${p.productId ?? ''}` : '-', p.manufacturer ?? '-', p.serialNumber ?? '-'])
    const head = ['PATH', 'USB ID', 'MANUFACTURER', 'SERIAL']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
    for (const r of [head, ...rows]) io.out(r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd())
    return 0
  }
}
