// SPDX-License-Identifier: Apache-2.0
// Runs one virtual UICC in a worker thread (see virtual-uicc.ts for why); Node strips the types.
import { parentPort, workerData } from 'node:worker_threads'

const { VirtualUicc } = await import('./virtual-uicc.ts')
const card = new VirtualUicc(workerData)

parentPort.on('message', async ({ id, op }) => {
  try {
    let result = null
    if (op === 'insert') await card.insert()
    else if (op === 'remove') await card.remove()
    else if (op === 'state') result = { bootstrapFile: card.bootstrapFile, admTries: card.remainingAdmTries, log: card.log }
    parentPort.postMessage({ id, result })
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) })
  }
})
parentPort.postMessage({ ready: true })
