import { useState, type FormEvent } from 'react'
import { errorMessage } from '../lib/api'
import { dateTime } from '../lib/format'
import { grantRequest, grantScope, revokeRequest, ROLES, roleScope, splitMembers, validateGrant, type GrantForm } from '../lib/grants'
import { usePoll } from '../lib/poll'
import { useClient } from '../lib/session'
import type { Cluster, Explanation, Group, List, RoleGrant, User, Workspace } from '../lib/types'
import { hasErrors, type Errors } from '../lib/validate'
import { ErrorBanner, Field, Page, PageHeader, Status, Table } from '../components/ui'

export function PermissionsPage() {
  const client = useClient()
  // Users, groups and workspaces change rarely and by hand: a slower poll is enough.
  const users = usePoll((signal) => client.get<List<User>>('/users', signal), [], 10000)
  const groups = usePoll((signal) => client.get<List<Group>>('/groups', signal), [], 10000)
  const workspaces = usePoll((signal) => client.get<List<Workspace>>('/workspaces', signal), [], 10000)
  const grants = usePoll((signal) => client.get<List<RoleGrant>>('/grants', signal), [], 10000)
  const clusters = usePoll((signal) => client.get<List<Cluster>>('/clusters', signal), [], 0)
  const clusterNames = (clusters.data?.items ?? []).map((c) => c.metadata.name)
  const [revokeError, setRevokeError] = useState<string | null>(null)
  const [revoking, setRevoking] = useState<string | null>(null)

  async function revoke(grant: RoleGrant) {
    const { role, subject } = grant.spec
    // Revoking one's own admin grant locks one out of this page: always ask.
    if (!window.confirm(`Revoke ${role} (${grantScope(grant)}) from ${subject.kind === 'Group' ? 'group' : 'user'} ${subject.name}?`)) return
    setRevokeError(null)
    setRevoking(grant.metadata.name)
    try {
      await client.post('/revoke', revokeRequest(grant))
      grants.reload()
    } catch (err) {
      setRevokeError(errorMessage(err))
    } finally {
      setRevoking(null)
    }
  }

  return (
    <Page name="permissions" ready={users.loaded && groups.loaded && workspaces.loaded && grants.loaded}>
      <PageHeader title="Permissions" subtitle="Users, groups, role grants and workspaces of the platform, and why a user sees a cluster." />
      <ExplainForm users={users.data?.items ?? []} clusters={clusterNames} />
      <div className="forms-3">
        <CreateUserForm onCreated={users.reload} />
        <CreateGroupForm users={users.data?.items ?? []} onCreated={groups.reload} />
        <GrantRoleForm users={users.data?.items ?? []} groups={groups.data?.items ?? []} clusters={clusterNames} onGranted={grants.reload} />
      </div>
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
      <h2>Role grants</h2>
      <ErrorBanner message={revokeError ?? grants.error} />
      <Table
        label="grants"
        rows={grants.data?.items}
        rowKey={(g) => g.metadata.name}
        empty="No role grants."
        columns={[
          { title: 'Role', render: (g) => <span className="strong">{g.spec.role}</span> },
          { title: 'Subject', render: (g) => `${g.spec.subject.kind === 'Group' ? 'group' : 'user'} ${g.spec.subject.name}` },
          { title: 'Scope', render: (g) => grantScope(g), className: 'wide' },
          { title: 'Granted', render: (g) => dateTime(g.metadata.creationTimestamp) },
          {
            title: 'Actions',
            className: 'actions-cell',
            render: (g) => (
              <button className="button button-danger button-small" disabled={revoking === g.metadata.name} onClick={() => revoke(g)}>
                Revoke
              </button>
            ),
          },
        ]}
      />
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

function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const client = useClient()
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function create(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setDone(null)
    setBusy(true)
    try {
      await client.post('/users', { name: name.trim(), password })
      setDone(`Created user ${name.trim()}.`)
      setName('')
      setPassword('')
      onCreated()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={create} aria-label="Create user">
      <h2>Create user</h2>
      <Field label="Name">
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required />
      </Field>
      <Field label="Password" hint="1 to 72 bytes">
        <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />
      </Field>
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={busy}>
          Create user
        </button>
      </div>
      <Outcome error={error} done={done} />
    </form>
  )
}

function CreateGroupForm({ users, onCreated }: { users: User[]; onCreated: () => void }) {
  const client = useClient()
  const [name, setName] = useState('')
  const [members, setMembers] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function create(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setDone(null)
    setBusy(true)
    try {
      await client.post('/groups', { name: name.trim(), members: splitMembers(members) })
      setDone(`Created group ${name.trim()}.`)
      setName('')
      setMembers('')
      onCreated()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={create} aria-label="Create group">
      <h2>Create group</h2>
      <Field label="Name">
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required />
      </Field>
      <Field label="Members" hint={users.length > 0 ? `user names, comma-separated (e.g. ${users[0].name})` : 'user names, comma-separated'}>
        <input name="members" value={members} onChange={(e) => setMembers(e.target.value)} autoComplete="off" />
      </Field>
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={busy}>
          Create group
        </button>
      </div>
      <Outcome error={error} done={done} />
    </form>
  )
}

const emptyGrant: GrantForm = { role: 'ns-viewer', subjectKind: 'user', subject: '', cluster: '', namespace: '' }

function GrantRoleForm({ users, groups, clusters, onGranted }: { users: User[]; groups: Group[]; clusters: string[]; onGranted: () => void }) {
  const client = useClient()
  const [form, setForm] = useState<GrantForm>(emptyGrant)
  const [errors, setErrors] = useState<Errors<keyof GrantForm>>({})
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const scope = roleScope(form.role)
  const set = (patch: Partial<GrantForm>) => setForm({ ...form, ...patch })
  const subjects = form.subjectKind === 'user' ? users.map((u) => u.name) : groups.map((g) => g.name)

  async function grant(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setDone(null)
    const found = validateGrant(form)
    setErrors(found)
    if (hasErrors(found)) return
    setBusy(true)
    try {
      await client.post('/grants', grantRequest(form))
      setDone(`Granted ${form.role} to ${form.subjectKind} ${form.subject.trim()}.`)
      setForm({ ...form, subject: '' })
      onGranted()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={grant} aria-label="Grant role" noValidate>
      <h2>Grant role</h2>
      <div className="form-row">
        <Field label="Role" error={errors.role}>
          <select name="role" value={form.role} onChange={(e) => set({ role: e.target.value })}>
            {(['platform', 'cluster', 'namespace'] as const).map((s) => (
              <optgroup key={s} label={`${s} roles`}>
                {ROLES.filter((r) => r.scope === s).map((r) => (
                  <option key={r.role}>{r.role}</option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <Field label="Grant to">
          <select name="subjectKind" value={form.subjectKind} onChange={(e) => set({ subjectKind: e.target.value as GrantForm['subjectKind'], subject: '' })}>
            <option value="user">user</option>
            <option value="group">group</option>
          </select>
        </Field>
        <Field
          label={form.subjectKind === 'user' ? 'User' : 'Group'}
          error={errors.subject}
          after={
            <datalist id="grant-subjects">
              {subjects.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          }
        >
          <input name="subject" value={form.subject} onChange={(e) => set({ subject: e.target.value })} list="grant-subjects" autoComplete="off" />
        </Field>
      </div>
      <div className="form-row">
        <Field label="Cluster" error={errors.cluster} hint={scope === 'platform' ? 'platform roles apply everywhere' : undefined}>
          <select name="cluster" value={scope === 'platform' ? '' : form.cluster} onChange={(e) => set({ cluster: e.target.value })} disabled={scope === 'platform'}>
            <option value="">{scope === 'platform' ? '—' : 'Choose…'}</option>
            {clusters.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label="Namespace" error={errors.namespace}>
          <input
            name="namespace"
            value={scope === 'namespace' ? form.namespace : ''}
            onChange={(e) => set({ namespace: e.target.value })}
            disabled={scope !== 'namespace'}
            placeholder={scope === 'namespace' ? '' : 'namespace roles only'}
          />
        </Field>
      </div>
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={busy}>
          Grant
        </button>
      </div>
      <Outcome error={error} done={done} />
    </form>
  )
}

/** Outcome is the API's refusal, or what was done. */
function Outcome({ error, done }: { error: string | null; done: string | null }) {
  if (error) return <ErrorBanner message={error} />
  if (done) {
    return (
      <div className="banner banner-ok" role="status">
        {done}
      </div>
    )
  }
  return <div className="outcome-space" />
}
