import { describe, expect, it } from 'vitest'
import { age, formatCPU, formatMemory, parseQuantity } from './format'

describe('quantities', () => {
  it.each([
    ['64', 64],
    ['500m', 0.5],
    ['512Gi', 512 * 2 ** 30],
    ['1.5k', 1500],
    ['12x', undefined],
    ['', undefined],
  ])('parses %j', (q, want) => {
    expect(parseQuantity(q)).toBe(want)
  })
  it('formats CPU and memory', () => {
    expect(formatCPU('64')).toBe('64 cores')
    expect(formatCPU('1')).toBe('1 core')
    expect(formatCPU('250m')).toBe('0.3 cores')
    expect(formatMemory('512Gi')).toBe('512 GiB')
    expect(formatMemory('1536Mi')).toBe('1.5 GiB')
    expect(formatMemory(undefined)).toBe('—')
  })
})

describe('age', () => {
  const now = Date.parse('2026-01-01T12:00:00Z')
  it.each([
    ['2026-01-01T11:59:15Z', '45s'],
    ['2026-01-01T11:57:00Z', '3m'],
    ['2026-01-01T10:00:00Z', '2h'],
    ['2025-12-27T12:00:00Z', '5d'],
  ])('of %s', (time, want) => {
    expect(age(time, now)).toBe(want)
  })
})
