import { useState } from 'react'
import { NavLink, Route, Routes, useNavigate, useParams } from 'react-router-dom'
import { errorMessage, seg } from '../lib/api'
import { usePoll } from '../lib/poll'
import { useClient } from '../lib/session'
import type { Cluster } from '../lib/types'
import { GLOBAL_CLUSTER } from '../lib/validate'
import { Dialog, ErrorBanner, Field, Status } from '../components/ui'
import { OverviewTab } from './cluster/OverviewTab'
import { NodesTab } from './cluster/NodesTab'
import { NamespacesTab } from './cluster/NamespacesTab'
import { WorkloadsTab } from './cluster/WorkloadsTab'
import { ReposTab } from './cluster/ReposTab'
import { ChartsTab } from './cluster/ChartsTab'
import { AppsTab } from './cluster/AppsTab'
import { CustomResourcesTab } from './cluster/CustomResourcesTab'
import { SettingsTab } from './cluster/SettingsTab'

const tabs = [
  { path: '', label: 'Overview' },
  { path: 'nodes', label: 'Nodes' },
  { path: 'namespaces', label: 'Namespaces' },
  { path: 'workloads', label: 'Workloads' },
  { path: 'repos', label: 'Helm repos' },
  { path: 'charts', label: 'Charts' },
  { path: 'apps', label: 'Apps' },
  { path: 'crds', label: 'Custom resources' },
  { path: 'settings', label: 'Settings' },
]

export function ClusterPage() {
  const name = useParams().name!
  const client = useClient()
  const cluster = usePoll((signal) => client.get<Cluster>(`/clusters/${seg(name)}`, signal), [name])
  const [detaching, setDetaching] = useState(false)
  const base = `/clusters/${seg(name)}`

  return (
    <div className="cluster">
      <header className="page-header">
        <div className="page-title">
          <h1>
            {name} <Status value={cluster.data?.status?.phase ?? (cluster.loaded ? 'Unknown' : undefined)} />
          </h1>
          <p className="muted">
            {cluster.data
              ? `Kubernetes ${cluster.data.status?.kubernetesVersion ?? '—'} · ${cluster.data.spec.provider ?? '—'} · ${cluster.data.spec.mode ?? '—'} mode`
              : ' '}
          </p>
        </div>
        <div className="actions">
          <button
            className="button button-danger"
            onClick={() => setDetaching(true)}
            disabled={name === GLOBAL_CLUSTER}
            title={name === GLOBAL_CLUSTER ? 'The global service cluster can never be detached' : undefined}
          >
            Detach
          </button>
        </div>
      </header>
      <ErrorBanner message={cluster.error} />
      <nav className="tabs" aria-label="Cluster">
        {tabs.map((t) => (
          <NavLink key={t.path} to={t.path ? `${base}/${t.path}` : base} end={t.path === ''} className="tab">
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<OverviewTab cluster={cluster.data} loaded={cluster.loaded} />} />
        <Route path="nodes" element={<NodesTab cluster={name} />} />
        <Route path="namespaces" element={<NamespacesTab cluster={name} />} />
        <Route path="workloads" element={<WorkloadsTab cluster={name} />} />
        <Route path="repos" element={<ReposTab cluster={name} />} />
        <Route path="charts" element={<ChartsTab cluster={name} />} />
        <Route path="apps" element={<AppsTab cluster={name} />} />
        <Route path="crds" element={<CustomResourcesTab cluster={name} />} />
        <Route path="settings/*" element={<SettingsTab cluster={name} />} />
      </Routes>
      {detaching && <DetachDialog cluster={name} onClose={() => setDetaching(false)} />}
    </div>
  )
}

function DetachDialog({ cluster, onClose }: { cluster: string; onClose: () => void }) {
  const client = useClient()
  const navigate = useNavigate()
  const [typed, setTyped] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function detach() {
    setBusy(true)
    setError(null)
    try {
      await client.del(`/clusters/${seg(cluster)}?confirm=${encodeURIComponent(typed)}`)
      navigate('/clusters')
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog
      title={`Detach ${cluster}`}
      onClose={onClose}
      footer={
        <>
          <span className="spacer" />
          <button className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button className="button button-danger" onClick={detach} disabled={typed !== cluster || busy}>
            {busy ? 'Detaching…' : 'Detach'}
          </button>
        </>
      }
    >
      <ErrorBanner message={error} />
      <p>
        kpanda stops managing <strong>{cluster}</strong>: its Cluster object, kubeconfig Secret and settings go. The cluster itself
        and what runs in it stay as they are.
      </p>
      <Field label={`Type ${cluster} to confirm`}>
        <input name="confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </Field>
    </Dialog>
  )
}
