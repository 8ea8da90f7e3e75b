// WebKitGTK's MiniBrowser, driven over W3C WebDriver (classic HTTP) by Debian's
// WebKitWebDriver, on a private Xvfb display. A few HTTP calls are all the tests and the
// bench need (new session, navigate, execute script, key actions), so this is written
// against the protocol directly instead of pulling in a WebDriver client library.
//
// Facts (WebKitGTK 2.50, Debian 12), see README "Browsers":
//   - MiniBrowser needs a display: Xvfb, started here and stopped by its pid;
//   - without `--automation` in the browser args the driver answers "Failed to match
//     capabilities" (and leaves a MiniBrowser behind);
//   - without `--enable-mock-capture-devices` there is no microphone (OverconstrainedError)
//     unless a PulseAudio server is reachable (PULSE_SERVER), which gives real capture;
//   - without `--autoplay-policy=allow` an AudioContext stays suspended until a gesture;
//   - one session per driver at a time; `--replace-on-new-session` clears a leftover one;
//   - when the page's web process dies, the driver deletes the session ("invalid session id:
//     session deleted because of page crash or hang") and every later command fails at once,
//     while MiniBrowser stays up; DELETE /session returns before MiniBrowser exits. So the
//     driver gets its own process group, and close() ends the whole group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const DRIVER = '/usr/bin/WebKitWebDriver';

/** Options for {@link startWebKit}. */
export interface WebKitOptions {
  /** Extra environment for the browser (e.g. PULSE_SERVER). */
  env?: Record<string, string>;
  /** Use WebKit's mock capture devices (a tone) instead of PulseAudio capture. */
  mockCapture?: boolean;
  /** Called with stderr lines of the driver/browser (diagnostics). */
  log?: (line: string) => void;
  /** How long an async script may run (WebDriver's default is 30 s). */
  scriptTimeoutMs?: number;
}

/** A running MiniBrowser session. */
export interface WebKitSession {
  navigate(url: string): Promise<void>;
  /** Runs `body` (a function body: use `return`) in the page; resolves with its JSON result. */
  execute<T = unknown>(body: string, args?: unknown[]): Promise<T>;
  /** Runs an async script: `body` gets `arguments[arguments.length - 1]` as its callback. */
  executeAsync<T = unknown>(body: string, args?: unknown[]): Promise<T>;
  /** Presses keys one after another (names like 'Enter', ' ', 'Tab', or single characters). */
  pressKeys(keys: string[]): Promise<void>;
  url(): Promise<string>;
  /** The driver's process group: the driver, MiniBrowser and its web processes. */
  readonly processGroup: number;
  close(): Promise<void>;
}

/** Whether a WebDriver error says the session is gone (the page crashed or hung). */
export function sessionGone(error: unknown): boolean {
  return error instanceof Error && /invalid session id/.test(error.message);
}

/** W3C WebDriver key codes for the named keys the tests press. */
const KEYS: Record<string, string> = {
  Enter: '\uE007',
  Tab: '\uE004',
  Escape: '\uE00C',
  Space: ' ',
  Backspace: '\uE003',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
};

export function webkitAvailable(): string | undefined {
  for (const path of [MINIBROWSER, DRIVER, '/usr/bin/Xvfb']) if (!existsSync(path)) return `${path} is missing`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on a free display (-displayfd) and resolves with ":N". */
function startXvfb(log: (l: string) => void): Promise<{ display: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const fd3 = proc.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, proc });
    });
    proc.stderr!.on('data', (d: Buffer) => log(String(d).trim()));
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before giving a display`)));
    proc.once('error', reject);
  });
}

/** How long a command may take before it counts as hung; scripts get their own timeout on top. */
const COMMAND_TIMEOUT_MS = 60_000;

async function request<T>(base: string, method: string, path: string, body?: unknown, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((e: Error) => {
    const why = e.name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : e.message;
    throw new Error(`WebDriver ${method} ${path}: ${why}`);
  });
  const json = (await res.json().catch(() => ({}))) as { value?: unknown };
  const value = json.value as { error?: string; message?: string } | undefined;
  if (!res.ok || (value && typeof value === 'object' && 'error' in value && value.error)) {
    throw new Error(`WebDriver ${method} ${path}: ${value?.error ?? res.status}: ${value?.message ?? ''}`.trim());
  }
  return json.value as T;
}

async function waitForDriver(base: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${proc.exitCode}`);
    try {
      await request(base, 'GET', '/status');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('WebKitWebDriver did not answer /status');
}

