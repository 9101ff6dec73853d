// SPDX-License-Identifier: Apache-2.0
// A pty peer that imitates Zephyr's LwM2M shell (subsys/net/lib/lwm2m/lwm2m_shell.c): prompt
// "uart:~$ ", echo of each line, the shell's answers, and shell_error lines in red for what it
// refuses. Written for the tests from the shell's documented syntax and messages.
import { LineSplitter } from '../../src-main/core/serial/line-splitter'
import { SerialLink } from '../../src-main/transports/serial'

const PROMPT = 'uart:~$ '
const red = (s: string): string => `\x1b[1;31m${s}\x1b[0m\r\n`
const TYPES = new Set(['-s', '-b', '-u8', '-u16', '-u32', '-u64', '-s8', '-s16', '-s32', '-s64', '-f', '-t'])

/** What a Zephyr shell answers (from lwm2m_shell.c's messages); `refuse` names a command to fail. */
function zephyrAnswer(line: string, state: { started: boolean; refuse?: string }): string {
  const argv = line.trim().split(/\s+/)
  if (line.trim() === '') return ''
  if (argv[0] !== 'lwm2m') return red(`${argv[0]}: command not found`)
  if (state.refuse && line.trim() === state.refuse) return red("can't do write operation, request failed (err -22)")
  switch (argv[1]) {
    case 'stop':
      if (!state.started) return red("can't do stop operation, request failed (err -1)")
      state.started = false
      return ''
    case 'create':
      return argv.length === 3 ? '' : red('No object ID given')
    case 'write':
      if (argv.length === 4) return ''
      if (argv.length === 5 && TYPES.has(argv[3] as string)) return /^-?[0-9]+$/.test(argv[4] as string) || argv[3] === '-s' ? '' : red(`Invalid number: ${argv[4]}`)
      return red(`can't recognize data type ${argv[3]}`)
    case 'start':
      if (argv.length === 5 && argv[3] === '-b') {
        state.started = true
        return '[00:00:01.000,000] <inf> net_lwm2m_rd_client: RD Client started with endpoint ' + argv[2] + '\r\n'
      }
      return red('no specifier or value')
    default:
      return red(`lwm2m: wrong parameter count`)
  }
}

export interface FakeShell {
  readonly received: string[]
  close(): Promise<void>
}

export async function fakeZephyrShell(path: string, opts: { refuse?: string; silent?: boolean } = {}): Promise<FakeShell> {
  const received: string[] = []
  const state: { started: boolean; refuse?: string } = { started: false, ...(opts.refuse ? { refuse: opts.refuse } : {}) }
  let link: SerialLink | null = null
  const splitter = new LineSplitter((line) => {
    received.push(line)
    if (opts.silent || !link) return
    // The shell echoes what was typed, then answers, then prompts again.
    void link.writeText(`${line}\r\n${zephyrAnswer(line, state)}${PROMPT}`)
  })
  link = await SerialLink.open({ path, framing: 'raw', baudRate: 115200, onConsole: (t) => splitter.pushText(t) })
  return { received, close: () => (link as SerialLink).close() }
}

