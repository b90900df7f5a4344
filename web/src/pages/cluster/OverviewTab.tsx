import { age, dateTime, formatCPU, formatMemory } from '../../lib/format'
import type { Cluster } from '../../lib/types'
import { Page, Stat, Status, Table } from '../../components/ui'

export function OverviewTab({ cluster, loaded }: { cluster?: Cluster; loaded: boolean }) {
  const status = cluster?.status
  return (
    <Page name="cluster-overview" ready={loaded}>
      <div className="stats">
        <Stat label="Phase" value={<Status value={status?.phase} />} detail={status?.lastProbeTime ? `probed ${age(status.lastProbeTime)} ago` : undefined} />
        <Stat label="Kubernetes" value={status?.kubernetesVersion ?? '—'} />
        <Stat label="Nodes" value={status?.nodes ? `${status.nodes.ready}/${status.nodes.total}` : '—'} detail="ready / total" />
        <Stat label="Pods" value={status?.podCount ?? '—'} />
        <Stat label="CPU" value={formatCPU(status?.resources?.capacity?.cpu)} detail={`allocatable ${formatCPU(status?.resources?.allocatable?.cpu)}`} />
        <Stat label="Memory" value={formatMemory(status?.resources?.capacity?.memory)} detail={`allocatable ${formatMemory(status?.resources?.allocatable?.memory)}`} />
      </div>
      <dl className="details">
        <dt>API endpoint</dt>
        <dd className="mono">{status?.apiEndpoint ?? '—'}</dd>
        <dt>kube-system ID</dt>
        <dd className="mono">{status?.kubeSystemID ?? '—'}</dd>
        <dt>Alias</dt>
        <dd>{cluster?.spec.alias || '—'}</dd>
        <dt>Integrated</dt>
        <dd>{dateTime(cluster?.metadata.creationTimestamp)}</dd>
      </dl>
      <h2>Conditions</h2>
      <Table
        label="conditions"
        rows={cluster ? (status?.conditions ?? []) : undefined}
        rowKey={(c) => c.type}
        empty="No conditions reported yet."
        columns={[
          { title: 'Type', render: (c) => c.type },
          { title: 'Status', render: (c) => <Status value={c.status} /> },
          { title: 'Reason', render: (c) => c.reason ?? '' },
          { title: 'Message', render: (c) => c.message ?? '', className: 'wide' },
          { title: 'Since', render: (c) => age(c.lastTransitionTime) },
        ]}
      />
    </Page>
  )
}
