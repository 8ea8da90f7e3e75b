// Starts a real redis-server (Debian's package) on a free loopback port for one test file,
// with no persistence, and stops it afterwards. Fails with a clear message when redis-server
// is not installed (.ci/run installs it; locally: apt-get install redis-server).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startOn(port: number, password: string | undefined): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'notice', ...(password ? ['--requirepass', password] : [])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new Error('redis-server is not installed (apt-get install redis-server)') : e),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready: ${output.trim()}`)));
  });
}

/**
 * A fresh redis-server; retries on another port if the chosen one was taken meanwhile.
 * With `password`, clients must authenticate (the URL carries it: redis://:pw@host:port).
 */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      const child = await startOn(port, options.password);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      return {
        url: `redis://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${port}`,
        port,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    } catch (e) {
      lastError = e;
      if ((e as Error).message.includes('not installed')) break;
    }
  }
  throw lastError;
}
