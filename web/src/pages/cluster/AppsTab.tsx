import { useState } from 'react'
import { useSearchParams } from 'react-router-dom'
import { errorMessage, seg } from '../../lib/api'
import { age, dateTime } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { ChartDetail, ChartList, HelmRelease, List, Namespace, Operation, Revision, UpgradeResult } from '../../lib/types'
import { hasErrors, splitChart, validateInstall, type Errors, type InstallForm } from '../../lib/validate'
import { DiffView } from '../../components/DiffView'
import { Dialog, ErrorBanner, Field, Page, Status, Table } from '../../components/ui'

type Dialogs = { kind: 'install' } | { kind: 'upgrade'; release: HelmRelease } | { kind: 'history'; release: HelmRelease } | null

export function AppsTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const [params, setParams] = useSearchParams()
  const releases = usePoll((signal) => client.get<List<HelmRelease>>(`/clusters/${seg(cluster)}/helmreleases`, signal), [cluster])
  const [dialog, setDialog] = useState<Dialogs>(params.get('install') ? { kind: 'install' } : null)
  const [error, setError] = useState<string | null>(null)

  function close() {
    setDialog(null)
    if (params.has('install')) setParams({})
  }

  async function uninstall(rel: HelmRelease) {
    const { name, namespace } = rel.metadata
    if (!window.confirm(`Uninstall the app ${name} from ${namespace}? Helm removes everything it installed.`)) return
    setError(null)
    try {
      await client.del(releasePath(cluster, rel))
      releases.reload()
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <Page name="cluster-apps" ready={releases.loaded}>
      <div className="toolbar">
        <span className="muted">Helm apps of this cluster; statuses refresh every 2 seconds.</span>
        <span className="spacer" />
        <button className="button button-primary" onClick={() => setDialog({ kind: 'install' })}>
          Install app
        </button>
      </div>
      <ErrorBanner message={error ?? releases.error} />
      <Table
        label="apps"
        rows={releases.data?.items}
        rowKey={(r) => `${r.metadata.namespace}/${r.metadata.name}`}
        empty="No app installed."
        columns={[
          { title: 'Name', render: (r) => r.metadata.name, className: 'strong' },
          { title: 'Namespace', render: (r) => r.metadata.namespace },
          { title: 'Chart', render: (r) => `${r.spec.chart.repo}/${r.spec.chart.name}` },
          { title: 'Version', render: (r) => r.status?.chartVersion ?? r.spec.chart.version ?? '—' },
          { title: 'Status', render: (r) => <Status value={r.metadata.deletionTimestamp ? 'Uninstalling' : (r.status?.phase ?? 'Waiting')} /> },
          { title: 'Revision', render: (r) => r.status?.revision ?? '—' },
          { title: 'Message', render: (r) => r.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '', className: 'wide' },
          { title: 'Age', render: (r) => age(r.metadata.creationTimestamp) },
          {
            title: 'Actions',
            className: 'actions-cell',
            render: (r) => (
              <>
                <button className="button button-small" onClick={() => setDialog({ kind: 'upgrade', release: r })}>
                  Upgrade
                </button>
                <button className="button button-small" onClick={() => setDialog({ kind: 'history', release: r })}>
                  History
                </button>
                <button className="button button-small button-quiet" onClick={() => uninstall(r)}>
                  Uninstall
                </button>
              </>
            ),
          },
        ]}
      />
      {dialog?.kind === 'install' && (
        <InstallDialog
          cluster={cluster}
          initialChart={params.get('install') ?? ''}
          initialVersion={params.get('version') ?? ''}
          onClose={close}
          onDone={() => {
            close()
            releases.reload()
          }}
        />
      )}
      {dialog?.kind === 'upgrade' && <UpgradeDialog cluster={cluster} release={dialog.release} onClose={close} onDone={releases.reload} />}
      {dialog?.kind === 'history' && <HistoryDialog cluster={cluster} release={dialog.release} onClose={close} />}
    </Page>
  )
}

function releasePath(cluster: string, rel: HelmRelease): string {
  return `/clusters/${seg(cluster)}/namespaces/${seg(rel.metadata.namespace ?? '')}/helmreleases/${seg(rel.metadata.name)}`
}

