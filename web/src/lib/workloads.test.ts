import { describe, expect, it } from 'vitest'
import { detailText, isWorkloadKind, readyText } from './workloads'

describe('readyText', () => {
  it('counts ready pods of Deployments and StatefulSets against the replicas', () => {
    expect(readyText('deployments', { spec: { replicas: 3 }, status: { readyReplicas: 2 } })).toBe('2/3')
    expect(readyText('statefulsets', {})).toBe('0/0')
  })
  it('counts a DaemonSet against its scheduled pods', () => {
    expect(readyText('daemonsets', { status: { numberReady: 1, desiredNumberScheduled: 2 } })).toBe('1/2')
  })
  it('counts a Job by completions and a CronJob by active Jobs', () => {
    expect(readyText('jobs', { status: { succeeded: 1 } })).toBe('1/1')
    expect(readyText('cronjobs', { status: { active: [{}, {}] } })).toBe('2 active')
  })
})

describe('detailText', () => {
  it('shows a CronJob schedule and whether it is suspended', () => {
    expect(detailText('cronjobs', { spec: { schedule: '*/5 * * * *', suspend: true } })).toBe('*/5 * * * * (suspended)')
    expect(detailText('deployments', { status: { updatedReplicas: 2 } })).toBe('2')
  })
  it('knows the kinds', () => {
    expect(isWorkloadKind('daemonsets')).toBe(true)
    expect(isWorkloadKind('pods')).toBe(false)
  })
})
