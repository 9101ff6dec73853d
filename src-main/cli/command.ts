// SPDX-License-Identifier: Apache-2.0
export interface Io {
  out(text: string): void
  err(text: string): void
  /** Whether out() reaches a terminal (a person) rather than a pipe or a file. */
  readonly outIsTerminal?: boolean
}

export interface Command {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** Full `--help` text. */
  readonly help: string
  /** Resolves to the exit code. */
  run(argv: string[], io: Io): Promise<number>
}
