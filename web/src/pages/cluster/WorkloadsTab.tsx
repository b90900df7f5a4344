import { useSearchParams } from 'react-router-dom'
import { seg } from '../../lib/api'
import { age } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { List, Namespace, Workload } from '../../lib/types'
import { ErrorBanner, Page, Status, Table } from '../../components/ui'

/** WorkloadsTab lists the Deployments of one namespace with the status words of the workloads API. */
export function WorkloadsTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const [params, setParams] = useSearchParams()
  const namespace = params.get('namespace') ?? 'default'
  const namespaces = usePoll((signal) => client.get<List<Namespace>>(`/clusters/${seg(cluster)}/namespaces`, signal), [cluster], 0)
  const deployments = usePoll(
    (signal) => client.get<List<Workload>>(`/clusters/${seg(cluster)}/namespaces/${seg(namespace)}/deployments`, signal),
    [cluster, namespace],
  )
  return (
    <Page name="cluster-workloads" ready={deployments.loaded}>
      <div className="toolbar">
        <label className="inline-field">
          Namespace
          <select name="namespace" value={namespace} onChange={(e) => setParams({ namespace: e.target.value })}>
            {(namespaces.data?.items ?? [{ name: namespace }]).map((n) => (
              <option key={n.name}>{n.name}</option>
            ))}
          </select>
        </label>
        <span className="muted">Deployments</span>
      </div>
      <ErrorBanner message={deployments.error ?? namespaces.error} />
      <Table
        label="deployments"
        rows={deployments.data?.items}
        rowKey={(w) => `${w.namespace}/${w.name}`}
        empty={`No Deployment in ${namespace}.`}
        columns={[
          { title: 'Name', render: (w) => w.name, className: 'strong' },
          { title: 'Status', render: (w) => <Status value={w.status} /> },
          {
            title: 'Ready',
            render: (w) => `${w.object.status?.readyReplicas ?? 0}/${w.object.spec?.replicas ?? w.object.status?.replicas ?? 0}`,
          },
          { title: 'Up to date', render: (w) => w.object.status?.updatedReplicas ?? 0 },
          { title: 'Description', render: (w) => w.description ?? '', className: 'wide' },
          { title: 'Age', render: (w) => age(w.created) },
        ]}
      />
    </Page>
  )
}
