// Size of the shipped script: what every page that embeds <hydra-voice> downloads.
// Measured on dist/hydra-voice.js (the classic script) with Node's zlib at maximum levels,
// like a CDN would serve it. The contributors come from rollup-plugin-visualizer's raw data
// (dist/stats.json, written by `npm run build`), grouped by npm package or src/ folder;
// per-module gzip sizes are compressed separately, so they add up to more than the total.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Budget for the gzipped classic script, in bytes. `npm run bench` fails above it.
 * #13: 30 kB with the whole widget (layouts, timeline, locales, devices, push-to-talk, the
 * lazily loaded WebRTC echo route). Won back by build-level shrinking (Lit's unused paths,
 * internal property names, nested html`` literals) and a few forwarding closures less.
 */
export const GZIP_BUDGET_BYTES = 30 * 1024;

export interface SizeFigures {
  rawBytes: number;
  gzipBytes: number;
  brotliBytes: number;
  budgetBytes: number;
  withinBudget: boolean;
  contributors: { name: string; renderedBytes: number; gzipBytes: number }[];
  /** dist/locales/*.js: the translations, fetched only by pages in those languages. */
  locales: { name: string; gzipBytes: number }[];
  /** dist/hydra-voice-webrtc.js: the WebRTC echo route, fetched only where the echo guard asks for it. */
  webrtcRouteGzipBytes: number | undefined;
}

interface Stats {
  nodeParts: Record<string, { renderedLength: number; gzipLength: number; metaUid: string }>;
  nodeMetas: Record<string, { id: string }>;
}

function groupOf(id: string): string {
  const pkg = id.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1]!;
  const src = id.match(/\/src\/([^/]+)/);
  return src ? `src/${src[1]}` : id;
}

export function measureSize(script = 'dist/hydra-voice.js', statsFile = 'dist/stats.json'): SizeFigures {
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  const code = readFileSync(script);
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  const brotliBytes = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const groups = new Map<string, { renderedBytes: number; gzipBytes: number }>();
  if (existsSync(statsFile)) {
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Stats;
    for (const part of Object.values(stats.nodeParts)) {
      const meta = stats.nodeMetas[part.metaUid];
      if (!meta) continue;
      const g = groupOf(meta.id);
      const acc = groups.get(g) ?? { renderedBytes: 0, gzipBytes: 0 };
      acc.renderedBytes += part.renderedLength;
      acc.gzipBytes += part.gzipLength;
      groups.set(g, acc);
    }
  }
  const contributors = [...groups.entries()]
    .map(([name, v]) => ({ name, ...v }))
    .sort((a, b) => b.renderedBytes - a.renderedBytes)
    .slice(0, 8);
  const routeFile = 'dist/hydra-voice-webrtc.js';
  const localeDir = 'dist/locales';
  const locales = existsSync(localeDir)
    ? readdirSync(localeDir).sort().map((name) => ({ name, gzipBytes: gzipSync(readFileSync(`${localeDir}/${name}`), { level: 9 }).length }))
    : [];
  return {
    rawBytes: code.length,
    gzipBytes,
    brotliBytes,
    budgetBytes: GZIP_BUDGET_BYTES,
    withinBudget: gzipBytes <= GZIP_BUDGET_BYTES,
    contributors,
    locales,
    webrtcRouteGzipBytes: existsSync(routeFile) ? gzipSync(readFileSync(routeFile), { level: 9 }).length : undefined,
  };
}

export interface PackageFigures {
  /** The .tgz `npm pack` would write. */
  tarballBytes: number;
  unpackedBytes: number;
  files: number;
}

/** What `npm install hydra-voice` downloads: `npm pack --dry-run` of the built package. */
export function measurePackage(): PackageFigures {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const info = JSON.parse(out)[0] as { size: number; unpackedSize: number; entryCount: number };
  return { tarballBytes: info.size, unpackedBytes: info.unpackedSize, files: info.entryCount };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ ...measureSize(), package: measurePackage() }, null, 2));
