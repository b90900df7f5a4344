import { describe, expect, it } from 'vitest'
import { diffStats, parseUnifiedDiff } from './diff'

describe('parseUnifiedDiff', () => {
  it('numbers lines from the hunk header in the old and new values', () => {
    const diff = [
      '--- values of revision 1',
      '+++ values of revision 2',
      '@@ -2,3 +2,4 @@',
      ' image: web',
      '-replicas: 1',
      '+replicas: 3',
      '+port: 8080',
      ' tag: v1',
      '',
    ].join('\n')
    const lines = parseUnifiedDiff(diff)
    expect(lines.map((l) => l.kind)).toEqual(['file', 'file', 'hunk', 'context', 'del', 'add', 'add', 'context'])
    expect(lines[3]).toEqual({ kind: 'context', text: 'image: web', oldLine: 2, newLine: 2 })
    expect(lines[4]).toEqual({ kind: 'del', text: 'replicas: 1', oldLine: 3 })
    expect(lines[5]).toEqual({ kind: 'add', text: 'replicas: 3', newLine: 3 })
    expect(lines[6]).toEqual({ kind: 'add', text: 'port: 8080', newLine: 4 })
    expect(lines[7]).toEqual({ kind: 'context', text: 'tag: v1', oldLine: 4, newLine: 5 })
    expect(diffStats(lines)).toEqual({ added: 2, removed: 1 })
  })

  it('restarts numbering at each hunk and keeps a removed line that looks like a header', () => {
    const diff = '@@ -1 +1 @@\n--- a\n+--- b\n@@ -10,1 +10,1 @@\n-x\n+y\n'
    const lines = parseUnifiedDiff(diff)
    expect(lines[1]).toEqual({ kind: 'del', text: '-- a', oldLine: 1 })
    expect(lines[2]).toEqual({ kind: 'add', text: '--- b', newLine: 1 })
    expect(lines[4]).toEqual({ kind: 'del', text: 'x', oldLine: 10 })
    expect(lines[5]).toEqual({ kind: 'add', text: 'y', newLine: 10 })
  })

  it('has no lines for an empty diff (values unchanged)', () => {
    expect(parseUnifiedDiff('')).toEqual([])
  })

  it('marks the no-newline note apart from the values', () => {
    const lines = parseUnifiedDiff('@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\r\n')
    expect(lines.map((l) => l.kind)).toEqual(['hunk', 'del', 'note', 'add'])
    expect(lines[3].text).toBe('b')
  })
})
