import { useState, type FormEvent } from 'react'
import { useNavigate, useSearchParams } from 'react-router-dom'
import { errorMessage } from '../lib/api'
import { useSession } from '../lib/session'
import { ErrorBanner, Field } from '../components/ui'

export function LoginPage() {
  const { login, expiredReason } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!username || !password) {
      setError('Enter your username and password.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      await login(username, password)
      const next = params.get('next')
      navigate(next && next.startsWith('/') ? next : '/clusters', { replace: true })
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="login-screen" data-page="login" data-ready="true">
      <form className="login-card" onSubmit={submit} aria-label="Log in">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <h1>kpanda</h1>
            <p className="muted">Multi-cluster Kubernetes management</p>
          </div>
        </div>
        {expiredReason && !error && <div className="banner banner-info">Your session ended: {expiredReason}</div>}
        <ErrorBanner message={error} />
        <Field label="Username">
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button className="button button-primary button-block" type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted small">
          Local users log in here; <code>kpanda dev</code> prints the admin password.
        </p>
      </form>
    </div>
  )
}
