import { describe, expect, it, vi } from 'vitest'
import { ApiError, createClient, errorFromResponse } from './api'

function jsonResponse(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), { status, statusText, headers: { 'Content-Type': 'application/json' } })
}

describe('errorFromResponse', () => {
  it('uses the message, code, reason and field of the API error', async () => {
    const err = await errorFromResponse(
      jsonResponse(400, { code: 3, message: 'name: required; a DNS-1123 label such as prod-east-1', field: 'name', reason: 'Invalid' }),
    )
    expect(err.message).toBe('name: required; a DNS-1123 label such as prod-east-1')
    expect(err.status).toBe(400)
    expect(err.code).toBe(3)
    expect(err.field).toBe('name')
    expect(err.reason).toBe('Invalid')
  })

  it('describes a body that is not the API error by status and text', async () => {
    const err = await errorFromResponse(new Response('<html>\n  <b>Bad   gateway</b></html>', { status: 502, statusText: 'Bad Gateway' }))
    expect(err.message).toBe('HTTP 502 Bad Gateway: <html> <b>Bad gateway</b></html>')
  })

  it('falls back to the status for an empty body or an empty message', async () => {
    expect((await errorFromResponse(new Response('', { status: 503 }))).message).toBe('HTTP 503')
    expect((await errorFromResponse(jsonResponse(500, { code: 13, message: '' }))).message).toMatch(/^HTTP 500: /)
  })
})

describe('createClient', () => {
  it('sends the bearer token and JSON body, and returns the parsed answer', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(201, { name: 'charts' }))
    const client = createClient({ token: () => 'tok', fetch: fetchMock })
    const answer = await client.post<{ name: string }>('/clusters/member-1/helmrepos', { name: 'charts' })
    expect(answer).toEqual({ name: 'charts' })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/apis/kpanda.io/v1alpha1/clusters/member-1/helmrepos')
    expect(init.method).toBe('POST')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
    expect(init.body).toBe('{"name":"charts"}')
  })

  it('throws the API message and reports a refused token', async () => {
    const onUnauthenticated = vi.fn()
    const client = createClient({
      token: () => 'expired',
      onUnauthenticated,
      fetch: async () => jsonResponse(401, { code: 16, message: 'token expired; log in again (kpanda login)' }),
    })
    await expect(client.get('/clusters')).rejects.toThrow('token expired; log in again (kpanda login)')
    expect(onUnauthenticated).toHaveBeenCalledOnce()
  })

  it('does not report a failed login (no token yet) as an expired session', async () => {
    const onUnauthenticated = vi.fn()
    const client = createClient({
      token: () => null,
      onUnauthenticated,
      fetch: async () => jsonResponse(401, { code: 16, message: 'wrong username or password' }),
    })
    await expect(client.post('/login', {})).rejects.toBeInstanceOf(ApiError)
    expect(onUnauthenticated).not.toHaveBeenCalled()
  })

  it('says the API is unreachable when the request fails', async () => {
    const client = createClient({ token: () => null, fetch: async () => { throw new TypeError('Failed to fetch') } })
    const err = (await client.get('/clusters').catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.message).toContain('cannot reach the kpanda API (Failed to fetch)')
  })

  it('passes an abort through unchanged', async () => {
    const client = createClient({
      token: () => null,
      fetch: async () => { throw new DOMException('aborted', 'AbortError') },
    })
    const err = await client.get('/clusters').catch((e) => e)
    expect(err).toBeInstanceOf(DOMException)
  })

  it('returns undefined for an empty answer', async () => {
    const client = createClient({ token: () => 't', fetch: async () => new Response(null, { status: 204 }) })
    expect(await client.del('/clusters/x')).toBeUndefined()
  })
})
