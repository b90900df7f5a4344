import { defineConfig } from 'vitest/config'

declare const process: { env: Record<string, string | undefined> }

// The console is served by the kpanda apiserver (web/embed.go embeds dist/app). JSX goes
// through esbuild's automatic runtime, so no React plugin is needed.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    // dist/ itself holds the committed placeholder that keeps go:embed working before a build;
    // Vite empties only dist/app.
    outDir: 'dist/app',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for React Server Components; a plain
        // client bundle has nothing to do with that.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        warn(warning)
      },
    },
  },
  server: {
    // `npm run dev` against a running kpanda (make run): KPANDA_URL=http://127.0.0.1:8443.
    proxy: { '/apis': process.env.KPANDA_URL ?? 'http://127.0.0.1:8443' },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
