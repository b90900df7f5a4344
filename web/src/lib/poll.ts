// Live status: the API has no watch of its own resources (only the raw member proxy streams),
// so pages poll. A poll starts the next request only after the previous one answered, so a
// slow cluster never piles requests up.
import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage } from './api'

export const POLL_INTERVAL_MS = 2000

export interface Polled<T> {
  data: T | undefined
  error: string | undefined
  /** loaded is true once the first answer (data or error) arrived for the current deps. */
  loaded: boolean
  reload: () => void
}

/**
 * usePoll loads at once and then every intervalMs while the component is mounted; changing
 * deps starts over. A failed poll keeps the last data and shows the error until one succeeds.
 * intervalMs 0 loads once (and on reload).
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], intervalMs = POLL_INTERVAL_MS): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loaded: boolean }>({ loaded: false })
  const [generation, setGeneration] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async () => {
      try {
        const data = await loadRef.current(controller.signal)
        if (!controller.signal.aborted) setState({ data, loaded: true })
      } catch (err) {
        if (controller.signal.aborted) return
        setState((s) => ({ data: s.data, error: errorMessage(err), loaded: true }))
      }
      if (!controller.signal.aborted && intervalMs > 0) timer = setTimeout(tick, intervalMs)
    }
    void tick()
    return () => {
      controller.abort()
      clearTimeout(timer)
    }
  }, [...deps, generation, intervalMs])

  // A new set of deps is a new resource: forget the data of the previous one.
  const depsKey = JSON.stringify(deps)
  const lastKey = useRef(depsKey)
  if (lastKey.current !== depsKey) {
    lastKey.current = depsKey
    setState({ loaded: false })
  }

  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  return { data: state.data, error: state.error, loaded: state.loaded, reload }
}
