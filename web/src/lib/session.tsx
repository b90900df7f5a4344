// The login session: the bearer token lives in sessionStorage, so it ends with the browser tab
// and is never shared with other tabs or kept on disk across browser restarts.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { createClient, type Client } from './api'

const TOKEN_KEY = 'kpanda.token'
const USER_KEY = 'kpanda.user'

interface Session {
  user: string | null
  client: Client
  login: (username: string, password: string) => Promise<void>
  logout: (reason?: string) => void
  /** expiredReason says why the last session ended without a logout (token refused). */
  expiredReason: string | null
}

const SessionContext = createContext<Session | null>(null)

interface LoginAnswer {
  token: string
  user: string
  expiresAt: string
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<string | null>(() => (sessionStorage.getItem(TOKEN_KEY) ? sessionStorage.getItem(USER_KEY) : null))
  const [expiredReason, setExpiredReason] = useState<string | null>(null)

  const logout = useCallback((reason?: string) => {
    sessionStorage.removeItem(TOKEN_KEY)
    sessionStorage.removeItem(USER_KEY)
    setExpiredReason(reason ?? null)
    setUser(null)
  }, [])

  const client = useMemo(
    () =>
      createClient({
        token: () => sessionStorage.getItem(TOKEN_KEY),
        onUnauthenticated: (err) => logout(err.message),
      }),
    [logout],
  )

  const login = useCallback(
    async (username: string, password: string) => {
      const answer = await client.post<LoginAnswer>('/login', { username, password })
      sessionStorage.setItem(TOKEN_KEY, answer.token)
      sessionStorage.setItem(USER_KEY, answer.user)
      setExpiredReason(null)
      setUser(answer.user)
    },
    [client],
  )

  const value = useMemo(() => ({ user, client, login, logout, expiredReason }), [user, client, login, logout, expiredReason])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside SessionProvider')
  return session
}

/** useClient is the API client of the session. */
export function useClient(): Client {
  return useSession().client
}