/** useChartVersions lists the versions of one chart, newest first as the API answers them. */
function useChartVersions(cluster: string, chart: string) {
  const client = useClient()
  return usePoll(
    async (signal) => {
      const ref = splitChart(chart)
      if (!ref) return [] as string[]
      const list = await client.get<ChartList>(`/clusters/${seg(cluster)}/helmrepos/${seg(ref.repo)}/charts/${seg(ref.name)}`, signal)
      return list.items.map((v) => v.version)
    },
    [cluster, chart],
    0,
  )
}

function InstallDialog({
  cluster,
  initialChart,
  initialVersion,
  onClose,
  onDone,
}: {
  cluster: string
  initialChart: string
  initialVersion: string
  onClose: () => void
  onDone: () => void
}) {
  const client = useClient()
  const [form, setForm] = useState<InstallForm>({ name: '', namespace: 'default', chart: initialChart, version: initialVersion, values: '' })
  const [errors, setErrors] = useState<Errors<keyof InstallForm>>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const charts = usePoll((signal) => client.get<ChartList>(`/clusters/${seg(cluster)}/charts`, signal), [cluster], 0)
  const namespaces = usePoll((signal) => client.get<List<Namespace>>(`/clusters/${seg(cluster)}/namespaces`, signal), [cluster], 0)
  const versions = useChartVersions(cluster, form.chart)
  const chartNames = [...new Set((charts.data?.items ?? []).map((c) => `${c.repo}/${c.name}`))]
  if (form.chart && !chartNames.includes(form.chart)) chartNames.unshift(form.chart)
  const set = (field: keyof InstallForm) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value })

  async function loadDefaults() {
    const ref = splitChart(form.chart)
    if (!ref || !form.version) {
      setErrors({ ...errors, version: 'choose a chart and a version first' })
      return
    }
    try {
      const detail = await client.get<ChartDetail>(`/clusters/${seg(cluster)}/helmrepos/${seg(ref.repo)}/charts/${seg(ref.name)}/versions/${seg(form.version)}`)
      setForm({ ...form, values: detail.values })
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  async function install() {
    const found = validateInstall(form)
    setErrors(found)
    setError(null)
    if (hasErrors(found)) return
    const ref = splitChart(form.chart)!
    setBusy(true)
    try {
      await client.post(`/clusters/${seg(cluster)}/namespaces/${seg(form.namespace)}/helmreleases`, {
        name: form.name,
        chart: { repo: ref.repo, name: ref.name, version: form.version || undefined },
        values: form.values || undefined,
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
      title="Install app"
      wide
      onClose={onClose}
      footer={
        <>
          <button className="button" onClick={loadDefaults}>
            Load chart values
          </button>
          <span className="spacer" />
          <button className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button className="button button-primary" onClick={install} disabled={busy}>
            {busy ? 'Installing…' : 'Install'}
          </button>
        </>
      }
    >
      <ErrorBanner message={error ?? charts.error} />
      <div className="form-row">
        <Field label="Name" error={errors.name}>
          <input name="name" value={form.name} onChange={set('name')} />
        </Field>
        <Field
          label="Namespace"
          error={errors.namespace}
          after={
            <datalist id="install-namespaces">
              {namespaces.data?.items.map((n) => <option key={n.name} value={n.name} />)}
            </datalist>
          }
        >
          <input name="namespace" value={form.namespace} onChange={set('namespace')} list="install-namespaces" />
        </Field>
      </div>
      <div className="form-row">
        <Field label="Chart" error={errors.chart}>
          <select name="chart" value={form.chart} onChange={(e) => setForm({ ...form, chart: e.target.value, version: '' })}>
            <option value="">Choose a chart…</option>
            {chartNames.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label="Version" error={errors.version} hint="Empty: the newest, pinned at install">
          <select name="version" value={form.version} onChange={set('version')}>
            <option value="">Newest</option>
            {(versions.data ?? (form.version ? [form.version] : [])).map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="Values (YAML)" error={errors.values}>
        <textarea name="values" rows={10} className="mono" value={form.values} onChange={set('values')} spellCheck={false} />
      </Field>
    </Dialog>
  )
}

function UpgradeDialog({ cluster, release, onClose, onDone }: { cluster: string; release: HelmRelease; onClose: () => void; onDone: () => void }) {
  const client = useClient()
  const chart = `${release.spec.chart.repo}/${release.spec.chart.name}`
  const versions = useChartVersions(cluster, chart)
  const [version, setVersion] = useState(release.status?.chartVersion ?? release.spec.chart.version ?? '')
  const [values, setValues] = useState(release.spec.values ?? '')
  const [result, setResult] = useState<UpgradeResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function upgrade() {
    if (values.includes('\t')) {
      setError('values must not contain tabs: YAML indents with spaces')
      return
    }
    setBusy(true)
    setError(null)
    try {
      setResult(await client.put<UpgradeResult>(releasePath(cluster, release), { version: version || undefined, values }))
      onDone()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog
      title={`Upgrade ${release.metadata.name}`}
      wide
      onClose={onClose}
      footer={
        result ? (
          <>
            <span className="spacer" />
            <button className="button button-primary" onClick={onClose}>
              Done
            </button>
          </>
        ) : (
          <>
            <span className="spacer" />
            <button className="button button-quiet" onClick={onClose}>
              Cancel
            </button>
            <button className="button button-primary" onClick={upgrade} disabled={busy}>
              {busy ? 'Upgrading…' : 'Upgrade'}
            </button>
          </>
        )
      }
    >
      <ErrorBanner message={error} />
      {result ? (
        <>
          <p>
            Upgrade of <strong>{release.metadata.name}</strong> requested; its status in the list follows the operation. Values changed as
            follows:
          </p>
          <DiffView diff={result.valuesDiff} />
        </>
      ) : (
        <>
          <div className="form-row">
            <Field label="Chart">
              <input value={chart} readOnly />
            </Field>
            <Field label="Version">
              <select name="version" value={version} onChange={(e) => setVersion(e.target.value)}>
                {(versions.data ?? [version]).map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            </Field>
          </div>
          <Field label="Values (YAML)" hint="The whole values document of the release; the answer shows what changed.">
            <textarea name="values" rows={12} className="mono" value={values} onChange={(e) => setValues(e.target.value)} spellCheck={false} />
          </Field>
        </>
      )}
    </Dialog>
  )
}

function HistoryDialog({ cluster, release, onClose }: { cluster: string; release: HelmRelease; onClose: () => void }) {
  const client = useClient()
  const path = releasePath(cluster, release)
  const operations = usePoll((signal) => client.get<List<Operation>>(`${path}/operations`, signal), [path])
  const revisions = usePoll((signal) => client.get<List<Revision>>(`${path}/revisions`, signal), [path])
  return (
    <Dialog title={`History of ${release.metadata.name}`} wide onClose={onClose}>
      <ErrorBanner message={operations.error ?? revisions.error} />
      <h3>Operations</h3>
      <Table
        label="operations"
        rows={operations.data?.items}
        rowKey={(o) => o.name}
        empty="No operation recorded."
        columns={[
          { title: 'Type', render: (o) => o.type },
          { title: 'User', render: (o) => o.user },
          { title: 'Phase', render: (o) => <Status value={o.phase} /> },
          { title: 'Started', render: (o) => dateTime(o.start ?? o.created) },
          { title: 'Ended', render: (o) => dateTime(o.end) },
          { title: 'Revision', render: (o) => o.revision ?? '—' },
          {
            title: 'Result',
            className: 'wide',
            render: (o) => (
              <>
                <div>{o.result}</div>
                {o.logTail && (
                  <details>
                    <summary>Log</summary>
                    <pre className="log">{o.logTail}</pre>
                  </details>
                )}
              </>
            ),
          },
        ]}
      />
      <h3>Helm revisions</h3>
      <Table
        label="revisions"
        rows={revisions.data?.items}
        rowKey={(r) => String(r.revision)}
        empty="No Helm revision yet."
        columns={[
          { title: 'Revision', render: (r) => r.revision },
          { title: 'Status', render: (r) => <Status value={r.status} /> },
          { title: 'Chart', render: (r) => `${r.chart} ${r.chartVersion}` },
          { title: 'Updated', render: (r) => dateTime(r.updated) },
          { title: 'Description', render: (r) => r.description ?? '', className: 'wide' },
        ]}
      />
    </Dialog>
  )
}
