// Rendering of the unified diff an upgrade answers (valuesDiff): each line classified and
// numbered in the old and the new values, as `diff -u` shows them.

export type DiffKind = 'file' | 'hunk' | 'add' | 'del' | 'context' | 'note'

export interface DiffLine {
  kind: DiffKind
  /** text is the line without its diff marker. */
  text: string
  oldLine?: number
  newLine?: number
}

const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/

/** parseUnifiedDiff splits a unified diff into lines; an empty diff has no lines. */
export function parseUnifiedDiff(diff: string): DiffLine[] {
  const lines: DiffLine[] = []
  let oldLine = 0
  let newLine = 0
  let inHunk = false
  const raw = diff.replace(/\r\n/g, '\n').split('\n')
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop()
  for (const line of raw) {
    const header = hunkHeader.exec(line)
    if (header) {
      oldLine = Number(header[1])
      newLine = Number(header[3])
      inHunk = true
      lines.push({ kind: 'hunk', text: line })
      continue
    }
    if (!inHunk && (line.startsWith('--- ') || line.startsWith('+++ '))) {
      lines.push({ kind: 'file', text: line })
      continue
    }
    if (line.startsWith('\\')) {
      lines.push({ kind: 'note', text: line }) // "\ No newline at end of file"
      continue
    }
    const marker = line.charAt(0)
    const text = line.slice(1)
    if (marker === '+') {
      lines.push({ kind: 'add', text, newLine: newLine++ })
    } else if (marker === '-') {
      lines.push({ kind: 'del', text, oldLine: oldLine++ })
    } else {
      lines.push({ kind: 'context', text: marker === ' ' ? text : line, oldLine: oldLine++, newLine: newLine++ })
    }
  }
  return lines
}

/** diffStats counts the added and removed lines. */
export function diffStats(lines: DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === 'add').length,
    removed: lines.filter((l) => l.kind === 'del').length,
  }
}
