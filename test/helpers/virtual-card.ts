// SPDX-License-Identifier: Apache-2.0
// The virtual UICC behind pcscd, run in a worker thread so that it answers vpcd while the test's
// thread sits in a synchronous PC/SC call.
import { Worker } from 'node:worker_threads'
import type { VirtualUiccOptions } from './virtual-uicc'

export interface VirtualCardState {
  readonly bootstrapFile: Uint8Array
  readonly admTries: number
  /** Every command APDU the card received, hex. */
  readonly log: string[]
}

export class VirtualCard {
  private next = 0
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private stopping: Promise<void> | null = null
  private gone = false

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return
      const w = this.waiting.get(m.id)
      this.waiting.delete(m.id)
      if (m.error !== undefined) w?.reject(new Error(m.error))
      else w?.resolve(m.result)
    })
    // A call to a worker that has ended would otherwise wait for ever (and hide the test's own failure).
    worker.once('exit', () => {
      this.gone = true
      for (const w of this.waiting.values()) w.reject(new Error('virtual UICC: the card has been stopped'))
      this.waiting.clear()
    })
  }

  static async start(opts: VirtualUiccOptions = {}): Promise<VirtualCard> {
    const worker = new Worker(new URL('./virtual-card-worker.mjs', import.meta.url), { workerData: opts })
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve())
      worker.once('error', reject)
    })
    return new VirtualCard(worker)
  }

  private call(op: string): Promise<unknown> {
    if (this.gone || this.stopping) return Promise.reject(new Error('virtual UICC: the card has been stopped'))
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.worker.postMessage({ id, op })
    })
  }

  async insert(): Promise<void> {
    await this.call('insert')
  }

  async remove(): Promise<void> {
    await this.call('remove')
  }

  async state(): Promise<VirtualCardState> {
    return (await this.call('state')) as VirtualCardState
  }

  /** Removes the card and ends the worker; a second call waits for the first. */
  stop(): Promise<void> {
    this.stopping ??= this.remove()
      .catch(() => undefined)
      .then(async () => void (await this.worker.terminate()))
    return this.stopping
  }
}
