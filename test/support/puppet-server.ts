// The "puppet" WebSocket server for protocol-level browser tests. A test opens a control
// socket at /__puppet/control?id=X and scripts, frame by frame, what the server at
// /__puppet/ws?id=X does: send frames (valid or malformed), close with a code, drop the
// TCP connection, or refuse the next upgrade with an HTTP status (a 401 the browser cannot
// see). Everything the client under test sends is forwarded to the control socket.
// It is a real WebSocket server on the test server's own port, not a mock in the page.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

import type { PuppetCommand, PuppetEvent } from './puppet-protocol.ts';

export type { PuppetCommand, PuppetEvent };

interface Stage {
  control?: WebSocket;
  targets: WebSocket[];
  rejects: { status: number; remaining: number } | undefined;
  pending: PuppetEvent[];
}

export function attachPuppetServer(server: Server): void {
  const wss = new WebSocketServer({ noServer: true });
  const stages = new Map<string, Stage>();
  const stage = (id: string): Stage => {
    let s = stages.get(id);
    if (!s) stages.set(id, (s = { targets: [], rejects: undefined, pending: [] }));
    return s;
  };
  const emit = (s: Stage, event: PuppetEvent) => {
    if (s.control && s.control.readyState === s.control.OPEN) s.control.send(JSON.stringify(event));
    else s.pending.push(event);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/__puppet/')) return;
    const id = url.searchParams.get('id') ?? '';
    const s = stage(id);
    if (url.pathname === '/__puppet/control') {
      wss.handleUpgrade(req, socket, head, (ws) => {
        s.control = ws;
        for (const e of s.pending.splice(0)) ws.send(JSON.stringify(e));
        ws.on('message', (data) => runCommand(s, JSON.parse(String(data)) as PuppetCommand));
        ws.on('close', () => {
          for (const t of s.targets) t.terminate();
          stages.delete(id);
        });
      });
      return;
    }
    if (url.pathname === '/__puppet/ws') {
      if (s.rejects && s.rejects.remaining > 0) {
        s.rejects.remaining--;
        const status = s.rejects.status;
        socket.end(`HTTP/1.1 ${status} Rejected\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        emit(s, { ev: 'rejected', status, url: req.url ?? '' });
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = s.targets.push(ws) - 1;
        emit(s, { ev: 'open', conn, url: req.url ?? '', ...(req.headers.origin ? { origin: req.headers.origin } : {}) });
        ws.on('message', (data) => emit(s, { ev: 'frame', conn, data: String(data) }));
        ws.on('close', (code, reason) => emit(s, { ev: 'close', conn, code, reason: String(reason) }));
      });
    }
  });

  function runCommand(s: Stage, cmd: PuppetCommand) {
    if (cmd.op === 'reject-next') {
      s.rejects = { status: cmd.status, remaining: cmd.count ?? 1 };
      return;
    }
    const target = s.targets[cmd.conn ?? s.targets.length - 1];
    if (!target) return;
    if (cmd.op === 'stream') {
      stream(target, cmd.frames, cmd.intervalMs, cmd.leadMs ?? 0);
      return;
    }
    if (cmd.op === 'send') target.send(cmd.raw ?? JSON.stringify(cmd.frame));
    else if (cmd.op === 'close') target.close(cmd.code ?? 1000, cmd.reason ?? '');
    else if (cmd.op === 'drop') target.terminate();
  }
}

/** Paces frames against the clock (not against the previous send), so a late timer catches up. */
function stream(target: WebSocket, frames: unknown[], intervalMs: number, leadMs: number): void {
  const start = performance.now();
  let next = 0;
  const pump = () => {
    const now = performance.now() - start;
    while (next < frames.length && next * intervalMs - leadMs <= now) {
      if (target.readyState !== target.OPEN) return;
      target.send(JSON.stringify(frames[next++]));
    }
    if (next < frames.length) setTimeout(pump, Math.max(1, next * intervalMs - leadMs - now));
  };
  pump();
}
