// SPDX-License-Identifier: Apache-2.0
// Shell provisioning over a serial console (issue 17 item 4): the endpoint's stored bootstrap
// configuration is written through the device's LwM2M shell, command by command, each waiting
// for the prompt; every command and what the shell answered (its echo included) goes to the
// bootstrap run record, as for network bootstraps.
import { randomUUID } from 'node:crypto'
import type { BootstrapRunDto, BootstrapStepDto } from '../contract/bootstrap'
import { ServiceError } from '../contract/errors'
import type { Params, Result } from '../contract/methods'
import type { ProvisionStepDto } from '../contract/serial'
import { shellAnswerFailed, ZEPHYR_PROMPT, zephyrShellScript } from '../core/serial/zephyr-shell'
import type { BootstrapService } from './bootstrap-service'
import type { SerialService } from './serial-service'
import { ShellSession, ShellTimeoutError } from './shell-session'

/** How long one command may take before the prompt is back. */
const STEP_TIMEOUT_MS = 5000

export async function provisionOverShell(
  serial: SerialService,
  bootstrap: BootstrapService,
  p: Params<'serial.provision'>,
  stepTimeoutMs = STEP_TIMEOUT_MS
): Promise<Result<'serial.provision'>> {
  serial.link(p.path)
  const config = bootstrap.storedConfig(p.endpoint)
  if (!config) throw new ServiceError('bootstrap.not_found', `no bootstrap configuration for "${p.endpoint}" (nor a "*" default)`)
  const script = zephyrShellScript(config, p.endpoint)
  if ('problem' in script) throw new ServiceError('serial.provision_failed', script.problem)

  const started = new Date()
  const steps: ProvisionStepDto[] = []
  const runSteps: BootstrapStepDto[] = []
  let run: BootstrapRunDto = {
    id: randomUUID(),
    endpoint: p.endpoint,
    kind: 'shell',
    peer: p.path,
    startedAt: started.toISOString(),
    finishedAt: null,
    outcome: 'running',
    detail: `Zephyr LwM2M shell on ${p.path}`,
    format: null,
    clientVersion: null,
    steps: [],
    config: { endpoint: config.endpoint, matched: config.endpoint === p.endpoint ? 'endpoint' : 'default' },
    bootstrapAccount: null,
    instances: [],
    written: []
  }
  bootstrap.recordRun(run, 'started')
  const session = new ShellSession(serial, p.path)
  let problem: string | null = null
  try {
    // An empty line first: the prompt says the shell is there and listening.
    try {
      await session.send('', ZEPHYR_PROMPT, stepTimeoutMs)
    } catch (e) {
      throw new ShellTimeoutError(`no shell prompt on ${p.path}: ${(e as Error).message}`)
    }
    for (const step of script.steps) {
      const at = new Date()
      let answer: string
      try {
        answer = await session.send(step.command, ZEPHYR_PROMPT, stepTimeoutMs)
      } catch (e) {
        steps.push({ command: step.command, answer: '', ok: false })
        runSteps.push(runStep(step.command, '', false, at))
        problem = `"${step.command}": ${(e as Error).message}`
        break
      }
      const text = answer.replace(ZEPHYR_PROMPT, '').trim()
      const ok = !shellAnswerFailed(text)
      steps.push({ command: step.command, answer: text, ok, ...(step.tolerated ? { tolerated: true } : {}) })
      runSteps.push(runStep(step.command, text, ok || step.tolerated === true, at))
      run = { ...run, steps: [...runSteps] }
      bootstrap.recordRun(run, 'step')
      if (!ok && !step.tolerated) {
        problem = `"${step.command}" failed: ${text.split('\n').filter((l) => shellAnswerFailed(l)).join(' ') || text}`
        break
      }
    }
  } catch (e) {
    problem = (e as Error).message
  } finally {
    session.close()
  }
  run = { ...run, steps: runSteps, finishedAt: new Date().toISOString(), outcome: problem ? 'failed' : 'success', detail: problem ?? `Zephyr LwM2M shell on ${p.path}: ${steps.length} commands` }
  bootstrap.recordRun(run, 'finished')
  return { ok: problem === null, steps, problem }
}

function runStep(command: string, answer: string, ok: boolean, at: Date): BootstrapStepDto {
  const path = /(\/[0-9/]+)/.exec(command)?.[1] ?? ''
  return {
    operation: command.split(' ').slice(0, 2).join(' '),
    path,
    request: command,
    code: null,
    meaning: ok ? (answer || 'done') : `failed: ${answer}`,
    at: at.toISOString(),
    durationMs: Date.now() - at.getTime()
  }
}
