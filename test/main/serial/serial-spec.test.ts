// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { parseSerialSpec } from '../../../src-main/cli/serial-spec'

describe('serve --serial PATH[:BAUD][:slipmux|raw]', () => {
  it('defaults to 115200 baud and slipmux (draft §2)', () => {
    expect(parseSerialSpec('/dev/ttyUSB0')).toEqual({ path: '/dev/ttyUSB0', baudRate: 115200, framing: 'slipmux' })
  })
  it('takes a baud rate and a framing, read from the right', () => {
    expect(parseSerialSpec('/dev/ttyACM0:9600:raw')).toEqual({ path: '/dev/ttyACM0', baudRate: 9600, framing: 'raw' })
    expect(parseSerialSpec('COM3:raw')).toEqual({ path: 'COM3', baudRate: 115200, framing: 'raw' })
    expect(parseSerialSpec('/dev/serial/by-path/pci-0:1.2:1.0:57600')).toEqual({ path: '/dev/serial/by-path/pci-0:1.2:1.0', baudRate: 57600, framing: 'slipmux' })
  })
  it('refuses an empty path and an impossible baud rate', () => {
    expect(() => parseSerialSpec(':9600')).toThrow(/port path/)
    expect(() => parseSerialSpec('/dev/x:10')).toThrow(/baud rate/)
  })
})
