// Role grants: the roles of the API (internal/server/iam), the scope each takes, and the body
// of POST /grants and POST /revoke built from the console's form or from a listed grant.
import type { RoleGrant } from './types'
import { labelError, type Errors } from './validate'

export type Scope = 'platform' | 'cluster' | 'namespace'

/** ROLES are the roles a grant may give, in the order the form offers them. */
export const ROLES: { role: string; scope: Scope }[] = [
  { role: 'admin', scope: 'platform' },
  { role: 'kpanda-owner', scope: 'platform' },
  { role: 'platform-viewer', scope: 'platform' },
  { role: 'cluster-admin', scope: 'cluster' },
  { role: 'cluster-viewer', scope: 'cluster' },
  { role: 'ns-admin', scope: 'namespace' },
  { role: 'ns-editor', scope: 'namespace' },
  { role: 'ns-viewer', scope: 'namespace' },
]

export function roleScope(role: string): Scope | undefined {
  return ROLES.find((r) => r.role === role)?.scope
}

/** GrantRequest is the body of POST /grants and POST /revoke. */
export interface GrantRequest {
  role: string
  user?: string
  group?: string
  cluster?: string
  namespace?: string
}

export interface GrantForm {
  role: string
  subjectKind: 'user' | 'group'
  subject: string
  cluster: string
  namespace: string
}

/** validateGrant checks the form as the API does: one subject, and the fields the role's scope takes. */
export function validateGrant(form: GrantForm): Errors<keyof GrantForm> {
  const errors: Errors<keyof GrantForm> = {}
  const scope = roleScope(form.role)
  if (!scope) errors.role = 'choose a role'
  if (form.subject.trim() === '') errors.subject = `the ${form.subjectKind} to grant the role to is required`
  if (scope === 'cluster' || scope === 'namespace') {
    if (form.cluster === '') errors.cluster = `a ${scope} role needs a cluster`
  }
  if (scope === 'namespace') {
    const ns = labelError(form.namespace, 'namespace')
    if (ns) errors.namespace = ns
  }
  return errors
}

/** grantRequest is the body for the form; the fields the role's scope does not take are left out. */
export function grantRequest(form: GrantForm): GrantRequest {
  const scope = roleScope(form.role)
  const body: GrantRequest = { role: form.role }
  body[form.subjectKind] = form.subject.trim()
  if (scope === 'cluster' || scope === 'namespace') body.cluster = form.cluster
  if (scope === 'namespace') body.namespace = form.namespace
  return body
}

/** revokeRequest is the body of POST /revoke that takes back a listed grant. */
export function revokeRequest(grant: RoleGrant): GrantRequest {
  const { role, subject, cluster, namespace } = grant.spec
  const body: GrantRequest = { role }
  if (subject.kind === 'Group') body.group = subject.name
  else body.user = subject.name
  if (cluster) body.cluster = cluster
  if (namespace) body.namespace = namespace
  return body
}

/** grantScope says where a grant applies, for the list. */
export function grantScope(grant: RoleGrant): string {
  const { cluster, namespace } = grant.spec
  if (cluster && namespace) return `${cluster} / ${namespace}`
  if (cluster) return cluster
  return 'platform'
}

/** splitMembers reads a comma- or space-separated member list. */
export function splitMembers(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((m) => m !== ''))]
}
