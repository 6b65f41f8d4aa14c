import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The SPA is served by annex's own server in production; in dev, Vite proxies the API to it.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist/web', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: { '/api': 'http://127.0.0.1:8080', '/files': 'http://127.0.0.1:8080' },
  },
  worker: { format: 'es' },
});
