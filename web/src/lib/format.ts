// Display of Kubernetes quantities and times.

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 }
const decimalSuffixes: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, m: 1e-3 }

/** parseQuantity reads a Kubernetes quantity ("500m", "512Gi", "64") as a number. */
export function parseQuantity(q: string | undefined): number | undefined {
  if (!q) return undefined
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(q.trim())
  if (!match) return undefined
  const value = Number(match[1])
  const suffix = match[2]
  if (suffix === '') return value
  const factor = binarySuffixes[suffix] ?? decimalSuffixes[suffix]
  return factor === undefined ? undefined : value * factor
}

/** formatCPU shows cores: "64" → "64 cores", "500m" → "0.5 cores". */
export function formatCPU(q: string | undefined): string {
  const cores = parseQuantity(q)
  if (cores === undefined) return q ?? '—'
  return `${trim(cores)} ${cores === 1 ? 'core' : 'cores'}`
}

/** formatMemory shows bytes in binary units: "512Gi" → "512 GiB". */
export function formatMemory(q: string | undefined): string {
  const bytes = parseQuantity(q)
  if (bytes === undefined) return q ?? '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${trim(value)} ${units[unit]}`
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '')
}

/** age is how long ago a time was, as kubectl shows it: 45s, 3m, 2h, 5d. */
export function age(time: string | undefined, now: number = Date.now()): string {
  if (!time) return '—'
  const seconds = Math.max(0, Math.floor((now - Date.parse(time)) / 1000))
  if (Number.isNaN(seconds)) return '—'
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86400)}d`
}

/** dateTime shows a time in the browser's time zone as 2026-01-31 14:05:09, or a dash. */
export function dateTime(time: string | undefined): string {
  if (!time) return '—'
  const d = new Date(time)
  if (Number.isNaN(d.getTime())) return time
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}
