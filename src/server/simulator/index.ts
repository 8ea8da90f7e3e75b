// A local stand-in for Hydra: a plain node:http upgrade hook speaking the Hydra wire
// protocol, with real turn detection and real (synthesized) speech. Not a language model.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { DEFAULT_MODEL, DEPRECATED_MODELS, errorFrame, isModel, MODELS, WS_CLOSE } from '../../protocol/index.ts';
import { SimSession } from './session.ts';
import { warmUpSynthesis } from '../tts/synthesis-thread.ts';
import { serverEventId } from './ids.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import { loadFvad } from './vad.ts';

export type * from './options.ts';
export { DEFAULT_VAD } from './options.ts';
export { DEFAULT_INSTRUCTIONS } from './session.ts';
export { LIMITS } from './limits.ts';
export { argumentsFromSchema, defaultToolPolicy } from './tool-policy.ts';

/** A running simulator: mount `handleUpgrade` on any node:http server's 'upgrade' event. */
export interface Simulator {
  /** Handles one WebSocket upgrade request (any path). Rejects bad keys/models with HTTP 401/400. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every session (close code 1001) and stops accepting new ones. */
  close(): Promise<void>;
  /**
   * Ends every open session with `code` (default 1000, what Hydra's idle timeout sends) but
   * keeps accepting new ones. For tests and demos of server-initiated closes.
   */
  closeSessions(code?: number, reason?: string): void;
  /** Open sessions (those that received `session.created`). */
  sessionCount(): number;
}

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: { code: status === 401 ? 'unauthorized' : 'invalid_request_error', message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.on('error', () => {});
}

/**
 * Creates a Hydra simulator. Query parameters of the upgrade URL:
 * - `api_key`: checked with `options.apiKeys`; missing or wrong → HTTP 401, no socket.
 * - `model`: one of hydra-v1.1 (default when absent), hydra-v1.0, hydra (deprecated: a
 *   `warning` precedes `session.created`); anything else → HTTP 400, no socket.
 * Past `maxSessions` the socket opens, gets `error` server_full and closes with 1013.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveOptions(options);
  const fvad = loadFvad();
  fvad.catch(() => {}); // reported per session
  warmUpSynthesis();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: Math.max(resolved.maxFrameBytes * 2, 1 << 16) });
  const sessions = new Set<SimSession>();
  let closing = false;
  const host = { options: resolved, fvad, onClosed: (s: SimSession) => sessions.delete(s) };

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const key = url.searchParams.get('api_key') ?? '';
    let authorized = false;
    try {
      authorized = key.length > 0 && (await resolved.apiKeyCheck(key, req));
    } catch {
      authorized = false;
    }
    if (!authorized) return reject(socket, 401, 'Unauthorized', 'missing or invalid api_key');
    const model = url.searchParams.get('model') ?? DEFAULT_MODEL;
    if (!isModel(model)) return reject(socket, 400, 'Bad Request', `unknown model "${model}"; use one of ${MODELS.join(', ')}`);
    if (closing) return reject(socket, 503, 'Service Unavailable', 'simulator is shutting down');
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closing || sessions.size >= resolved.maxSessions) {
        const data = JSON.stringify(errorFrame(serverEventId(), { code: 'server_full', message: `server at capacity (${resolved.maxSessions} sessions); retry later` }));
        ws.send(data);
        resolved.onFrame?.({ direction: 'sent', data, binary: false });
        ws.close(WS_CLOSE.TRY_AGAIN_LATER, 'server at capacity');
        return;
      }
      const session = new SimSession(ws, model, host);
      sessions.add(session);
      session.guard(() => session.open(DEPRECATED_MODELS.has(model)));
    });
  }

  return {
    handleUpgrade(req, socket, head) {
      upgrade(req, socket, head).catch(() => socket.destroy());
    },
    async close() {
      closing = true;
      const clients = [...wss.clients];
      for (const s of [...sessions]) s.close(WS_CLOSE.GOING_AWAY, 'simulator shutting down');
      await Promise.all(
        clients.map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const t = setTimeout(() => ws.terminate(), 1000);
              ws.once('close', () => {
                clearTimeout(t);
                resolve();
              });
              if (ws.readyState === ws.OPEN) ws.close(WS_CLOSE.GOING_AWAY, 'simulator shutting down');
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    closeSessions(code = 1000, reason = 'closed by the simulator') {
      for (const s of [...sessions]) s.close(code, reason);
    },
    sessionCount: () => sessions.size,
  };
}

export interface ListeningSimulator extends Simulator {
  server: Server;
  port: number;
  /** ws://host:port/waves/v1/s2s (the path is not checked; any path works). */
  url: string;
}

/** Starts an HTTP server with the simulator on every upgrade path (for tests, benches, demos). */
export async function listenSimulator(options: SimulatorOptions & { port?: number; host?: string } = {}): Promise<ListeningSimulator> {
  const { port = 0, host = '127.0.0.1', ...simOptions } = options;
  const sim = createSimulator(simOptions);
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('Hydra simulator: connect with a WebSocket\n');
  });
  server.on('upgrade', (req, socket, head) => sim.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    ...sim,
    server,
    port: actualPort,
    url: `ws://${urlHost}:${actualPort}/waves/v1/s2s`,
    async close() {
      await sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
