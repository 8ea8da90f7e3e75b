// What a site or a bundler gets from the package: a classic script with no module syntax,
// type declarations that give typed events and attributes, and a custom-elements manifest
// that lists the whole public API. Built into a temporary folder by the test itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Script } from 'node:vm';

const root = resolve('.');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
let out: string;

before(() => {
  out = mkdtempSync(join(tmpdir(), 'hydra-voice-package-'));
});
after(() => rmSync(out, { recursive: true, force: true }));

describe('package outputs', () => {
  it('dist/hydra-voice.js is a classic script: it parses as a non-module script and defines the element', () => {
    execFileSync(bin('vite'), ['build', '--outDir', join(out, 'dist'), '--logLevel', 'error'], { cwd: root });
    const code = readFileSync(join(out, 'dist', 'hydra-voice.js'), 'utf8');
    assert.doesNotThrow(() => new Script(code, { filename: 'hydra-voice.js' }), 'import/export syntax would throw here');
    assert.match(code, /customElements/);
    assert.match(code, /hydra-voice/);
  });

  it('type declarations give bundler users typed elements and events', () => {
    const types = join(out, 'types');
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', types], { cwd: root });
    const consumer = join(out, 'consumer.ts');
    writeFileSync(
      consumer,
      `import type { HydraToolCallDetail, HydraVoiceElement } from ${JSON.stringify(join(types, 'index.js'))};
const el: HydraVoiceElement = document.querySelector('hydra-voice')!;
el.addEventListener('hydra-tool-call', (e) => e.detail.respond({ name: e.detail.name, args: e.detail.arguments }));
document.addEventListener('hydra-error', (e) => void [e.detail.code, e.detail.fatal]);
window.addEventListener('hydra-turn-start', (e) => void e.detail.audioStartMs);
el.persona = 'x'; el.speaksFirst = true; el.muted = false; void el.start(); el.stop(); el.cancelResponse();
const detail: HydraToolCallDetail | undefined = undefined; void detail;
// @ts-expect-error state is read-only
el.state = 'idle';
// @ts-expect-error the detail is typed
el.addEventListener('hydra-turn-end', (e) => e.detail.nope.toFixed());
`,
    );
    writeFileSync(
      join(out, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2022', lib: ['ES2022', 'DOM'], noEmit: true, skipLibCheck: true },
        files: ['consumer.ts'],
      }),
    );
    // Any error (including an unused @ts-expect-error) fails the compile and this test.
    execFileSync(bin('tsc'), ['-p', out], { cwd: root, stdio: 'pipe' });
  });

  it('the custom-elements manifest lists every attribute, event, part and custom property', () => {
    // cem resolves --outdir against the working directory, even when absolute.
    // It also rewrites package.json's "customElements" to the outdir: put it back after.
    const rel = join('.test-results', `cem-${process.pid}`);
    const pkgText = readFileSync(join(root, 'package.json'), 'utf8');
    try {
      execFileSync(bin('cem'), ['analyze', '--outdir', rel], { cwd: root, stdio: 'pipe' });
    } finally {
      writeFileSync(join(root, 'package.json'), pkgText);
    }
    const manifest = JSON.parse(readFileSync(join(root, rel, 'custom-elements.json'), 'utf8'));
    rmSync(join(root, rel), { recursive: true, force: true });
    const decl = manifest.modules.flatMap((m: any) => m.declarations ?? []).find((d: any) => d.tagName === 'hydra-voice');
    assert.ok(decl, 'hydra-voice is declared');
    const names = (list: any[] | undefined) => (list ?? []).map((x) => x.name).sort();
    for (const attr of ['token-endpoint', 'url', 'model', 'voice', 'persona', 'speaks-first', 'muted', 'state', 'worklet-url', 'worker-url']) {
      assert.ok(names(decl.attributes).includes(attr), `attribute ${attr}`);
    }
    assert.ok(!names(decl.attributes).some((n: string) => n.startsWith('_')), 'no private state in the manifest');
    assert.deepEqual(names(decl.events), [
      'hydra-error', 'hydra-frame', 'hydra-history', 'hydra-playback-end', 'hydra-reconnecting', 'hydra-response-end',
      'hydra-response-start', 'hydra-session', 'hydra-state', 'hydra-tool-call', 'hydra-turn-end', 'hydra-turn-start',
    ]);
    for (const part of ['button', 'status', 'visualizer', 'error', 'retry', 'launcher', 'panel', 'timeline', 'end']) assert.ok(names(decl.cssParts).includes(part), `part ${part}`);
    for (const prop of ['--hydra-accent', '--hydra-size', '--hydra-radius', '--hydra-input-level', '--hydra-output-level']) {
      assert.ok(names(decl.cssProperties).includes(prop), `custom property ${prop}`);
    }
    for (const method of ['start', 'stop', 'cancelResponse']) {
      assert.ok(decl.members.some((m: any) => m.kind === 'method' && m.name === method), `method ${method}`);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.customElements, 'dist/custom-elements.json');
  });
});
