// Keys and certificates for credential tests, made by the real openssl (Debian's) in a temp dir:
// a CA, a device certificate it issued (CN = the endpoint), and one of the same name from another CA
// (expiry is tested by checking at a later `now`: OpenSSL 3.0 cannot backdate).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './temp-dir'

export interface TestPki {
  readonly caPem: string
  readonly devicePem: string
  readonly deviceKeyPem: string
  readonly devicePublicPem: string
  readonly otherCaPem: string
  readonly otherDevicePem: string
  der(pem: string): Uint8Array
}

export function makePki(cn = 'pki-dev'): TestPki {
  const d = tempDir('lwm2m-pki-')
  const f = (n: string) => join(d.path, n)
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: d.path, stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const ca = (name: string) => {
      ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.key`))
      ossl('req', '-x509', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${name}`, '-days', '30', '-out', f(`${name}.pem`))
    }
    ca('Test CA')
    ca('Other CA')
    const leaf = (name: string, issuer: string, subjectCn: string, days: string) => {
      ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.key`))
      ossl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${subjectCn}`, '-out', f(`${name}.csr`))
      ossl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${issuer}.pem`), '-CAkey', f(`${issuer}.key`), '-CAcreateserial', '-days', days, '-out', f(`${name}.pem`))
    }
    leaf('device', 'Test CA', cn, '30')
    leaf('other', 'Other CA', cn, '30')
    ossl('pkey', '-in', f('device.key'), '-pubout', '-out', f('device.pub'))
    ossl('pkcs8', '-topk8', '-nocrypt', '-in', f('device.key'), '-out', f('device.p8'))
    const read = (n: string) => readFileSync(f(n), 'utf8')
    return {
      caPem: read('Test CA.pem'),
      devicePem: read('device.pem'),
      deviceKeyPem: read('device.p8'),
      devicePublicPem: read('device.pub'),
      otherCaPem: read('Other CA.pem'),
      otherDevicePem: read('other.pem'),
      der: (pem) => {
        const body = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END/.exec(pem)?.[1] ?? ''
        return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'))
      }
    }
  } finally {
    d.cleanup()
  }
}
