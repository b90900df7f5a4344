import { describe, expect, it } from 'vitest'
import { inventoryPath, isInventoryResource, pageRange } from './inventory'

describe('inventoryPath', () => {
  it('asks for the first page with the page size only', () => {
    expect(inventoryPath({ resource: 'pods', labelSelector: '', name: ' ', continueToken: '' })).toBe('/multicluster/pods?limit=50')
  })
  it('encodes the selector, the name and the continue token', () => {
    const path = inventoryPath({ resource: 'jobs', labelSelector: ' app=web,tier!=db ', name: 'shop', continueToken: 'a+b/c=' })
    expect(path.startsWith('/multicluster/jobs?')).toBe(true)
    const params = new URLSearchParams(path.split('?')[1])
    expect(params.get('labelSelector')).toBe('app=web,tier!=db')
    expect(params.get('name')).toBe('shop')
    expect(params.get('limit')).toBe('50')
    expect(params.get('continue')).toBe('a+b/c=')
  })
})

describe('pageRange', () => {
  it('numbers the items of a page', () => {
    expect(pageRange(0, 50, 230)).toBe('1–50 of 230')
    expect(pageRange(4, 30, 230)).toBe('201–230 of 230')
    expect(pageRange(0, 0, 0)).toBe('0 of 0')
  })
})

describe('isInventoryResource', () => {
  it('knows the resources of the endpoint', () => {
    expect(isInventoryResource('cronjobs')).toBe(true)
    expect(isInventoryResource('services')).toBe(false)
    expect(isInventoryResource(null)).toBe(false)
  })
})
