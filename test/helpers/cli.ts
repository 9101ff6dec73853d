// Runs the real `lwm2m-wb` bin (the built bundle, as users run it) in a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'lwm2m-wb.mjs')

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
}

export function runCli(args: string[], opts: { node?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(opts.node ?? process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...opts.env }
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

export function runCliAsync(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

export interface Served {
  child: ChildProcess
  uiUrl: string
  baseUrl: string
  token: string
  output: () => string
  stop(): Promise<number | null>
}

/** The running instance's URL and token, from <data-dir>/instance.json. */
export function readInstanceToken(dataDir: string): { url: string; token: string } {
  const inst = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8')) as { url: string; token: string }
  return { url: inst.url, token: inst.token }
}

/** Starts `lwm2m-wb serve --http-port 0` and waits for its "Workbench UI:" line. */
export function serve(dataDir: string, extra: string[] = []): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--coaps-port', '0', '--bs-coaps-port', '0', '--data-dir', dataDir, ...extra])
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000)
    let started = false
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /Workbench UI: (\S+)/.exec(out)
      if (!m || started) return
      started = true
      clearTimeout(timer)
      // Piped stdout never carries the token (issue 12 item 20): it is in instance.json, which
      // serve writes before printing the URL.
      const baseUrl = (m[1] as string).replace(/#.*$/, '')
      const { token } = readInstanceToken(dataDir)
      resolve({
        child,
        uiUrl: `${baseUrl}#token=${token}`,
        baseUrl,
        token,
        output: () => out,
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null) return res(child.exitCode)
            child.once('exit', (code, signal) => res(code ?? (signal ? `signal ${signal}: ${out}` as never : null)))
            child.kill('SIGTERM')
          })
      })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d) => (out += d.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}: ${out}`))
    })
  })
}
