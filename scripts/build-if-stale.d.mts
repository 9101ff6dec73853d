export function isStale(): boolean
export function buildIfStale(opts?: { quiet?: boolean; force?: boolean }): void
