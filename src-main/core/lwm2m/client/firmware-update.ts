// SPDX-License-Identifier: Apache-2.0
// Object 5 Firmware Update as a device runs it (C App. E.6, facts §5.1): Idle(0) → Downloading(1)
// → Downloaded(2) → Updating(3) → Idle with Update Result 1, by push (Package /5/0/0, Block1)
// or pull (Package URI /5/0/1). Failures set the spec's Update Result codes.
import type { Scheduler } from '../../ports'
import { Code, fail, type ClientResponse } from './client-request'
import type { ObjectTree } from './object-tree'

export const FwState = { IDLE: 0, DOWNLOADING: 1, DOWNLOADED: 2, UPDATING: 3 } as const
export const FwResult = {
  INITIAL: 0, SUCCESS: 1, NO_STORAGE: 2, NO_MEMORY: 3, CONNECTION_LOST: 4, INTEGRITY: 5,
  UNSUPPORTED_PACKAGE: 6, INVALID_URI: 7, UPDATE_FAILED: 8, UNSUPPORTED_PROTOCOL: 9, CANCELLED: 10
} as const

export interface FirmwareOptions {
  readonly tree: ObjectTree
  readonly scheduler: Scheduler
  /** Pulls a package (CoAP GET, block-wise); rejects when it cannot. */
  readonly fetch: (uri: string) => Promise<Uint8Array>
  /** The device "rebooted" into new firmware (the client Updates its registration). */
  readonly onUpdated: () => void
  /** How long Updating takes. */
  readonly updateMs?: number
}

const utf8 = new TextDecoder()
/** A package whose first bytes say this fails its integrity check: lets tests reach Result 5. */
const CORRUPT_MARK = 'CORRUPT'

export class FirmwareUpdate {
  private package: Uint8Array | null = null
  private cancelUpdate: (() => void) | null = null
  private generation = 0

  constructor(private readonly o: FirmwareOptions) {}

  private set(rid: number, value: number): void {
    if (this.o.tree.hasInstance(5, 0)) this.o.tree.set([5, 0, rid], { type: 'integer', value })
  }

  state(): number {
    const v = this.o.tree.value(5, 0, 3)
    return v && v.type === 'integer' ? Number(v.value) : 0
  }

  private reset(result: number): void {
    this.generation++
    this.package = null
    this.set(3, FwState.IDLE)
    this.set(5, result)
  }

  /** Package written (push). An empty one resets the state machine (E.6). */
  packageWritten(bytes: Uint8Array): void {
    if (bytes.length === 0) return this.reset(FwResult.INITIAL)
    this.set(5, FwResult.INITIAL)
    this.set(3, FwState.DOWNLOADING)
    this.accept(bytes)
  }

  /** Package URI written (pull). An empty URI resets. Only CoAP(S) is listed in /5/0/8. */
  uriWritten(uri: string): void {
    if (uri === '') return this.reset(FwResult.INITIAL)
    if (!/^coaps?:\/\/[^/]+/.test(uri)) {
      this.set(3, FwState.IDLE)
      this.set(5, /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? FwResult.UNSUPPORTED_PROTOCOL : FwResult.INVALID_URI)
      return
    }
    this.set(5, FwResult.INITIAL)
    this.set(3, FwState.DOWNLOADING)
    const generation = ++this.generation
    this.o.fetch(uri).then(
      (bytes) => {
        if (generation === this.generation) this.accept(bytes)
      },
      () => {
        if (generation !== this.generation) return
        this.set(3, FwState.IDLE)
        this.set(5, FwResult.CONNECTION_LOST)
      }
    )
  }

  private accept(bytes: Uint8Array): void {
    if (utf8.decode(bytes.subarray(0, CORRUPT_MARK.length)) === CORRUPT_MARK) {
      this.set(3, FwState.IDLE)
      this.set(5, FwResult.INTEGRITY)
      return
    }
    this.package = bytes
    this.set(3, FwState.DOWNLOADED)
  }

  /** /5/0/2 Update: only from Downloaded. */
  execute(): ClientResponse {
    if (this.state() !== FwState.DOWNLOADED || this.package === null) {
      return fail(Code.METHOD_NOT_ALLOWED, 'Update needs a downloaded package (State 2)')
    }
    this.set(3, FwState.UPDATING)
    const pkg = this.package
    this.cancelUpdate = this.o.scheduler.schedule(this.o.updateMs ?? 2000, () => {
      this.cancelUpdate = null
      this.package = null
      // The new version is the package's first line when it looks like one.
      const head = utf8.decode(pkg.subarray(0, 64)).split('\n')[0]?.trim() ?? ''
      const current = this.o.tree.value(3, 0, 3)
      const next = /^[\x21-\x7e]{1,32}$/.test(head) ? head : `${current?.type === 'string' ? current.value : '1.0'}+1`
      if (this.o.tree.hasInstance(3, 0)) this.o.tree.set([3, 0, 3], { type: 'string', value: next })
      this.set(3, FwState.IDLE)
      this.set(5, FwResult.SUCCESS)
      this.o.onUpdated()
    })
    return { code: Code.CHANGED }
  }

  /** /5/0/10 Cancel (v1.2): before the update starts only. */
  cancel(): ClientResponse {
    if (this.state() === FwState.UPDATING) return fail(Code.METHOD_NOT_ALLOWED, 'the update has started and cannot be cancelled')
    this.reset(FwResult.CANCELLED)
    return { code: Code.CHANGED }
  }

  stop(): void {
    this.cancelUpdate?.()
    this.cancelUpdate = null
  }
}
