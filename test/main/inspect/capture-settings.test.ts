// SPDX-License-Identifier: Apache-2.0
// capture.settings are stored settings: they apply at once (also through settings.set) and
// outlive the process.
import { describe, expect, it } from 'vitest'
import { createWorkbench } from '../../../src-main/services/workbench'
import { callIn } from '../../helpers/in-process'
import { tempDir } from '../../helpers/temp-dir'

describe('capture settings', () => {
  it('apply at once, through either method, and survive a restart', async () => {
    const dir = tempDir()
    try {
      const wb = createWorkbench({ dataDir: dir.path, log: () => {} })
      await callIn(wb, 'capture.settings.set', { maxMegabytes: 64, coapPorts: [5683, 9999] })
      expect(wb.capture.store.maxBytes).toBe(64 * 2 ** 20)
      await callIn(wb, 'settings.set', { key: 'capture.cidLength', value: 4 })
      expect(await callIn(wb, 'capture.settings.get', {})).toMatchObject({ maxMegabytes: 64, coapPorts: [5683, 9999], cidLength: 4 })
      await expect(callIn(wb, 'capture.settings.set', { coapPorts: [0] })).rejects.toThrow(/rpc.invalid_params/)
      await wb.close()
      const again = createWorkbench({ dataDir: dir.path, log: () => {} })
      expect(await callIn(again, 'capture.settings.get', {})).toMatchObject({ maxMegabytes: 64, coapPorts: [5683, 9999], cidLength: 4 })
      expect(again.capture.store.maxBytes).toBe(64 * 2 ** 20)
      await again.close()
    } finally {
      dir.cleanup()
    }
  })
})
