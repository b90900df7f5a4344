import { describe, expect, it } from 'vitest'
import { grantRequest, grantScope, revokeRequest, roleScope, splitMembers, validateGrant, type GrantForm } from './grants'
import type { RoleGrant } from './types'

const form = (patch: Partial<GrantForm>): GrantForm => ({ role: 'ns-viewer', subjectKind: 'user', subject: 'alice', cluster: 'member-1', namespace: 'default', ...patch })

describe('roleScope', () => {
  it('knows the roles of the API', () => {
    expect(roleScope('admin')).toBe('platform')
    expect(roleScope('platform-viewer')).toBe('platform')
    expect(roleScope('cluster-viewer')).toBe('cluster')
    expect(roleScope('ns-editor')).toBe('namespace')
    expect(roleScope('root')).toBeUndefined()
  })
})

describe('validateGrant', () => {
  it('accepts a namespace role with cluster and namespace', () => {
    expect(validateGrant(form({}))).toEqual({})
  })
  it('asks for the subject, the cluster and the namespace the role takes', () => {
    const errors = validateGrant(form({ subject: ' ', cluster: '', namespace: '' }))
    expect(errors.subject).toMatch(/user/)
    expect(errors.cluster).toMatch(/cluster/)
    expect(errors.namespace).toMatch(/required/)
  })
  it('does not ask a platform role for a cluster', () => {
    expect(validateGrant(form({ role: 'admin', cluster: '', namespace: '' }))).toEqual({})
  })
  it('does not ask a cluster role for a namespace', () => {
    expect(validateGrant(form({ role: 'cluster-admin', namespace: '' }))).toEqual({})
  })
  it('refuses an unknown role', () => {
    expect(validateGrant(form({ role: '' })).role).toBeDefined()
  })
})

describe('grantRequest', () => {
  it('sends only the fields of the role scope', () => {
    expect(grantRequest(form({}))).toEqual({ role: 'ns-viewer', user: 'alice', cluster: 'member-1', namespace: 'default' })
    expect(grantRequest(form({ role: 'cluster-viewer' }))).toEqual({ role: 'cluster-viewer', user: 'alice', cluster: 'member-1' })
    expect(grantRequest(form({ role: 'admin', subjectKind: 'group', subject: ' ops ' }))).toEqual({ role: 'admin', group: 'ops' })
  })
})

describe('revokeRequest and grantScope', () => {
  const grant = (spec: RoleGrant['spec']): RoleGrant => ({ metadata: { name: 'g' }, spec })
  it('takes back a namespace grant of a user', () => {
    const g = grant({ role: 'ns-admin', subject: { kind: 'User', name: 'bob' }, cluster: 'c1', namespace: 'shop' })
    expect(revokeRequest(g)).toEqual({ role: 'ns-admin', user: 'bob', cluster: 'c1', namespace: 'shop' })
    expect(grantScope(g)).toBe('c1 / shop')
  })
  it('takes back a platform grant of a group', () => {
    const g = grant({ role: 'platform-viewer', subject: { kind: 'Group', name: 'ops' } })
    expect(revokeRequest(g)).toEqual({ role: 'platform-viewer', group: 'ops' })
    expect(grantScope(g)).toBe('platform')
  })
})

describe('splitMembers', () => {
  it('splits on commas and spaces, without blanks or duplicates', () => {
    expect(splitMembers(' alice, bob  carol,,alice ')).toEqual(['alice', 'bob', 'carol'])
    expect(splitMembers('')).toEqual([])
  })
})
