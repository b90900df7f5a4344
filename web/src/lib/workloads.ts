// The workload kinds of the Workloads tab and how each counts its ready pods.

export const WORKLOAD_KINDS = ['deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number]

export const WORKLOAD_TITLES: Record<WorkloadKind, string> = {
  deployments: 'Deployments',
  statefulsets: 'StatefulSets',
  daemonsets: 'DaemonSets',
  jobs: 'Jobs',
  cronjobs: 'CronJobs',
}

export function isWorkloadKind(value: string | null): value is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(value ?? '')
}

/** WorkloadObject is the part of a workload's Kubernetes object the tab reads. */
export interface WorkloadObject {
  spec?: { replicas?: number; completions?: number; schedule?: string; suspend?: boolean }
  status?: {
    replicas?: number
    readyReplicas?: number
    updatedReplicas?: number
    availableReplicas?: number
    desiredNumberScheduled?: number
    numberReady?: number
    updatedNumberScheduled?: number
    succeeded?: number
    active?: number | unknown[]
    lastScheduleTime?: string
  }
}

/** readyText is the "ready/desired" of a workload: pods for the controllers, completions for a Job, running Jobs for a CronJob. */
export function readyText(kind: WorkloadKind, o: WorkloadObject): string {
  const s = o.status ?? {}
  switch (kind) {
    case 'deployments':
    case 'statefulsets':
      return `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? s.replicas ?? 0}`
    case 'daemonsets':
      return `${s.numberReady ?? 0}/${s.desiredNumberScheduled ?? 0}`
    case 'jobs':
      return `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`
    case 'cronjobs': {
      const active = Array.isArray(s.active) ? s.active.length : (s.active ?? 0)
      return `${active} active`
    }
  }
}

/** detailText is the kind's second figure: up-to-date pods, or a CronJob's schedule. */
export function detailText(kind: WorkloadKind, o: WorkloadObject): string {
  const s = o.status ?? {}
  switch (kind) {
    case 'deployments':
    case 'statefulsets':
      return String(s.updatedReplicas ?? 0)
    case 'daemonsets':
      return String(s.updatedNumberScheduled ?? 0)
    case 'jobs':
      return s.active ? `${Array.isArray(s.active) ? s.active.length : s.active} running` : '—'
    case 'cronjobs':
      return `${o.spec?.schedule ?? '—'}${o.spec?.suspend ? ' (suspended)' : ''}`
  }
}

/** detailTitle is the column title of detailText. */
export function detailTitle(kind: WorkloadKind): string {
  if (kind === 'cronjobs') return 'Schedule'
  if (kind === 'jobs') return 'Active'
  return 'Up to date'
}
