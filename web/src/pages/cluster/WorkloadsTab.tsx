import { useSearchParams } from 'react-router-dom'
import { seg } from '../../lib/api'
import { age } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { List, Namespace, Workload } from '../../lib/types'
import { detailText, detailTitle, isWorkloadKind, readyText, WORKLOAD_KINDS, WORKLOAD_TITLES } from '../../lib/workloads'
import { ErrorBanner, Page, Status, Table } from '../../components/ui'

/** WorkloadsTab lists the workloads of one kind in one namespace with the status words of the workloads API. */
export function WorkloadsTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const [params, setParams] = useSearchParams()
  const namespace = params.get('namespace') ?? 'default'
  const kindParam = params.get('kind')
  const kind = isWorkloadKind(kindParam) ? kindParam : 'deployments'
  const title = WORKLOAD_TITLES[kind]
  const namespaces = usePoll((signal) => client.get<List<Namespace>>(`/clusters/${seg(cluster)}/namespaces`, signal), [cluster], 0)
  const workloads = usePoll(
    (signal) => client.get<List<Workload>>(`/clusters/${seg(cluster)}/namespaces/${seg(namespace)}/${kind}`, signal),
    [cluster, namespace, kind],
  )
  function choose(next: { namespace?: string; kind?: string }) {
    const merged = { namespace, kind, ...next }
    setParams(merged.kind === 'deployments' ? { namespace: merged.namespace } : merged)
  }
  return (
    <Page name="cluster-workloads" ready={workloads.loaded}>
      <div className="toolbar">
        <label className="inline-field">
          Namespace
          <select name="namespace" value={namespace} onChange={(e) => choose({ namespace: e.target.value })}>
            {(namespaces.data?.items ?? [{ name: namespace }]).map((n) => (
              <option key={n.name}>{n.name}</option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          Kind
          <select name="kind" value={kind} onChange={(e) => choose({ kind: e.target.value })}>
            {WORKLOAD_KINDS.map((k) => (
              <option key={k} value={k}>
                {WORKLOAD_TITLES[k]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner message={workloads.error ?? namespaces.error} />
      <Table
        label={kind}
        rows={workloads.data?.items}
        rowKey={(w) => `${w.namespace}/${w.name}`}
        empty={`No ${title} in ${namespace}.`}
        columns={[
          { title: 'Name', render: (w) => w.name, className: 'strong' },
          { title: 'Status', render: (w) => <Status value={w.status} /> },
          { title: 'Ready', render: (w) => readyText(kind, w.object) },
          { title: detailTitle(kind), render: (w) => detailText(kind, w.object) },
          { title: 'Description', render: (w) => w.description ?? '', className: 'wide' },
          { title: 'Age', render: (w) => age(w.created) },
        ]}
      />
    </Page>
  )
}
