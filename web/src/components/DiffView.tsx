import { diffStats, parseUnifiedDiff } from '../lib/diff'

/** DiffView shows a unified diff of Helm values with line numbers and colours. */
export function DiffView({ diff }: { diff: string }) {
  const lines = parseUnifiedDiff(diff)
  if (lines.length === 0) return <p className="muted">The values did not change.</p>
  const { added, removed } = diffStats(lines)
  return (
    <div className="diff" aria-label="values diff">
      <div className="diff-stats">
        <span className="diff-added">+{added}</span> <span className="diff-removed">−{removed}</span>
      </div>
      <pre>
        {lines.map((line, i) => (
          <div key={i} className={`diff-line diff-${line.kind}`}>
            <span className="diff-no">{line.oldLine ?? ''}</span>
            <span className="diff-no">{line.newLine ?? ''}</span>
            <span className="diff-text">
              {line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : line.kind === 'context' ? ' ' : ''}
              {line.text}
            </span>
          </div>
        ))}
      </pre>
    </div>
  )
}
