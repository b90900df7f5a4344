import { useState, type FormEvent } from 'react'
import { errorMessage } from '../lib/api'
import { dateTime } from '../lib/format'
import { usePoll } from '../lib/poll'
import { useClient } from '../lib/session'
import type { Cluster, Explanation, Group, List, User, Workspace } from '../lib/types'
import { ErrorBanner, Field, Page, PageHeader, Status, Table } from '../components/ui'

export function PermissionsPage() {
  const client = useClient()
  // Users, groups and workspaces change rarely and by hand: a slower poll is enough.
  const users = usePoll((signal) => client.get<List<User>>('/users', signal), [], 10000)
  const groups = usePoll((signal) => client.get<List<Group>>('/groups', signal), [], 10000)
  const workspaces = usePoll((signal) => client.get<List<Workspace>>('/workspaces', signal), [], 10000)
  const clusters = usePoll((signal) => client.get<List<Cluster>>('/clusters', signal), [], 0)
  return (
    <Page name="permissions" ready={users.loaded && groups.loaded && workspaces.loaded}>
      <PageHeader title="Permissions" subtitle="Users, groups and workspaces of the platform, and why a user sees a cluster." />
      <ExplainForm users={users.data?.items ?? []} clusters={(clusters.data?.items ?? []).map((c) => c.metadata.name)} />
      <div className="grid-2">
        <section>
          <h2>Users</h2>
          <ErrorBanner message={users.error} />
          <Table
            label="users"
            rows={users.data?.items}
            rowKey={(u) => u.name}
            empty="No users."
            columns={[
              { title: 'Name', render: (u) => <span className="strong">{u.name}</span> },
              { title: 'Source', render: (u) => u.source },
              { title: 'State', render: (u) => <Status value={u.disabled ? 'Disabled' : 'Active'} /> },
              { title: 'Last login', render: (u) => dateTime(u.lastLoginTime) },
            ]}
          />
        </section>
        <section>
          <h2>Groups</h2>
          <ErrorBanner message={groups.error} />
          <Table
            label="groups"
            rows={groups.data?.items}
            rowKey={(g) => g.name}
            empty="No groups."
            columns={[
              { title: 'Name', render: (g) => <span className="strong">{g.name}</span> },
              { title: 'Members', render: (g) => g.members.join(', ') || '—', className: 'wide' },
            ]}
          />
        </section>
      </div>
      <h2>Workspaces</h2>
      <ErrorBanner message={workspaces.error} />
      <Table
        label="workspaces"
        rows={workspaces.data?.items}
        rowKey={(w) => w.metadata.name}
        empty="No workspaces."
        columns={[
          { title: 'Name', render: (w) => <span className="strong">{w.metadata.name}</span> },
          { title: 'Members', render: (w) => (w.spec?.members ?? []).map((m) => `${m.name} (${m.role})`).join(', ') || '—', className: 'wide' },
          { title: 'Namespaces', render: (w) => (w.spec?.resourceGroups ?? []).map((r) => `${r.cluster}/${r.namespace}`).join(', ') || '—', className: 'wide' },
          { title: 'Shared clusters', render: (w) => (w.spec?.sharedClusters ?? []).join(', ') || '—' },
        ]}
      />
    </Page>
  )
}

function ExplainForm({ users, clusters }: { users: User[]; clusters: string[] }) {
  const client = useClient()
  const [user, setUser] = useState('')
  const [cluster, setCluster] = useState('')
  const [namespace, setNamespace] = useState('')
  const [answer, setAnswer] = useState<Explanation | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function explain(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setAnswer(null)
    const query = new URLSearchParams({ user, cluster })
    if (namespace) query.set('namespace', namespace)
    try {
      setAnswer(await client.get<Explanation>(`/explain?${query}`))
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <form className="card" onSubmit={explain} aria-label="Explain visibility">
      <h2>Why does this user see this cluster?</h2>
      <div className="form-row form-row-4">
        <Field
          label="User"
          after={
            <datalist id="explain-users">
              {users.map((u) => (
                <option key={u.name} value={u.name} />
              ))}
            </datalist>
          }
        >
          <input name="user" value={user} onChange={(e) => setUser(e.target.value)} list="explain-users" />
        </Field>
        <Field label="Cluster">
          <select name="cluster" value={cluster} onChange={(e) => setCluster(e.target.value)}>
            <option value="">Choose…</option>
            {clusters.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label="Namespace (optional)">
          <input name="namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)} />
        </Field>
        <div className="field field-button">
          <button className="button button-primary" type="submit">
            Explain
          </button>
        </div>
      </div>
      <ErrorBanner message={error} />
      {answer && (
        <div className="explain" data-testid="explain-answer">
          <p>
            <strong>{answer.user}</strong> {answer.visible ? 'sees' : 'does not see'} <strong>{answer.cluster}</strong>
            {answer.namespace ? ` / ${answer.namespace}` : ''}
            {answer.visible ? ' because:' : '.'}
          </p>
          {answer.sources.length > 0 && (
            <ul>
              {answer.sources.map((s, i) => (
                <li key={i}>{s.description}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  )
}
