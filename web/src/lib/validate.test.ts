import { describe, expect, it } from 'vitest'
import { hasErrors, splitChart, validateAdvancedSettings, validateInstall, validateIntegrate, validateRepo } from './validate'

const kubeconfig = 'apiVersion: v1\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: c\n'

describe('validateIntegrate', () => {
  it('accepts a label and a kubeconfig', () => {
    expect(validateIntegrate({ name: 'prod-east-1', kubeconfig })).toEqual({})
  })
  it.each([
    ['', 'name is required'],
    ['Prod', "lower-case letters"],
    ['-a', "lower-case letters"],
    ['a'.repeat(64), 'at most 63 characters, got 64'],
    ['kpanda-global-cluster', "global service cluster's own name"],
  ])('refuses name %j', (name, want) => {
    expect(validateIntegrate({ name, kubeconfig }).name).toContain(want)
  })
  it('refuses an empty kubeconfig and text that is not one', () => {
    expect(validateIntegrate({ name: 'a', kubeconfig: '  ' }).kubeconfig).toBe('paste the kubeconfig of the cluster')
    expect(validateIntegrate({ name: 'a', kubeconfig: 'hello' }).kubeconfig).toContain('does not look like a kubeconfig')
  })
})

describe('validateRepo', () => {
  const ok = { name: 'charts', url: 'http://127.0.0.1:8080', username: '', password: '' }
  it('accepts a repo without and with basic auth', () => {
    expect(validateRepo(ok)).toEqual({})
    expect(validateRepo({ ...ok, username: 'reader', password: 's3cret' })).toEqual({})
  })
  it('refuses a URL without scheme and half of the credentials', () => {
    expect(validateRepo({ ...ok, url: 'charts.example.com' }).url).toContain('http:// or https://')
    expect(validateRepo({ ...ok, password: 'x' }).username).toContain('give a username')
    expect(validateRepo({ ...ok, username: 'x' }).password).toContain('password')
  })
})

describe('validateInstall', () => {
  const ok = { name: 'shop', namespace: 'default', chart: 'charts/web', version: '0.1.0', values: 'replicas: 2\n' }
  it('accepts a complete form', () => {
    expect(hasErrors(validateInstall(ok))).toBe(false)
  })
  it('names every wrong field at once', () => {
    const errors = validateInstall({ name: 'a'.repeat(54), namespace: 'Default', chart: 'web', version: '', values: '\tx: 1' })
    expect(Object.keys(errors).sort()).toEqual(['chart', 'name', 'namespace', 'values'])
    expect(errors.name).toContain('at most 53')
  })
  it('splits repo/chart', () => {
    expect(splitChart('charts/web')).toEqual({ repo: 'charts', name: 'web' })
    expect(splitChart('charts/web/x')).toBeUndefined()
    expect(splitChart('/web')).toBeUndefined()
  })
})

describe('validateAdvancedSettings', () => {
  const ok = { baseImage: 'registry.local/kpanda/kpanda-shell:v0.1.0', refreshInterval: '600', historyLimit: '100', deletionProtection: true }
  it('accepts the defaults', () => {
    expect(validateAdvancedSettings(ok)).toEqual({})
  })
  it('applies the minimums of the cluster setting', () => {
    const errors = validateAdvancedSettings({ ...ok, baseImage: 'a b', refreshInterval: '9', historyLimit: '0' })
    expect(errors.baseImage).toContain('white space')
    expect(errors.refreshInterval).toBe('at least 10 seconds')
    expect(errors.historyLimit).toBe('at least 1 operations')
    expect(validateAdvancedSettings({ ...ok, refreshInterval: '1.5' }).refreshInterval).toContain('whole number')
  })
})
