// SPDX-License-Identifier: Apache-2.0
// `lwm2m-wb`: the command-line entry. Every command has --help and --version; bad arguments give a
// one-line reason and exit 2; a failed command exits 1 with a one-line reason, never a stack trace.
import { APP_NAME, APP_VERSION } from '../services/app-info'
import type { Command, Io } from './command'
import { call } from './commands/call'
import { card } from './commands/card'
import { decode } from './commands/decode'
import { encode } from './commands/encode'
import { pcap } from './commands/pcap'
import { serve } from './commands/serve'
import { simulate } from './commands/simulate'
import { serial } from './commands/serial'
import { CommandError, UsageError } from './usage-error'

const COMMANDS: readonly Command[] = [serve, call, simulate, decode, encode, serial, card, pcap]

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return `${APP_NAME} ${APP_VERSION} — LwM2M 1.2 diagnostic and bootstrap provisioning tool

Usage: lwm2m-wb <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "lwm2m-wb <command> --help" for a command's options.
Options: -h, --help   show this help;  -v, --version   show the version
`
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv
  try {
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      const target = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined
      io.out(target ? target.help : topHelp())
      return first === undefined ? 2 : 0
    }
    if (first === '-v' || first === '--version') {
      io.out(APP_VERSION)
      return 0
    }
    const command = COMMANDS.find((c) => c.name === first)
    if (!command) throw new UsageError(`unknown command "${first}"; run "lwm2m-wb --help" for the list`)
    if (rest.includes('-h') || rest.includes('--help')) {
      io.out(command.help)
      return 0
    }
    if (rest.includes('-v') || rest.includes('--version')) {
      io.out(APP_VERSION)
      return 0
    }
    return await command.run(rest, io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lwm2m-wb${first && !first.startsWith('-') ? ' ' + first : ''}: ${e.message}`)
      return 2
    }
    if (e instanceof CommandError) {
      io.err(`lwm2m-wb ${first}: ${e.message}`)
      return e.exitCode
    }
    io.err(`lwm2m-wb ${first}: internal error: ${(e as Error)?.message ?? String(e)}`)
    return 1
  }
}

const stdio: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  outIsTerminal: process.stdout.isTTY === true
}

/** The program: runs the CLI on this process's argv and sets the exit code (bin/lwm2m-wb.mjs calls it). */
export async function main(): Promise<void> {
  try {
    process.exitCode = await runCli(process.argv.slice(2), stdio)
  } catch (e) {
    process.stderr.write(`lwm2m-wb: internal error: ${(e as Error)?.message}\n`)
    process.exitCode = 1
  }
}
