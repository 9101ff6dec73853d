// SPDX-License-Identifier: Apache-2.0
// The fake clock every timing assertion here relies on.
import { describe, expect, it } from 'vitest'
import { FakeScheduler } from './helpers/fake-scheduler'

describe('FakeScheduler', () => {
  it('runs due callbacks in time order, ties in scheduling order, each at its own time', async () => {
    const s = new FakeScheduler()
    const ran: string[] = []
    s.schedule(30, () => ran.push(`c@${s.now()}`))
    s.schedule(10, () => ran.push(`a@${s.now()}`))
    s.schedule(10, () => ran.push(`b@${s.now()}`))
    s.schedule(31, () => ran.push('late'))
    await s.advance(30)
    expect(ran).toEqual(['a@10', 'b@10', 'c@30'])
    expect(s.now()).toBe(30)
  })

  it('runs callbacks scheduled during advance when they fall due inside the window', async () => {
    const s = new FakeScheduler()
    const ran: number[] = []
    s.schedule(5, () => s.schedule(5, () => ran.push(s.now())))
    await s.advance(10)
    expect(ran).toEqual([10])
  })

  it('cancelled callbacks never run and do not count as pending', async () => {
    const s = new FakeScheduler()
    let ran = false
    const cancel = s.schedule(1, () => (ran = true))
    expect(s.pending).toBe(1)
    cancel()
    expect(s.pending).toBe(0)
    await s.advance(10)
    expect(ran).toBe(false)
  })

  it('run() settles a promise that waits on timers, and reports a stall', async () => {
    const s = new FakeScheduler()
    const v = await s.run(new Promise<number>((resolve) => s.schedule(1000, () => resolve(42))))
    expect(v).toBe(42)
    expect(s.now()).toBe(1000)
    await expect(s.run(new Promise(() => undefined))).rejects.toThrow(/stalled/)
  })
})
