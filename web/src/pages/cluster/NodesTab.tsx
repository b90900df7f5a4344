import { seg } from '../../lib/api'
import { age, formatCPU, formatMemory } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { List, Node } from '../../lib/types'
import { ErrorBanner, Page, Status, Table } from '../../components/ui'

/** NodesTab reads the member's nodes through the API's proxy, as the calling user. */
export function NodesTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const nodes = usePoll((signal) => client.get<List<Node>>(`/clusters/${seg(cluster)}/proxy/api/v1/nodes`, signal), [cluster])
  return (
    <Page name="cluster-nodes" ready={nodes.loaded}>
      <ErrorBanner message={nodes.error} />
      <Table
        label="nodes"
        rows={nodes.data?.items}
        rowKey={(n) => n.metadata.name}
        empty="The cluster has no nodes."
        columns={[
          { title: 'Name', render: (n) => n.metadata.name, className: 'strong' },
          { title: 'Status', render: (n) => <Status value={nodeReady(n)} /> },
          { title: 'Roles', render: (n) => nodeRoles(n) },
          { title: 'Kubelet', render: (n) => n.status?.nodeInfo?.kubeletVersion ?? '—' },
          { title: 'CPU', render: (n) => formatCPU(n.status?.capacity?.cpu) },
          { title: 'Memory', render: (n) => formatMemory(n.status?.capacity?.memory) },
          { title: 'Pods', render: (n) => n.status?.capacity?.pods ?? '—' },
          { title: 'Age', render: (n) => age(n.metadata.creationTimestamp) },
        ]}
      />
    </Page>
  )
}

function nodeReady(n: Node): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')
  if (!ready) return 'Unknown'
  return ready.status === 'True' ? 'Ready' : 'Not Ready'
}

function nodeRoles(n: Node): string {
  const roles = Object.keys(n.metadata.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
  return roles.length ? roles.join(', ') : '—'
}
