// The fuzzing clients, in a child process of the fuzz test (fuzz.test.ts), so the servers'
// event loop carries only server work, as in a deployment where clients are remote. Runs
// parallel sessions against each target URL: mutated frames (mutations.ts), each followed
// by a probe whose error answer proves it was handled; spoken turns with the speech
// fixture; valid frames in the wrong order; reconnecting whenever a frame closed the socket.
// Reports its statistics on the IPC channel.
import { request } from 'node:http';
import { pcm16ToBase64 } from '../../../src/protocol/index.ts';
import { speechFixture, TestClient } from '../simulator/helpers.ts';
import { mutate, Rng, seedFrames, type WireFrame } from './mutations.ts';

export interface FuzzJob {
  seed: number;
  /** Mutated (or reordered valid) frames per target. */
  frames: number;
  sessionsPerTarget: number;
  targets: { name: string; url: string; tokenEndpoint?: string; origin?: string }[];
}

export interface FuzzStats {
  target: string;
  frames: number;
  audioFrames: number;
  reconnects: number;
  kinds: Record<string, number>;
}

function token(endpoint: string, origin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers: { Origin: origin } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body).token as string) : reject(new Error(`token endpoint: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function send(c: TestClient, frame: WireFrame): void {
  if (c.ws.readyState !== c.ws.OPEN) return;
  if ('text' in frame) c.ws.send(frame.text);
  else if ('rawText' in frame) c.ws.send(frame.rawText, { binary: false });
  else c.ws.send(frame.binary, { binary: true });
}

/**
 * Sends `frame`, then a probe whose error answer proves the frame was handled, then pauses
 * a few ms (a session sends at most a few hundred frames/s: what is tested is the cost of
 * each frame, not a flood, which no single-threaded server absorbs without queueing).
 * False if the socket closed.
 */
async function sendAndProbe(c: TestClient, frame: WireFrame, probe: number, rng: Rng): Promise<boolean> {
  send(c, frame);
  const id = `probe_${probe}`;
  const mark = c.frames.length;
  send(c, { text: `{"type":"fuzz.probe","event_id":"${id}"}` });
  const answered = c.waitFor((f) => f.type === 'error' && f.error.event_id === id, { from: mark, timeoutMs: 60_000 }).then(() => true);
  const open = await Promise.race([answered, c.closed.then(() => false)]);
  await new Promise((r) => setTimeout(r, rng.int(8)));
  return open;
}

async function fuzzSession(target: FuzzJob['targets'][number], speech: Int16Array, rng: Rng, stats: FuzzStats, budget: number): Promise<void> {
  let probe = 0;
  const audio = (at: number) => pcm16ToBase64(speech.subarray(at, at + 320));
  while (stats.frames < budget) {
    const query = target.tokenEndpoint ? { api_key: await token(target.tokenEndpoint, target.origin!) } : {};
    const c = await TestClient.connect(target.url, query, target.origin ? { origin: target.origin } : {});
    await c.waitFor('session.created');
    if (rng.chance(0.7)) c.send(seedFrames(audio(0), [])[0]!);
    let open = true;
    while (open && stats.frames < budget) {
      const roll = rng.next();
      if (roll < 0.02) {
        // A spoken turn: tool calls with whatever schemas the session declared, or a reply.
        c.sendAudio(speech);
        stats.audioFrames += Math.ceil(speech.length / 320);
        open = await sendAndProbe(c, { text: '{"type":"response.cancel"}' }, probe++, rng);
        continue;
      }
      const callIds = c.frames.filter((f) => f.type === 'response.function_call_arguments.done').map((f) => f.call_id as string);
      const seeds = seedFrames(audio(rng.int(speech.length - 320)), callIds.slice(-1));
      if (roll < 0.08) {
        // Valid frames in a random order (response.create before configure, a second configure...).
        for (const seed of [...seeds].sort(() => rng.next() - 0.5).slice(0, 3)) {
          if (seed.type === 'response.create' && rng.chance(0.7)) continue; // narrations are slow: keep them rare
          send(c, { text: JSON.stringify(seed) });
          stats.frames++;
        }
        open = await sendAndProbe(c, { text: '{}' }, probe++, rng);
        continue;
      }
      const { frame, kind } = mutate(rng.pick(seeds), rng);
      stats.kinds[kind] = (stats.kinds[kind] ?? 0) + 1;
      stats.frames++;
      open = await sendAndProbe(c, frame, probe++, rng);
    }
    if (open) c.close();
    else stats.reconnects++;
  }
}

export async function runFuzz(job: FuzzJob): Promise<FuzzStats[]> {
  const speech = (await speechFixture(700)).pcm;
  const all: FuzzStats[] = [];
  await Promise.all(
    job.targets.flatMap((target, t) => {
      const stats: FuzzStats = { target: target.name, frames: 0, audioFrames: 0, reconnects: 0, kinds: {} };
      all.push(stats);
      return Array.from({ length: job.sessionsPerTarget }, (_, i) => fuzzSession(target, speech, new Rng(job.seed * 7919 + t * 101 + i), stats, job.frames));
    }),
  );
  return all;
}

if (process.argv.includes('--fuzz-client')) {
  process.once('message', (job: FuzzJob) => {
    runFuzz(job).then(
      (stats) => process.send!({ stats }, () => process.exit(0)),
      (e: Error) => process.send!({ error: e.stack ?? e.message }, () => process.exit(1)),
    );
  });
}
