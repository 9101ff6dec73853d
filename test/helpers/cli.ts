// Runs the real `lwm2m-wb` bin (the built bundle, as users run it) in a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
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

/** Starts `lwm2m-wb serve --http-port 0` and waits for its "Workbench UI:" line. */
export function serve(dataDir: string, extra: string[] = []): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--data-dir', dataDir, ...extra])
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /Workbench UI: (\S+)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      const uiUrl = m[1] as string
      const token = /#token=(.+)$/.exec(uiUrl)?.[1] ?? ''
      resolve({
        child,
        uiUrl,
        baseUrl: uiUrl.replace(/#.*$/, ''),
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
