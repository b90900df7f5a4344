import { useState, type FormEvent } from 'react'
import { NavLink, useSearchParams } from 'react-router-dom'
import { seg } from '../lib/api'
import { age } from '../lib/format'
import { INVENTORY_RESOURCES, inventoryPath, isInventoryResource, pageRange, resourceTitle } from '../lib/inventory'
import { usePoll } from '../lib/poll'
import { useClient } from '../lib/session'
import type { MultiClusterItem, MultiClusterPage } from '../lib/types'
import { ErrorBanner, Page, PageHeader, Status, Table } from '../components/ui'

/**
 * InventoryPage ("All pods") lists pods or workloads across every cluster the user sees, from
 * the watch caches of GET /multicluster/{resource}, one page of 50 at a time.
 */
export function InventoryPage() {
  const client = useClient()
  const [params, setParams] = useSearchParams()
  const resourceParam = params.get('resource')
  const resource = isInventoryResource(resourceParam) ? resourceParam : 'pods'
  const labelSelector = params.get('labelSelector') ?? ''
  const name = params.get('name') ?? ''
  // tokens[i] is the continue token of page i; the first page has none.
  const [tokens, setTokens] = useState<string[]>([''])
  const [draft, setDraft] = useState({ labelSelector, name })
  const pageIndex = tokens.length - 1
  const continueToken = tokens[pageIndex]
  const list = usePoll(
    (signal) => client.get<MultiClusterPage>(inventoryPath({ resource, labelSelector, name, continueToken }), signal),
    [resource, labelSelector, name, continueToken],
    5000,
  )

  function update(next: { resource?: string; labelSelector?: string; name?: string }) {
    const merged = { resource, labelSelector, name, ...next }
    const query: Record<string, string> = {}
    if (merged.resource !== 'pods') query.resource = merged.resource
    if (merged.labelSelector.trim()) query.labelSelector = merged.labelSelector.trim()
    if (merged.name.trim()) query.name = merged.name.trim()
    setTokens([''])
    setParams(query)
  }

  function apply(e: FormEvent) {
    e.preventDefault()
    update(draft)
  }

  const title = resourceTitle(resource)
  const page = list.data
  const isPods = resource === 'pods'
  return (
    <Page name="inventory" ready={list.loaded}>
      <PageHeader title={`All ${title.toLowerCase()}`} subtitle="Across every cluster you may see, from the clusters' watch caches." />
      <form className="toolbar filters" onSubmit={apply} aria-label="Filter">
        <label className="inline-field">
          Resource
          <select name="resource" value={resource} onChange={(e) => update({ resource: e.target.value })}>
            {INVENTORY_RESOURCES.map((r) => (
              <option key={r} value={r}>
                {resourceTitle(r)}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          Label selector
          <input
            name="labelSelector"
            className="mono"
            placeholder="app=web,tier!=db"
            value={draft.labelSelector}
            onChange={(e) => setDraft({ ...draft, labelSelector: e.target.value })}
          />
        </label>
        <label className="inline-field">
          Name
          <input name="name" placeholder="contains…" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <button className="button button-primary" type="submit">
          Filter
        </button>
      </form>
      <ErrorBanner message={list.error} />
      {page?.unavailable && page.unavailable.length > 0 && (
        <div className="banner banner-warning" role="status" data-testid="unavailable">
          Not listed, cluster unavailable: {page.unavailable.map((u) => `${u.cluster} (${u.message})`).join('; ')}
        </div>
      )}
      <Table<MultiClusterItem>
        label={resource}
        rows={page?.items}
        rowKey={(i) => `${i.cluster}/${i.namespace}/${i.name}`}
        empty={labelSelector || name ? `No ${title.toLowerCase()} match.` : `No ${title.toLowerCase()}.`}
        columns={[
          { title: 'Name', render: (i) => i.name, className: 'strong wide' },
          { title: 'Cluster', render: (i) => <NavLink to={`/clusters/${seg(i.cluster)}`}>{i.cluster}</NavLink> },
          { title: 'Namespace', render: (i) => i.namespace },
          { title: 'Status', render: (i) => <Status value={i.status} /> },
          { title: 'Ready', render: (i) => i.ready ?? '—' },
          ...(isPods
            ? [
                { title: 'Restarts', render: (i: MultiClusterItem) => i.restarts ?? 0 },
                { title: 'Node', render: (i: MultiClusterItem) => i.node || '—' },
              ]
            : []),
          {
            title: 'Labels',
            className: 'wide',
            render: (i) => (
              <span className="chips">
                {Object.entries(i.labels ?? {}).map(([k, v]) => (
                  <span className="chip" key={k}>
                    {k}={v}
                  </span>
                ))}
              </span>
            ),
          },
          { title: 'Age', render: (i) => age(i.created) },
        ]}
      />
      <div className="pager">
        <span className="muted" data-testid="inventory-total">
          {page ? `${pageRange(pageIndex, page.items.length, page.total)} ${title.toLowerCase()}` : ''}
        </span>
        <span className="spacer" />
        <button className="button" type="button" disabled={pageIndex === 0} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous page
        </button>
        <button className="button" type="button" disabled={!page?.continue} onClick={() => page?.continue && setTokens([...tokens, page.continue])}>
          Next page
        </button>
      </div>
    </Page>
  )
}
