// SPDX-License-Identifier: Apache-2.0
/** The store cannot be opened or used as it is; the message names the file and what to do. */
export class StoreError extends Error {
  override name = 'StoreError'
}
