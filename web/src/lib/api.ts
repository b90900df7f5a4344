// The REST client of the console: JSON in and out, bearer token from the session, and every
// error turned into an ApiError whose message is the API's own `message` (DESIGN §2), which
// tells the user what to do.

export const API_PREFIX = '/apis/kpanda.io/v1alpha1'

/** ApiError is a refused or failed call, with the API's fields when the server sent them. */
export class ApiError extends Error {
  readonly status: number
  readonly code?: number
  readonly reason?: string
  readonly field?: string

  constructor(message: string, status: number, body?: { code?: number; reason?: string; field?: string }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = body?.code
    this.reason = body?.reason
    this.field = body?.field
  }
}

/**
 * errorFromResponse builds the ApiError of a failed response. The API answers
 * {"code", "message", ...}; anything else (a proxy's HTML page, an empty body) is described by
 * its status and the start of its text, so the user still learns something useful.
 */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  try {
    const body = JSON.parse(text)
    if (body && typeof body.message === 'string' && body.message !== '') {
      return new ApiError(body.message, res.status, body)
    }
  } catch {
    // not JSON: described below
  }
  const status = `HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`
  const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200)
  return new ApiError(snippet ? `${status}: ${snippet}` : status, res.status)
}

export interface ClientOptions {
  /** token returns the bearer token of the session, or null before login. */
  token: () => string | null
  /** onUnauthenticated is told when the API refuses the token (expired, user disabled). */
  onUnauthenticated?: (err: ApiError) => void
  fetch?: typeof fetch
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Client {
  request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T>
  get<T>(path: string, signal?: AbortSignal): Promise<T>
  post<T>(path: string, body?: unknown): Promise<T>
  put<T>(path: string, body?: unknown): Promise<T>
  patch<T>(path: string, body?: unknown): Promise<T>
  del<T>(path: string): Promise<T>
}

/** createClient returns a client of the API; path is relative to API_PREFIX. */
export function createClient(opts: ClientOptions): Client {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init))
  async function request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    const token = opts.token()
    if (token) headers.Authorization = `Bearer ${token}`
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let res: Response
    try {
      res = await doFetch(API_PREFIX + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err
      throw new ApiError(`cannot reach the kpanda API (${(err as Error).message}); is the apiserver running?`, 0)
    }
    if (!res.ok) {
      const apiErr = await errorFromResponse(res)
      if (res.status === 401 && token) opts.onUnauthenticated?.(apiErr)
      throw apiErr
    }
    if (res.status === 204) return undefined as T
    const text = await res.text()
    if (text === '') return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new ApiError(`the API answered ${method} ${path} with something that is not JSON: ${text.slice(0, 120)}`, res.status)
    }
  }
  return {
    request,
    get: (path, signal) => request('GET', path, undefined, signal),
    post: (path, body) => request('POST', path, body ?? {}),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    del: (path) => request('DELETE', path),
  }
}

/** errorMessage is what to show for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

/** seg escapes one path segment (names are DNS labels, but values typed by users may not be). */
export function seg(value: string): string {
  return encodeURIComponent(value)
}
