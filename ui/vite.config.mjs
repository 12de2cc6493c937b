// The dashboard's build: `npm run build` writes dist/ui, which `lutflow serve` serves under /ui.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  logLevel: 'warn',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    // One app bundle for a page that loads once; recharts and React are most of it.
    chunkSizeWarningLimit: 1200,
  },
});
