// SPDX-License-Identifier: Apache-2.0
// Timing shared by the benchmarks that compare our code with a baseline in the same run.

/** Operations per second of fn over one timed slice of about `ms`, `batch` calls between clock reads. */
export function slice(fn: () => unknown, ms: number, batch = 5): number {
  let ops = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    for (let k = 0; k < batch; k++) fn()
    ops += batch
    now = performance.now()
  }
  return (ops * 1000) / (now - start)
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/**
 * Measures two functions in alternating slices (a then b, then b then a, …) and returns the
 * median of each and the median of the per-round ratios a/b. The machine is shared (two cores,
 * other jobs): load that comes and goes hits both slices of a round alike, so the ratio of a round
 * stays meaningful when the absolute speeds swing, and the median drops rounds a burst hit.
 */
export function paired(a: () => unknown, b: () => unknown, rounds = 15, ms = 40, batch = 5): { a: number; b: number; ratio: number } {
  slice(a, ms, batch)
  slice(b, ms, batch)
  const as: number[] = []
  const bs: number[] = []
  const ratios: number[] = []
  for (let i = 0; i < rounds; i++) {
    let x: number
    let y: number
    if (i % 2 === 0) {
      x = slice(a, ms, batch)
      y = slice(b, ms, batch)
    } else {
      y = slice(b, ms, batch)
      x = slice(a, ms, batch)
    }
    as.push(x)
    bs.push(y)
    ratios.push(x / y)
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) }
}
