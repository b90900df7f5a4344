// Small building blocks shared by the pages.
import { cloneElement, useEffect, useId, useRef, type ReactElement, type ReactNode } from 'react'

/** Page is the root of every page; data-ready tells tests (and screen readers via aria-busy) that its data arrived. */
export function Page({ name, ready, children }: { name: string; ready: boolean; children: ReactNode }) {
  return (
    <section className="page" data-page={name} data-ready={ready ? 'true' : 'false'} aria-busy={!ready}>
      {children}
    </section>
  )
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-title">
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  )
}

export function ErrorBanner({ message }: { message?: string | null }) {
  if (!message) return null
  return (
    <div className="banner banner-error" role="alert">
      {message}
    </div>
  )
}

export function Notice({ children }: { children: ReactNode }) {
  return <div className="banner banner-info">{children}</div>
}

const goodWords = new Set(['Running', 'Deployed', 'Ready', 'Active', 'Succeeded', 'True', 'Completed', 'deployed', 'Started'])
const quietWords = new Set(['superseded', 'uninstalled'])
const badWords = new Set(['Failed', 'Abnormal', 'Not Ready', 'NotReady', 'False', 'Unknown', 'failed', 'Offline', 'Unreachable', 'Stopped'])

/** statusTone is the colour family of a status word. */
export function statusTone(status: string | undefined): 'good' | 'bad' | 'busy' | 'none' {
  if (!status) return 'none'
  if (goodWords.has(status)) return 'good'
  if (quietWords.has(status)) return 'none'
  if (badWords.has(status)) return 'bad'
  return 'busy'
}

export function Status({ value }: { value?: string }) {
  return <span className={`status status-${statusTone(value)}`}>{value || '—'}</span>
}

export function Dialog({ title, onClose, children, footer, wide }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose
  // Once, on opening: callers pass a new onClose on every render (a poll re-renders every
  // 2 s), and focusing the first control again then would steal the focus from the field
  // being typed in.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCloseRef.current()
    document.addEventListener('keydown', onKey)
    ref.current?.querySelector<HTMLElement>('input, textarea, select')?.focus()
    return () => document.removeEventListener('keydown', onKey)
  }, [])
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog ${wide ? 'dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <header className="dialog-header">
          <h2>{title}</h2>
          <button className="icon-button" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>
  )
}

/**
 * Field labels one control. The label names the control alone (hint and error are tied to it
 * with aria-describedby), so assistive technology and tests find it by its label.
 */
export function Field({ label, error, hint, children, after }: { label: string; error?: string; hint?: ReactNode; children: ReactElement<Record<string, unknown>>; after?: ReactNode }) {
  const id = useId()
  const noteId = `${id}-note`
  const control = cloneElement(children, {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error || hint ? noteId : undefined,
  })
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {control}
      {after}
      {hint && !error && (
        <span className="field-hint" id={noteId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={noteId}>
          {error}
        </span>
      )}
    </div>
  )
}

/** Table renders rows, or one row saying there are none. */
export function Table<T>({
  columns,
  rows,
  rowKey,
  empty,
  label,
}: {
  columns: { title: string; render: (row: T) => ReactNode; className?: string }[]
  rows: T[] | undefined
  rowKey: (row: T) => string
  empty: string
  label: string
}) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.title} className={c.className}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows === undefined ? (
            <tr>
              <td colSpan={columns.length} className="muted">
                Loading…
              </td>
            </tr>
          ) : rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="muted">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} data-row={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.title} className={c.className}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  )
}

export function Stat({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {detail && <span className="stat-detail muted">{detail}</span>}
    </div>
  )
}
