// SPDX-License-Identifier: Apache-2.0
/** Bad arguments: the CLI prints the one-line reason and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A command that ran and failed: printed as one line, exit 1. */
export class CommandError extends Error {
  override name = 'CommandError'
  constructor(
    message: string,
    readonly exitCode = 1
  ) {
    super(message)
  }
}
