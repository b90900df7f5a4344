import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router-dom'
import { useSession } from './lib/session'
import { LoginPage } from './pages/LoginPage'
import { ClustersPage } from './pages/ClustersPage'
import { ClusterPage } from './pages/ClusterPage'
import { PermissionsPage } from './pages/PermissionsPage'
import { InventoryPage } from './pages/InventoryPage'

export function App() {
  const { user } = useSession()
  const location = useLocation()
  if (!user) {
    if (location.pathname === '/login') return <LoginPage />
    // Back to where the user was going after the login.
    const next = location.pathname + location.search
    return <Navigate to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />
  }
  return (
    <div className="shell">
      <TopBar user={user} />
      <main className="main">
        <Routes>
          <Route path="/" element={<Navigate to="/clusters" replace />} />
          <Route path="/login" element={<Navigate to="/clusters" replace />} />
          <Route path="/clusters" element={<ClustersPage />} />
          <Route path="/clusters/:name/*" element={<ClusterPage />} />
          <Route path="/multicluster" element={<InventoryPage />} />
          <Route path="/permissions" element={<PermissionsPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  )
}

function TopBar({ user }: { user: string }) {
  const { logout } = useSession()
  return (
    <header className="topbar">
      <NavLink to="/clusters" className="brand">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        kpanda
      </NavLink>
      <nav className="topnav" aria-label="Main">
        <NavLink to="/clusters">Clusters</NavLink>
        <NavLink to="/multicluster">All pods</NavLink>
        <NavLink to="/permissions">Permissions</NavLink>
      </nav>
      <div className="topbar-user">
        <span className="muted" data-testid="current-user">
          {user}
        </span>
        <button className="button button-quiet" onClick={() => logout()}>
          Log out
        </button>
      </div>
    </header>
  )
}

function NotFound() {
  return (
    <section className="page" data-page="not-found" data-ready="true">
      <h1>Page not found</h1>
      <p>
        <NavLink to="/clusters">Go to the clusters</NavLink>
      </p>
    </section>
  )
}
