import { useState } from 'react'
import { errorMessage, seg } from '../../lib/api'
import { age } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { HelmRepo, List } from '../../lib/types'
import { hasErrors, validateRepo, type Errors, type RepoForm } from '../../lib/validate'
import { Dialog, ErrorBanner, Field, Notice, Page, Status, Table } from '../../components/ui'

export function ReposTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const base = `/clusters/${seg(cluster)}/helmrepos`
  const repos = usePoll((signal) => client.get<List<HelmRepo>>(base, signal), [cluster])
  const [adding, setAdding] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)

  async function refresh(name: string) {
    setBusy(name)
    setError(null)
    setNotice(null)
    try {
      const repo = await client.post<HelmRepo>(`${base}/${seg(name)}/refresh?wait=true`)
      setNotice(repo.ready ? `Refreshed ${name}: ${repo.chartCount} chart${repo.chartCount === 1 ? '' : 's'}.` : `Refreshed ${name}: ${repo.message ?? 'not ready'}`)
      repos.reload()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(null)
    }
  }

  async function remove(name: string) {
    if (!window.confirm(`Delete the Helm repo ${name} from ${cluster}? Installed apps stay.`)) return
    setBusy(name)
    setError(null)
    try {
      await client.del(`${base}/${seg(name)}`)
      repos.reload()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(null)
    }
  }

  return (
    <Page name="cluster-repos" ready={repos.loaded}>
      <div className="toolbar">
        <span className="muted">Chart repositories of this cluster, refreshed on the interval of its settings and on demand.</span>
        <span className="spacer" />
        <button className="button button-primary" onClick={() => setAdding(true)}>
          Add repo
        </button>
      </div>
      <ErrorBanner message={error ?? repos.error} />
      {notice && <Notice>{notice}</Notice>}
      <Table
        label="helm repos"
        rows={repos.data?.items}
        rowKey={(r) => r.name}
        empty="No Helm repo yet: add one."
        columns={[
          { title: 'Name', render: (r) => r.name, className: 'strong' },
          { title: 'URL', render: (r) => <span className="mono">{r.url}</span>, className: 'wide' },
          { title: 'Status', render: (r) => <Status value={r.ready ? 'Ready' : r.lastRefreshTime ? 'Failed' : 'Waiting'} /> },
          { title: 'Charts', render: (r) => r.chartCount },
          { title: 'Auth', render: (r) => (r.authenticated ? 'basic' : '—') },
          { title: 'Last refresh', render: (r) => (r.lastRefreshTime ? `${age(r.lastRefreshTime)} ago` : '—') },
          { title: 'Message', render: (r) => r.message ?? '', className: 'wide' },
          {
            title: 'Actions',
            className: 'actions-cell',
            render: (r) => (
              <>
                <button className="button button-small" onClick={() => refresh(r.name)} disabled={busy === r.name}>
                  {busy === r.name ? 'Refreshing…' : 'Refresh'}
                </button>
                <button className="button button-small button-quiet" onClick={() => remove(r.name)} disabled={busy === r.name}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {adding && (
        <AddRepoDialog
          cluster={cluster}
          onClose={() => setAdding(false)}
          onDone={() => {
            setAdding(false)
            repos.reload()
          }}
        />
      )}
    </Page>
  )
}

function AddRepoDialog({ cluster, onClose, onDone }: { cluster: string; onClose: () => void; onDone: () => void }) {
  const client = useClient()
  const [form, setForm] = useState<RepoForm>({ name: '', url: '', username: '', password: '' })
  const [errors, setErrors] = useState<Errors<keyof RepoForm>>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (field: keyof RepoForm) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value })

  async function add() {
    const found = validateRepo(form)
    setErrors(found)
    setError(null)
    if (hasErrors(found)) return
    setBusy(true)
    try {
      await client.post(`/clusters/${seg(cluster)}/helmrepos`, {
        name: form.name,
        url: form.url,
        username: form.username || undefined,
        password: form.password || undefined,
      })
      onDone()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Add Helm repo"
      onClose={onClose}
      footer={
        <>
          <span className="spacer" />
          <button className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button className="button button-primary" onClick={add} disabled={busy}>
            {busy ? 'Adding…' : 'Add'}
          </button>
        </>
      }
    >
      <ErrorBanner message={error} />
      <Field label="Name" error={errors.name}>
        <input name="name" value={form.name} onChange={set('name')} />
      </Field>
      <Field label="URL" error={errors.url} hint="The repository's base URL, where index.yaml is">
        <input name="url" value={form.url} onChange={set('url')} placeholder="https://charts.example.com" />
      </Field>
      <div className="form-row">
        <Field label="Username (optional)" error={errors.username}>
          <input name="username" value={form.username} onChange={set('username')} autoComplete="off" />
        </Field>
        <Field label="Password (optional)" error={errors.password}>
          <input name="password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" />
        </Field>
      </div>
      <p className="muted small">Credentials are kept in a Secret of the member cluster and never shown again.</p>
    </Dialog>
  )
}
