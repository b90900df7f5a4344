// The multi-cluster lists of GET /multicluster/{resource}: which resources, and the query of one page.

export const INVENTORY_RESOURCES = ['pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const
export type InventoryResource = (typeof INVENTORY_RESOURCES)[number]

export const PAGE_SIZE = 50

export function isInventoryResource(value: string | null): value is InventoryResource {
  return (INVENTORY_RESOURCES as readonly string[]).includes(value ?? '')
}

export interface InventoryQuery {
  resource: InventoryResource
  labelSelector: string
  name: string
  continueToken: string
}

/** inventoryPath is the API path (relative to the API prefix) of one page. */
export function inventoryPath(q: InventoryQuery, limit = PAGE_SIZE): string {
  const params = new URLSearchParams()
  if (q.labelSelector.trim()) params.set('labelSelector', q.labelSelector.trim())
  if (q.name.trim()) params.set('name', q.name.trim())
  params.set('limit', String(limit))
  if (q.continueToken) params.set('continue', q.continueToken)
  return `/multicluster/${q.resource}?${params}`
}

/** pageRange says which items of the total a page shows, e.g. "51–100 of 230". */
export function pageRange(pageIndex: number, shown: number, total: number, size = PAGE_SIZE): string {
  if (shown === 0) return `0 of ${total}`
  const first = pageIndex * size + 1
  return `${first}–${first + shown - 1} of ${total}`
}

/** Human names of the resources, singular and plural. */
export function resourceTitle(resource: InventoryResource): string {
  const titles: Record<InventoryResource, string> = {
    pods: 'Pods',
    deployments: 'Deployments',
    statefulsets: 'StatefulSets',
    daemonsets: 'DaemonSets',
    jobs: 'Jobs',
    cronjobs: 'CronJobs',
  }
  return titles[resource]
}
