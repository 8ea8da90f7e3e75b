// The test harness's WebKitGTK launcher (test/support/webkit) outlives a crashed page: when
// a page's web process dies, the file fails with a message that says so, and the next file
// runs in a new MiniBrowser instead of waiting out testsStartTimeout in one that cannot
// navigate. Found in a loaded CI run, where every WebKitGTK file after one such crash hung.
// The web process is killed with SIGKILL here, the way a crash ends it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { WebKitLauncher } from '../../support/webkit/launcher.ts';
import { webkitAvailable } from '../../support/webkit/webdriver.ts';

const missing = webkitAvailable();

/** Pages /a, /b, … that report their load back to the server. */
function pageServer(): { server: Server; loaded: (name: string) => Promise<void>; url: (name: string) => string } {
  const waiting = new Map<string, () => void>();
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const name = req.url!.slice(1).replace(/^loaded\//, '');
    if (req.url!.startsWith('/loaded/')) {
      seen.add(name);
      waiting.get(name)?.();
      res.end('ok');
      return;
    }
    res.setHeader('content-type', 'text/html');
    res.end(`<p>${name}</p><script>fetch('/loaded/${name}')</script>`);
  });
  server.listen(0, '127.0.0.1');
  return {
    server,
    url: (name) => `http://127.0.0.1:${(server.address() as { port: number }).port}/${name}`,
    loaded: (name) => (seen.has(name) ? Promise.resolve() : new Promise((r) => waiting.set(name, r))),
  };
}

/** Pids of the web processes in a process group. */
function webProcesses(group: number): number[] {
  try {
    return execFileSync('pgrep', ['-g', String(group), 'WebKitWebProc']).toString().trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the WebKitGTK launcher after a crashed page', { skip: missing && `WebKitGTK is not installed (${missing})` }, () => {
  const pages = pageServer();
  // Mock capture: no PulseAudio needed, nothing here records.
  const launcher = new WebKitLauncher('webkit', { mockCapture: true });
  const errors: string[] = [];
  const consoleError = console.error;

  before(async () => {
    await once(pages.server, 'listening');
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
  });

  after(async () => {
    console.error = consoleError;
    await launcher.stop();
    pages.server.close();
  });

  it('a crash during a file fails that file, says so, and the next file loads in a new MiniBrowser', async () => {
    await launcher.startSession('a', pages.url('a'));
    await pages.loaded('a');
    const first = (await launcher.processGroup())!;
    const victims = webProcesses(first);
    assert.ok(victims.length > 0, 'the page has a web process');
    for (const pid of victims) process.kill(pid, 'SIGKILL');

    await assert.rejects(launcher.stopSession('a'), /WebKitGTK: the page of this file crashed or hung \(WebDriver POST \/session\/[^/]+\/url: /);
    assert.equal(launcher.restarts, 1);
    assert.match(errors.join('\n'), /\[webkit\] leaving http:\/\/127\.0\.0\.1:\d+\/a: .*The page crashed or hung; the next test file gets a new MiniBrowser/);
    assert.equal(groupAlive(first), false, 'the old driver, MiniBrowser and web processes are gone');

    await launcher.startSession('b', pages.url('b'));
    await pages.loaded('b');
    assert.notEqual(await launcher.processGroup(), first);
    await launcher.stopSession('b');
  });

  it('a crash between files: the next file is navigated to in a new MiniBrowser', async () => {
    const before = (await launcher.processGroup())!;
    const victims = webProcesses(before);
    assert.ok(victims.length > 0, 'about:blank has a web process');
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    // The driver deletes the session when it sees the crash.
    await new Promise((r) => setTimeout(r, 1000));

    await launcher.startSession('c', pages.url('c'));
    await pages.loaded('c');
    assert.equal(launcher.restarts, 2);
    assert.notEqual(await launcher.processGroup(), before);
    assert.equal(groupAlive(before), false);
    await launcher.stopSession('c');
  });

  it('stop() leaves no process of the browser behind', async () => {
    const group = (await launcher.processGroup())!;
    await launcher.stop();
    assert.equal(groupAlive(group), false);
  });
});
