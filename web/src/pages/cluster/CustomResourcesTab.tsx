import { useState } from 'react'
import { useSearchParams } from 'react-router-dom'
import { errorMessage, seg } from '../../lib/api'
import { age } from '../../lib/format'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { CRD, List, ObjectMeta } from '../../lib/types'
import { ErrorBanner, Page, Table } from '../../components/ui'

/** CustomResourcesTab lists the CRDs of a cluster and the objects of one; deleting one is how a stuck object is removed (seed FAQ 5). */
export function CustomResourcesTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const [params, setParams] = useSearchParams()
  const crds = usePoll((signal) => client.get<List<CRD>>(`/clusters/${seg(cluster)}/customresourcedefinitions`, signal), [cluster], 10000)
  const selected = crds.data?.items.find((c) => c.name === params.get('crd'))
  return (
    <Page name="cluster-crds" ready={crds.loaded}>
      <ErrorBanner message={crds.error} />
      <div className="split">
        <div className="split-side">
          <Table
            label="custom resource definitions"
            rows={crds.data?.items}
            rowKey={(c) => c.name}
            empty="No CustomResourceDefinition in this cluster."
            columns={[
              {
                title: 'Kind',
                render: (c) => (
                  <button className={`link-button ${selected?.name === c.name ? 'selected' : ''}`} onClick={() => setParams({ crd: c.name })}>
                    {c.kind}
                  </button>
                ),
              },
              { title: 'Group', render: (c) => c.group, className: 'wide' },
              { title: 'Scope', render: (c) => c.scope },
            ]}
          />
        </div>
        <div className="split-main">
          {selected ? <CustomObjects cluster={cluster} crd={selected} /> : <p className="muted">Choose a kind to list its objects.</p>}
        </div>
      </div>
    </Page>
  )
}

function CustomObjects({ cluster, crd }: { cluster: string; crd: CRD }) {
  const client = useClient()
  const version = crd.versions[0]
  const base = `/clusters/${seg(cluster)}/customresources/${seg(crd.group)}/${seg(version)}/${seg(crd.plural)}`
  const objects = usePoll((signal) => client.get<List<{ metadata: ObjectMeta }>>(base, signal), [base])
  const [error, setError] = useState<string | null>(null)

  async function remove(meta: ObjectMeta) {
    const what = meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name
    if (!window.confirm(`Delete ${crd.kind} ${what}?`)) return
    setError(null)
    try {
      await client.del(meta.namespace ? `${base}/namespaces/${seg(meta.namespace)}/${seg(meta.name)}` : `${base}/${seg(meta.name)}`)
      objects.reload()
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <>
      <h2>
        {crd.kind} <span className="muted small">{crd.group}/{version}</span>
      </h2>
      <ErrorBanner message={error ?? objects.error} />
      <Table
        label={`${crd.plural}`}
        rows={objects.data?.items}
        rowKey={(o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`}
        empty={`No ${crd.kind} objects.`}
        columns={[
          { title: 'Name', render: (o) => o.metadata.name, className: 'strong' },
          ...(crd.scope === 'Namespaced' ? [{ title: 'Namespace', render: (o: { metadata: ObjectMeta }) => o.metadata.namespace ?? '' }] : []),
          { title: 'Age', render: (o) => age(o.metadata.creationTimestamp) },
          { title: 'State', render: (o) => (o.metadata.deletionTimestamp ? 'Deleting' : '') },
          {
            title: 'Actions',
            className: 'actions-cell',
            render: (o) => (
              <button className="button button-small button-quiet" onClick={() => remove(o.metadata)}>
                Delete
              </button>
            ),
          },
        ]}
      />
    </>
  )
}
