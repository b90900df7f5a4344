import { useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { seg } from '../../lib/api'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { ChartList } from '../../lib/types'
import { ErrorBanner, Notice, Page, Table } from '../../components/ui'

/** ChartsTab lists the charts of the cluster's repos (their stored index); no need to poll fast. */
export function ChartsTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const navigate = useNavigate()
  const [query, setQuery] = useState('')
  const charts = usePoll(
    (signal) => client.get<ChartList>(`/clusters/${seg(cluster)}/charts${query ? `?q=${encodeURIComponent(query)}` : ''}`, signal),
    [cluster, query],
    10000,
  )
  return (
    <Page name="cluster-charts" ready={charts.loaded}>
      <div className="toolbar">
        <input className="search" type="search" placeholder="Search charts" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search charts" />
      </div>
      <ErrorBanner message={charts.error} />
      {charts.data?.unindexed?.length ? <Notice>Not indexed yet (refresh them in Helm repos): {charts.data.unindexed.join(', ')}</Notice> : null}
      <Table
        label="charts"
        rows={charts.data?.items}
        rowKey={(c) => `${c.repo}/${c.name}/${c.version}`}
        empty="No chart found. Add a Helm repo first."
        columns={[
          { title: 'Chart', render: (c) => <span className="strong">{c.name}</span> },
          { title: 'Repo', render: (c) => c.repo },
          { title: 'Version', render: (c) => c.version },
          { title: 'App version', render: (c) => c.appVersion ?? '—' },
          { title: 'Description', render: (c) => c.description ?? '', className: 'wide' },
          {
            title: 'Actions',
            className: 'actions-cell',
            render: (c) => (
              <button
                className="button button-small"
                onClick={() => navigate(`/clusters/${seg(cluster)}/apps?install=${encodeURIComponent(`${c.repo}/${c.name}`)}&version=${encodeURIComponent(c.version)}`)}
              >
                Install
              </button>
            ),
          },
        ]}
      />
    </Page>
  )
}
