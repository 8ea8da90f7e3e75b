// Builds the shipped browser library from src/index.ts:
//   dist/hydra-voice.js   classic script (IIFE, no `export`): <script src> on any page,
//                         defines <hydra-voice> and exposes window.HydraVoice
//   dist/hydra-voice.mjs  ES module for bundlers
// and the bundle reports from rollup-plugin-visualizer (dist/stats.html, dist/stats.json)
// that `npm run bench` reads for the largest contributors.
// `npm start` serves the demo through src/server/dev-server.ts, not through this config.
import { defineConfig } from 'vite';
import { visualizer } from 'rollup-plugin-visualizer';
import { minifyLiteralsPlugin } from './scripts/minify-literals.ts';

export default defineConfig({
  publicDir: false,
  plugins: [minifyLiteralsPlugin()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    minify: true,
    lib: {
      entry: 'src/index.ts',
      name: 'HydraVoice',
      formats: ['iife', 'es'],
      fileName: (format) => (format === 'es' ? 'hydra-voice.mjs' : 'hydra-voice.js'),
    },
    rollupOptions: {
      plugins: [
        visualizer({ filename: 'dist/stats.html', template: 'treemap', gzipSize: true, brotliSize: true }),
        visualizer({ filename: 'dist/stats.json', template: 'raw-data', gzipSize: true, brotliSize: true }),
      ],
    },
  },
});
