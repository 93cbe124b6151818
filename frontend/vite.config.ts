import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// The FastAPI app serves the built SPA from backend/roundtable/static (see _mount_spa).
// `npm run dev` proxies the API and the live socket to a backend on port 8020.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: '../backend/roundtable/static',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8020', ws: true, changeOrigin: false } },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
