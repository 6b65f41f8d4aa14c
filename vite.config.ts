import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Libraries in chunks of their own, grouped by what loads together: the panel's first paint needs
// React, Mantine and TanStack Query; the preview (a lazy route) alone needs CodeMirror. Each group stays
// under Vite's 500 kB warning and is cached across releases that change only our code.
const vendorGroups = [
  { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ },
  { name: 'mantine', test: /node_modules[\\/](@mantine|@floating-ui)[\\/]/ },
  { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
  { name: 'zod', test: /node_modules[\\/]zod[\\/]/ },
  {
    name: 'codemirror',
    test: /node_modules[\\/](@codemirror|@lezer|@uiw|@marijn|style-mod|w3c-keyname|crelt)[\\/]/,
  },
];

// The SPA is served by annex's own server in production; in dev, Vite proxies the API to it.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: { output: { codeSplitting: { groups: vendorGroups } } },
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://127.0.0.1:8080', '/files': 'http://127.0.0.1:8080' },
  },
  worker: { format: 'es' },
});
