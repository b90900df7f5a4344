import { useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { errorMessage } from '../lib/api'
import { formatCPU, formatMemory, age } from '../lib/format'
import { usePoll } from '../lib/poll'
import { useClient } from '../lib/session'
import type { Cluster, List, VerifyResult } from '../lib/types'
import { hasErrors, validateIntegrate, type Errors } from '../lib/validate'
import { Dialog, ErrorBanner, Field, Page, PageHeader, Status, Table } from '../components/ui'

export function ClustersPage() {
  const client = useClient()
  const clusters = usePoll((signal) => client.get<List<Cluster>>('/clusters', signal), [])
  const [integrating, setIntegrating] = useState(false)
  const navigate = useNavigate()

  return (
    <Page name="clusters" ready={clusters.loaded}>
      <PageHeader
        title="Clusters"
        subtitle="Every cluster you may see; statuses refresh every 2 seconds."
        actions={
          <button className="button button-primary" onClick={() => setIntegrating(true)}>
            Integrate cluster
          </button>
        }
      />
      <ErrorBanner message={clusters.error} />
      <Table
        label="clusters"
        rows={clusters.data?.items}
        rowKey={(c) => c.metadata.name}
        empty="No cluster is visible to you."
        columns={[
          {
            title: 'Name',
            render: (c) => (
              <Link to={`/clusters/${c.metadata.name}`} className="strong">
                {c.metadata.name}
                {c.spec.alias && <span className="muted"> ({c.spec.alias})</span>}
              </Link>
            ),
          },
          { title: 'Phase', render: (c) => <Status value={c.status?.phase ?? 'Unknown'} /> },
          { title: 'Kubernetes', render: (c) => c.status?.kubernetesVersion ?? '—' },
          { title: 'Nodes', render: (c) => (c.status?.nodes ? `${c.status.nodes.ready}/${c.status.nodes.total} ready` : '—') },
          { title: 'CPU', render: (c) => formatCPU(c.status?.resources?.capacity?.cpu) },
          { title: 'Memory', render: (c) => formatMemory(c.status?.resources?.capacity?.memory) },
          { title: 'Pods', render: (c) => c.status?.podCount ?? '—' },
          { title: 'Provider', render: (c) => `${c.spec.provider ?? '—'} · ${c.spec.mode ?? '—'}` },
          { title: 'Last probe', render: (c) => (c.status?.lastProbeTime ? `${age(c.status.lastProbeTime)} ago` : '—') },
        ]}
      />
      {integrating && (
        <IntegrateDialog
          onClose={() => setIntegrating(false)}
          onDone={(name) => {
            setIntegrating(false)
            clusters.reload()
            navigate(`/clusters/${name}`)
          }}
        />
      )}
    </Page>
  )
}

function IntegrateDialog({ onClose, onDone }: { onClose: () => void; onDone: (name: string) => void }) {
  const client = useClient()
  const [name, setName] = useState('')
  const [alias, setAlias] = useState('')
  const [kubeconfig, setKubeconfig] = useState('')
  const [errors, setErrors] = useState<Errors<'name' | 'kubeconfig'>>({})
  const [error, setError] = useState<string | null>(null)
  const [verified, setVerified] = useState<VerifyResult | null>(null)
  const [busy, setBusy] = useState<'verify' | 'integrate' | null>(null)

  async function verify() {
    setVerified(null)
    setError(null)
    const kubeconfigError = validateIntegrate({ name: 'x', kubeconfig }).kubeconfig
    setErrors({ kubeconfig: kubeconfigError })
    if (kubeconfigError) return
    setBusy('verify')
    try {
      setVerified(await client.post<VerifyResult>('/verify', { kubeconfig }))
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(null)
    }
  }

  async function integrate() {
    setError(null)
    const found = validateIntegrate({ name, kubeconfig })
    setErrors(found)
    if (hasErrors(found)) return
    setBusy('integrate')
    try {
      await client.post('/clusters', { name, alias: alias || undefined, kubeconfig })
      onDone(name)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(null)
    }
  }

  return (
    <Dialog
      title="Integrate cluster"
      onClose={onClose}
      wide
      footer={
        <>
          <button className="button" onClick={verify} disabled={busy !== null}>
            {busy === 'verify' ? 'Verifying…' : 'Verify'}
          </button>
          <span className="spacer" />
          <button className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button className="button button-primary" onClick={integrate} disabled={busy !== null}>
            {busy === 'integrate' ? 'Integrating…' : 'Integrate'}
          </button>
        </>
      }
    >
      <ErrorBanner message={error} />
      {verified && (
        <div className="banner banner-ok" role="status">
          Reachable: {verified.server}, Kubernetes {verified.version}, kube-system {verified.kubeSystemID}
        </div>
      )}
      <div className="form-row">
        <Field label="Name" error={errors.name} hint="A DNS-1123 label, e.g. prod-east-1">
          <input name="name" value={name} onChange={(e) => setName(e.target.value.trim())} />
        </Field>
        <Field label="Alias (optional)">
          <input name="alias" value={alias} onChange={(e) => setAlias(e.target.value)} />
        </Field>
      </div>
      <Field label="Kubeconfig" error={errors.kubeconfig} hint="Stored in the Secret kpanda-system/<name>-secret of the global cluster; never shown again.">
        <textarea name="kubeconfig" rows={12} className="mono" value={kubeconfig} onChange={(e) => setKubeconfig(e.target.value)} spellCheck={false} />
      </Field>
    </Dialog>
  )
}
