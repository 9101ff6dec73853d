// Tests that start `lwm2m-wb` need a current out/: build it once before any test file runs.
import { buildIfStale } from '../../scripts/build-if-stale.mjs'

export default function setup(): void {
  buildIfStale({ quiet: true })
}
