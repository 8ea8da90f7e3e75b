// The whole server side of a real deployment, mounted on web-test-runner's own server for
// end-to-end tests: the token endpoint, the relay (which checks tokens and holds the API
// key) and, behind it, the local Hydra simulator. A page on the test origin embeds
// dist/hydra-voice.js with token-endpoint="/api/hydra-token" exactly as a site would.
//
//   POST /api/hydra-token[?relay=full]  token endpoint; relay=full points at a relay whose
//                                       simulator is at capacity (server_full + 1013)
//   WS   /hydra, /hydra-full            relays → simulators on their own loopback ports
//   POST /__e2e/drop                    destroys every relayed browser socket (TCP drop)
//   POST /__e2e/close-sessions?code=N   the simulator closes its sessions with code N
//   GET  /__e2e/timings                 the simulator's per-response and per-turn records
//   GET  /__e2e/input-levels?session=ID&from=MS&to=MS
//                                       levels (dBFS) of the audio chunks the simulator
//                                       received in that span of the session's input clock
//   GET  /__e2e/stats                   open relayed sockets, simulator sessions, and the
//                                       number of WebSocket upgrades per relay path so far
//
// Replies: instructions containing "[long]" get a ~12 s reply (for barge-in tests), "[short]"
// a ~1.5 s one (every reply and tool narration), "[speakerphone]" a ~4 s one (the
// self-interruption test wants replies of at least 3 s).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context, Next } from 'koa';
import { createRelay, createTokenHandler } from '../../src/server/index.ts';
import { listenSimulator, type ListeningSimulator } from '../../src/server/simulator/index.ts';
import type { ResponseTiming, TurnRecord } from '../../src/server/simulator/index.ts';
import { InputLevels } from './input-levels.ts';

const UPSTREAM_KEY = 'e2e-upstream-key';
const LONG_REPLY =
  'Here is a long answer, so that you have time to interrupt me. The weather in Paris is mild today, ' +
  'with a light breeze from the west and a few clouds in the afternoon. Tomorrow looks much the same, ' +
  'although there may be a short shower in the evening, so an umbrella would not hurt. ' +
  'The weekend should be sunny and warm, perfect for a walk along the river.';

const SHORT_REPLY = 'It is sunny in Paris.';
const SPEAKERPHONE_REPLY = 'The weather in Paris is mild today, with a light breeze from the west.';

interface Stack {
  sim: ListeningSimulator;
  simFull: ListeningSimulator;
  timings: ResponseTiming[];
  turns: TurnRecord[];
  inputLevels: InputLevels;
  sockets: Set<Duplex>;
  upgrades: Record<string, number>;
  token: (req: IncomingMessage, res: import('node:http').ServerResponse) => void;
}

let stack: Promise<Stack> | undefined;

const isLocalOrigin = (origin: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin);

export function mountE2eStack(server: Server): void {
  stack = build(server);
}

async function build(server: Server): Promise<Stack> {
  const timings: ResponseTiming[] = [];
  const turns: TurnRecord[] = [];
  const inputLevels = new InputLevels();
  const replyText = ({ instructions, turn }: { instructions: string; turn: number }) =>
    instructions.includes('[long]') ? LONG_REPLY
    : instructions.includes('[short]') ? SHORT_REPLY
    : instructions.includes('[speakerphone]') ? SPEAKERPHONE_REPLY
    : turn === 0 ? 'Hello! How can I help you today?' : `You asked question number ${turn}. Here is a short answer.`;
  const sim = await listenSimulator({
    apiKeys: [UPSTREAM_KEY],
    replyText,
    onTiming: (t) => timings.push(t),
    onTurn: (t) => turns.push(t),
    onFrame: inputLevels.onFrame,
  });
  const simFull = await listenSimulator({ apiKeys: [UPSTREAM_KEY], maxSessions: 0 });
  const secret = randomBytes(32).toString('hex');
  const relayOptions = { secret, apiKey: UPSTREAM_KEY, allowedOrigins: isLocalOrigin, maxSessionsPerToken: 2 };
  const relays = new Map([
    ['/hydra', createRelay({ ...relayOptions, upstreamUrl: sim.url })],
    ['/hydra-full', createRelay({ ...relayOptions, upstreamUrl: simFull.url })],
  ]);
  const sockets = new Set<Duplex>();
  const upgrades: Record<string, number> = {};
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const relay = relays.get(path);
    if (!relay) return;
    upgrades[path] = (upgrades[path] ?? 0) + 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    relay.handleUpgrade(req, socket, head);
  });
  const token = createTokenHandler({
    secret,
    allowedOrigins: isLocalOrigin,
    relayUrl: (req) => {
      const full = new URL(req.url ?? '/', 'http://x').searchParams.get('relay') === 'full';
      return `ws://${req.headers.host}/hydra${full ? '-full' : ''}`;
    },
  });
  server.once('close', () => {
    void sim.close();
    void simFull.close();
  });
  return { sim, simFull, timings, turns, inputLevels, sockets, upgrades, token };
}

export function e2eRoutes() {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/api/hydra-token' && !ctx.path.startsWith('/__e2e/')) return next();
    if (!stack) throw new Error('e2e stack not mounted');
    const s = await stack;
    switch (ctx.path) {
      case '/api/hydra-token':
        ctx.respond = false;
        s.token(ctx.req, ctx.res);
        return;
      case '/__e2e/drop':
        for (const socket of s.sockets) socket.destroy();
        ctx.body = { dropped: s.sockets.size };
        return;
      case '/__e2e/close-sessions':
        s.sim.closeSessions(Number(ctx.query.code ?? 1000), 'closed by the test');
        ctx.body = { ok: true };
        return;
      case '/__e2e/timings':
        ctx.body = { timings: s.timings, turns: s.turns };
        return;
      case '/__e2e/input-levels':
        ctx.body = s.inputLevels.between(String(ctx.query.session), Number(ctx.query.from), Number(ctx.query.to));
        return;
      case '/__e2e/stats':
        ctx.body = { relayedSockets: s.sockets.size, simulatorSessions: s.sim.sessionCount(), upgrades: { ...s.upgrades } };
        return;
    }
    ctx.status = 404;
  };
}
