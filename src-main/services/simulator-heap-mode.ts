// SPDX-License-Identifier: Apache-2.0
// How V8 keeps the heap of a process that only simulates devices (`lwm2m-wb simulate`, issue 14):
// at full speed while a fleet starts, in V8's memory saver mode once every device has settled.
// Measured with 10 000 devices: after the start-up burst V8 keeps the pages it grew the young
// generation to and compacted the old one out of mapped and resident (about 20 KB per device on
// top of a 15 KB heap), and gives them back only in memory-reducing GCs, which its memory reducer
// starts some 10–30 s later depending on load. In memory saver mode every full GC reduces memory,
// so one is run as the mode is switched on. During the start the same mode costs about twice the
// time (GCs that compact while the heap grows), so it is off then. Only the simulate command uses
// this: the app's own process (servers, UI, `serve --demo`) keeps V8's defaults.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

export interface HeapControls {
  /** V8's runtime flag setter (node:v8 setFlagsFromString). */
  readonly setFlags: (flags: string) => void
  /** A full garbage collection now. */
  readonly collect: () => void
}

/** V8's own controls: gc() is reachable without --expose-gc by exposing it for a fresh context. */
export const v8HeapControls: HeapControls = {
  setFlags: setFlagsFromString,
  collect: () => {
    setFlagsFromString('--expose-gc')
    ;(runInNewContext('gc') as () => void)()
  }
}

export class SimulatorHeapMode {
  private saving = false

  constructor(private readonly controls: HeapControls = v8HeapControls) {}

  get memorySaver(): boolean {
    return this.saving
  }

  /** `startingUp`: whether a fleet still has devices waiting to start or on their way. */
  update(startingUp: boolean): void {
    if (this.saving === !startingUp) return
    this.saving = !startingUp
    this.controls.setFlags(this.saving ? '--memory-saver-mode' : '--no-memory-saver-mode')
    if (this.saving) this.controls.collect()
  }
}
