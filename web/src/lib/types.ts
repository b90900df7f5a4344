// Shapes of the API's answers the console reads (see internal/server/openapi.json).
import type { WorkloadObject } from './workloads'

export interface Condition {
  type: string
  status: string
  reason?: string
  message?: string
  lastTransitionTime?: string
}

export interface ObjectMeta {
  name: string
  namespace?: string
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface Cluster {
  metadata: ObjectMeta
  spec: { mode?: string; provider?: string; alias?: string }
  status?: {
    phase?: string
    apiEndpoint?: string
    kubernetesVersion?: string
    kubeSystemID?: string
    nodes?: { total: number; ready: number }
    resources?: { capacity?: Record<string, string>; allocatable?: Record<string, string> }
    podCount?: number
    lastProbeTime?: string
    conditions?: Condition[]
  }
}

export interface List<T> {
  items: T[]
}

export interface VerifyResult {
  server: string
  version: string
  kubeSystemID: string
}

export interface Namespace {
  name: string
  status: string
  labels?: Record<string, string>
  created: string
}

export interface Workload {
  kind: string
  name: string
  namespace: string
  status: string
  description?: string
  created: string
  object: WorkloadObject
}

export interface Node {
  metadata: ObjectMeta
  status?: {
    capacity?: Record<string, string>
    allocatable?: Record<string, string>
    conditions?: { type: string; status: string }[]
    nodeInfo?: { kubeletVersion?: string; osImage?: string }
  }
}

export interface HelmRepo {
  name: string
  url: string
  authenticated: boolean
  chartCount: number
  lastRefreshTime?: string
  ready: boolean
  message?: string
  creationTimestamp: string
}

export interface ChartVersion {
  repo: string
  name: string
  version: string
  appVersion?: string
  description?: string
  deprecated?: boolean
}

export interface ChartList {
  items: ChartVersion[]
  unindexed?: string[]
}

export interface ChartDetail extends ChartVersion {
  readme: string
  values: string
}

export interface HelmRelease {
  metadata: ObjectMeta
  spec: { chart: { repo: string; name: string; version?: string }; values?: string }
  status?: {
    phase?: string
    revision?: number
    chartVersion?: string
    appVersion?: string
    currentOperation?: string
    lastOperation?: string
    conditions?: Condition[]
  }
}

export interface UpgradeResult {
  release: HelmRelease
  valuesDiff: string
}

export interface Operation {
  name: string
  type: string
  user: string
  phase?: string
  start?: string
  end?: string
  result?: string
  revision?: number
  chartVersion?: string
  logTail?: string
  created: string
  executor?: string
}

export interface Revision {
  revision: number
  status: string
  chart: string
  chartVersion: string
  appVersion?: string
  updated?: string
  description?: string
}

export interface CRD {
  name: string
  group: string
  kind: string
  plural: string
  scope: 'Namespaced' | 'Cluster'
  versions: string[]
}

export interface User {
  name: string
  source: string
  disabled: boolean
  displayName?: string
  email?: string
  lastLoginTime?: string
}

export interface Group {
  name: string
  members: string[]
}

export interface Workspace {
  metadata: ObjectMeta
  spec?: {
    members?: { kind: string; name: string; role: string }[]
    resourceGroups?: { cluster: string; namespace: string }[]
    sharedClusters?: string[]
  }
}

export interface Explanation {
  user: string
  cluster: string
  namespace?: string
  visible: boolean
  sources: { kind: string; role?: string; via?: string; workspace?: string; grant?: string; namespace?: string; description: string }[]
}

/** Setting is the part of the cluster setting document the console edits (seed FAQ 1). */
export interface Setting {
  addon_setting?: {
    helm_operation_history_limit?: number
    helm_repo_refresh_interval?: number
    helm_operation_base_image?: string
    helm_operation_executor?: string
  }
  clusterlcm_setting?: { enable_deletion_protection?: boolean }
  [key: string]: unknown
}

export interface RoleGrant {
  metadata: ObjectMeta
  spec: { role: string; subject: { kind: 'User' | 'Group'; name: string }; cluster?: string; namespace?: string }
}

/** MultiClusterItem is one object of GET /multicluster/{resource}. */
export interface MultiClusterItem {
  cluster: string
  namespace: string
  name: string
  kind: string
  labels?: Record<string, string>
  created: string
  status?: string
  ready?: string
  node?: string
  restarts?: number
}

export interface MultiClusterPage {
  items: MultiClusterItem[]
  continue?: string
  total: number
  unavailable?: { cluster: string; message: string }[]
}