function kill(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** Ends a process group (SIGTERM, SIGKILL after 3 s) and resolves once none of it is left. */
async function killGroup(pgid: number | undefined): Promise<void> {
  if (!pgid) return;
  const signal = (sig: NodeJS.Signals | 0) => {
    try {
      process.kill(-pgid, sig);
      return true;
    } catch {
      return false; // ESRCH: nothing left in the group
    }
  };
  if (!signal('SIGTERM')) return;
  for (let waited = 0; waited < 3000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    if (!signal(0)) return;
  }
  signal('SIGKILL');
  for (let waited = 0; waited < 5000 && signal(0); waited += 50) await new Promise((r) => setTimeout(r, 50));
}

/** Starts Xvfb + WebKitWebDriver + a MiniBrowser session. */
export async function startWebKit(options: WebKitOptions = {}): Promise<WebKitSession> {
  const log = options.log ?? (() => undefined);
  const missing = webkitAvailable();
  if (missing) throw new Error(`WebKitGTK cannot start: ${missing} (apt-get install webkit2gtk-driver xvfb xauth)`);
  const xvfb = await startXvfb(log);
  let driver: ChildProcess | undefined;
  let endGroup = () => {};
  try {
    const port = await freePort();
    driver = spawn(DRIVER, [`--port=${port}`, '--replace-on-new-session'], {
      env: { ...process.env, DISPLAY: xvfb.display, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, with MiniBrowser and its web processes
    });
    driver.stdout!.on('data', (d: Buffer) => log(String(d).trim()));
    driver.stderr!.on('data', (d: Buffer) => log(String(d).trim()));
    // Its own group does not hear a terminal's Ctrl-C: end it when this process exits.
    const group = driver.pid!;
    endGroup = () => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', endGroup);
    const base = `http://127.0.0.1:${port}`;
    await waitForDriver(base, driver);
    const args = ['--automation', '--autoplay-policy=allow'];
    if (options.mockCapture) args.push('--enable-mock-capture-devices=true');
    const created = await request<{ sessionId: string }>(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args } } },
    });
    const s = `/session/${created.sessionId}`;
    if (options.scriptTimeoutMs) await request(base, 'POST', `${s}/timeouts`, { script: options.scriptTimeoutMs });
    let closed = false;
    const proc = driver;
    // A script may run for its own timeout (WebDriver's default 30 s) before the driver answers.
    const scriptWait = (options.scriptTimeoutMs ?? 30_000) + COMMAND_TIMEOUT_MS;
    return {
      processGroup: proc.pid!,
      navigate: (url) => request(base, 'POST', `${s}/url`, { url }),
      execute: (body, scriptArgs = []) => request(base, 'POST', `${s}/execute/sync`, { script: body, args: scriptArgs }, scriptWait),
      executeAsync: (body, scriptArgs = []) =>
        request(base, 'POST', `${s}/execute/async`, { script: body, args: scriptArgs }, scriptWait),
      async pressKeys(keys) {
        const actions = keys.flatMap((k) => {
          const value = KEYS[k] ?? k;
          return [{ type: 'keyDown', value }, { type: 'keyUp', value }];
        });
        await request(base, 'POST', `${s}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions }] });
      },
      url: () => request<string>(base, 'GET', `${s}/url`),
      async close() {
        if (closed) return;
        closed = true;
        await request(base, 'DELETE', s, undefined, 10_000).catch(() => undefined);
        await killGroup(proc.pid);
        process.off('exit', endGroup);
        await kill(xvfb.proc);
      },
    };
  } catch (e) {
    await killGroup(driver?.pid);
    process.off('exit', endGroup);
    await kill(xvfb.proc);
    throw e;
  }
}
