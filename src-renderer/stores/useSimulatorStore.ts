// SPDX-License-Identifier: Apache-2.0
// Simulated fleets (simulator.*): the list kept current from `simulator.changed` (counts arrive at
// most a few times a second per fleet), the built-in profiles, start and stop. One device's details
// are polled by the view that shows them, not kept here.
import type { Params } from '@contract/methods'
import type { FleetDto, ProfileInfo } from '@contract/simulator'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export const useSimulatorStore = defineStore('simulator', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const fleets = shallowRef<FleetDto[]>([])
  const profiles = shallowRef<ProfileInfo[]>([])
  const error = ref<string | null>(null)
  const loaded = ref(false)

  async function load(): Promise<void> {
    try {
      const [list, prof] = await Promise.all([backend.call('simulator.list', {}), backend.call('simulator.profiles', {})])
      fleets.value = list.fleets
      profiles.value = prof.profiles
      error.value = null
    } catch (e) {
      error.value = `Cannot read the simulator: ${(e as Error).message}`
    } finally {
      loaded.value = true
    }
  }

  function upsert(fleet: FleetDto): void {
    const i = fleets.value.findIndex((f) => f.fleetId === fleet.fleetId)
    fleets.value = i < 0 ? [...fleets.value, fleet] : fleets.value.map((f, j) => (j === i ? fleet : f))
  }

  /** Starts a fleet; resolves to the new fleet id, or throws with the service's reason. */
  async function start(p: Params<'simulator.start'>): Promise<{ fleetId: string; endpoints: string[] }> {
    const r = await backend.call('simulator.start', p)
    // The `started` event normally arrives first; list again in case it was missed.
    if (!fleets.value.some((f) => f.fleetId === r.fleetId)) void load()
    return r
  }

  async function stop(fleetId: string): Promise<void> {
    await backend.call('simulator.stop', { fleetId })
    fleets.value = fleets.value.filter((f) => f.fleetId !== fleetId)
  }

  backend.on('simulator.changed', ({ fleet, change }) => {
    if (change === 'stopped') fleets.value = fleets.value.filter((f) => f.fleetId !== fleet.fleetId)
    else upsert(fleet)
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { fleets, profiles, error, loaded, load, start, stop }
})
