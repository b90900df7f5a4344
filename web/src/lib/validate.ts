// Checks of the console's forms, run before a request so that the user sees the problem next
// to the field at once. They mirror the API's rules; the API still decides, and its message is
// shown when it refuses.

/** Errors maps a field to what is wrong with it; an empty object means the form is valid. */
export type Errors<F extends string = string> = Partial<Record<F, string>>

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** labelError checks a DNS-1123 label (cluster, repo, namespace, release names). */
export function labelError(value: string, what: string, maxLength = 63): string | undefined {
  if (value === '') return `${what} is required`
  if (value.length > maxLength) return `${what} must be at most ${maxLength} characters, got ${value.length}`
  if (!dns1123Label.test(value)) {
    return `${what} must be lower-case letters, digits and '-', starting and ending with a letter or digit`
  }
  return undefined
}

export const GLOBAL_CLUSTER = 'kpanda-global-cluster'

export function validateIntegrate(form: { name: string; kubeconfig: string }): Errors<'name' | 'kubeconfig'> {
  const errors: Errors<'name' | 'kubeconfig'> = {}
  const name = labelError(form.name, 'name') ?? (form.name === GLOBAL_CLUSTER ? `${GLOBAL_CLUSTER} is the global service cluster's own name` : undefined)
  if (name) errors.name = name
  const kubeconfig = kubeconfigError(form.kubeconfig)
  if (kubeconfig) errors.kubeconfig = kubeconfig
  return errors
}

/** kubeconfigError catches what is surely not a kubeconfig; verifying it is the API's job. */
export function kubeconfigError(kubeconfig: string): string | undefined {
  if (kubeconfig.trim() === '') return 'paste the kubeconfig of the cluster'
  if (!/\bclusters\b/.test(kubeconfig) || !/\bserver\b/.test(kubeconfig)) {
    return 'this does not look like a kubeconfig: it names no clusters with a server'
  }
  return undefined
}

export interface RepoForm {
  name: string
  url: string
  username: string
  password: string
}

export function validateRepo(form: RepoForm): Errors<keyof RepoForm> {
  const errors: Errors<keyof RepoForm> = {}
  const name = labelError(form.name, 'name')
  if (name) errors.name = name
  if (form.url === '') {
    errors.url = 'url is required'
  } else if (!/^https?:\/\/[^\s/]+/.test(form.url)) {
    errors.url = 'url must start with http:// or https:// and name a host'
  }
  if (form.password !== '' && form.username === '') {
    errors.username = 'give a username with the password (HTTP basic auth), or neither'
  }
  if (form.username !== '' && form.password === '') {
    errors.password = 'give the password of this username, or neither'
  }
  return errors
}

export interface InstallForm {
  name: string
  namespace: string
  chart: string // repo/chart
  version: string
  values: string
}

export function validateInstall(form: InstallForm): Errors<keyof InstallForm> {
  const errors: Errors<keyof InstallForm> = {}
  // Helm's limit: a release name is at most 53 characters.
  const name = labelError(form.name, 'name', 53)
  if (name) errors.name = name
  const namespace = labelError(form.namespace, 'namespace')
  if (namespace) errors.namespace = namespace
  if (splitChart(form.chart) === undefined) errors.chart = 'choose a chart (repo/chart)'
  if (form.values.includes('\t')) errors.values = 'values must not contain tabs: YAML indents with spaces'
  return errors
}

/** splitChart parses "repo/chart". */
export function splitChart(chart: string): { repo: string; name: string } | undefined {
  const [repo, name, ...rest] = chart.split('/')
  if (!repo || !name || rest.length > 0) return undefined
  return { repo, name }
}

export interface AdvancedSettingsForm {
  baseImage: string
  refreshInterval: string
  historyLimit: string
  deletionProtection: boolean
}

export function validateAdvancedSettings(form: AdvancedSettingsForm): Errors<keyof AdvancedSettingsForm> {
  const errors: Errors<keyof AdvancedSettingsForm> = {}
  if (form.baseImage.trim() === '') errors.baseImage = 'the Helm operation base image is required'
  else if (/\s/.test(form.baseImage)) errors.baseImage = 'an image reference has no white space'
  const interval = integerError(form.refreshInterval, 10, 'seconds')
  if (interval) errors.refreshInterval = interval
  const limit = integerError(form.historyLimit, 1, 'operations')
  if (limit) errors.historyLimit = limit
  return errors
}

function integerError(value: string, min: number, unit: string): string | undefined {
  if (!/^\d+$/.test(value.trim())) return `a whole number of ${unit}`
  if (Number(value) < min) return `at least ${min} ${unit}`
  return undefined
}

export function hasErrors(errors: Errors): boolean {
  return Object.values(errors).some((e) => e !== undefined)
}
