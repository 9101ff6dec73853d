// SPDX-License-Identifier: Apache-2.0
// Simulated sensor values (docs/simulator-profile.md, "Generators"). Pure: the caller passes the
// time, the previous value and a random source, so a run can be replayed and tested.
//
// One meaning of time for every kind: `tSeconds` is seconds since the simulated device started.
// 'clock' is the only kind that needs the wall clock; it gets it as `epochAtStart` (Unix seconds
// when the device started) and answers epochAtStart + t. So callers never pass two kinds of t.
import type { Generator } from './profile'
import type { ResourceType, Value } from '../value'

/** How often a generator's value is recomputed when the profile gives no `intervalSeconds`. */
export const DEFAULT_INTERVAL_SECONDS = 10

/**
 * The generator's value at `tSeconds` (seconds since start).
 * - sine: starts at `min` (t = 0), reaches `max` at half the period, back at `min` after one;
 * - walk: one step from `previous` by at most `step` either way, kept within min..max (call it
 *   once per interval; t is not used); without a previous number it starts at (min + max) / 2.
 *   Pass the previous *generated* number, not the rounded Value, or small steps on an Integer
 *   resource would never move;
 * - toggle: false for the first `everySeconds`, then flips every `everySeconds`;
 * - counter: floor(t / everySeconds) * step;
 * - clock: epochAtStart + t, in whole seconds.
 * A non-finite `tSeconds` counts as 0; degenerate parameters (a zero period) give the start value.
 */
export function generatorValue(
  g: Generator,
  tSeconds: number,
  previous: number | boolean | null,
  random: () => number,
  epochAtStart = 0
): number | boolean {
  const t = Number.isFinite(tSeconds) ? tSeconds : 0
  switch (g.kind) {
    case 'sine': {
      const mid = (g.min + g.max) / 2
      const amplitude = (g.max - g.min) / 2
      if (!(g.periodSeconds > 0)) return g.min
      return mid - amplitude * Math.cos((2 * Math.PI * t) / g.periodSeconds)
    }
    case 'walk': {
      // The first value is the middle, so t = 0 needs no randomness.
      if (typeof previous !== 'number' || !Number.isFinite(previous)) return (g.min + g.max) / 2
      const r = random()
      // r is 0..1; map it to -step..+step (a broken source counts as no move).
      const move = Number.isFinite(r) ? (r * 2 - 1) * g.step : 0
      return clamp(previous + move, g.min, g.max)
    }
    case 'toggle': {
      if (!(g.everySeconds > 0)) return false
      const flips = Math.floor(t / g.everySeconds)
      // ((n % 2) + 2) % 2 keeps a negative t (before start) deterministic too.
      return ((flips % 2) + 2) % 2 === 1
    }
    case 'counter':
      if (!(g.everySeconds > 0)) return 0
      return Math.floor(t / g.everySeconds) * g.step
    case 'clock':
      return Math.floor(epochAtStart + t)
  }
}

/** How often to recompute: the profile's `intervalSeconds`, else toggle/counter when they change, else the default. */
export function generatorInterval(g: Generator, intervalSeconds?: number): number {
  if (intervalSeconds !== undefined && intervalSeconds > 0) return intervalSeconds
  if (g.kind === 'toggle' || g.kind === 'counter') return g.everySeconds
  return DEFAULT_INTERVAL_SECONDS
}

/**
 * A generated number or Boolean as a value of the resource's type: integer types are rounded
 * (a sine on an Integer resource gives whole numbers), Time is whole seconds. Null when the type
 * cannot hold it (checkProfile refuses such generators, so this only guards unchecked input).
 */
export function generatedValue(type: ResourceType, v: number | boolean): Value | null {
  if (typeof v === 'boolean') return type === 'boolean' ? { type, value: v } : null
  if (typeof v !== 'number' || !Number.isFinite(v)) return null
  // Two decimals, as a sensor reports with a resolution (and a person reads 21.37, not 21.3700000001).
  if (type === 'float') return { type, value: Math.round(v * 100) / 100 || 0 }
  // `|| 0` turns a rounded -0 into 0.
  const n = (type === 'time' ? Math.floor(v) : Math.round(v)) || 0
  if (!Number.isSafeInteger(n)) return null
  if (type === 'integer' || type === 'time') return { type, value: n }
  if (type === 'unsigned') return { type, value: Math.max(0, n) }
  return null
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v
}
