import { seg } from '../../lib/api'
import { age } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { List, Namespace } from '../../lib/types'
import { ErrorBanner, Page, Status, Table } from '../../components/ui'

export function NamespacesTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const namespaces = usePoll((signal) => client.get<List<Namespace>>(`/clusters/${seg(cluster)}/namespaces`, signal), [cluster])
  return (
    <Page name="cluster-namespaces" ready={namespaces.loaded}>
      <ErrorBanner message={namespaces.error} />
      <Table
        label="namespaces"
        rows={namespaces.data?.items}
        rowKey={(n) => n.name}
        empty="No namespace is visible to you."
        columns={[
          { title: 'Name', render: (n) => n.name, className: 'strong' },
          { title: 'Status', render: (n) => <Status value={n.status} /> },
          {
            title: 'Labels',
            className: 'wide',
            render: (n) => (
              <span className="chips">
                {Object.entries(n.labels ?? {}).map(([k, v]) => (
                  <span key={k} className="chip">
                    {k}={v}
                  </span>
                ))}
              </span>
            ),
          },
          { title: 'Age', render: (n) => age(n.created) },
        ]}
      />
    </Page>
  )
}
