import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The service serves dist/ at `/` (the API stays under /v1); `npm run dev` proxies /v1
// to a local `make run` so the console can be worked on with hot reload.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '/v1': process.env.VALKYR_URL ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    testTimeout: 20000,
    pool: 'threads',
    // one environment per worker, not per file (half the time): every test starts from a
    // new store, fresh handlers, empty storage and no notifications (test/setup.ts)
    isolate: false,
  },
});
