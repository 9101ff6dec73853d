// SPDX-License-Identifier: Apache-2.0
export * from './errors'
export * from './events'
export * from './methods'
export * from './settings'
export * from './system'
export type { Json, Issue } from './schema'
export * from './bridge'
export * from './wire'
