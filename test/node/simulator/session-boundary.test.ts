// An unexpected exception inside one session (here: a throwing callback option, the way a
// bug would throw) ends that session with `internal_error` and close 1011, whichever entry
// point it escapes from: the socket's message handler, a timer, or a promise continuation.
// The process, and every other session, carry on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultToolPolicy, listenSimulator, type ListeningSimulator } from '../../../src/server/simulator/index.ts';
import { FAST, speechFixture, TestClient } from './helpers.ts';

let sim: ListeningSimulator;
const reported: { message: string; sessionId: string }[] = [];
/** Session ids whose next response end makes onTiming throw. */
const throwOnTiming = new Set<string>();
let bystander: TestClient;

before(async () => {
  sim = await listenSimulator({
    ...FAST,
    toolResponseWindowMs: 200,
    toolPolicy: (ctx) => {
      if (ctx.instructions.includes('[throw:policy]')) throw new Error('policy bug');
      return defaultToolPolicy(ctx);
    },
    onTiming: (t) => {
      if (throwOnTiming.has(t.sessionId)) throw new Error('timing bug');
    },
    onFrame: (f) => {
      if (f.direction === 'sent' && f.data.includes('"tool_response_timeout"')) throw new Error('tap bug');
    },
    onInternalError: (e, { sessionId }) => reported.push({ message: e.message, sessionId }),
  });
  bystander = await TestClient.configured(sim.url, {});
});
after(async () => {
  bystander.close();
  await sim.close();
});

let rounds = 0;
async function bystanderStillServed(): Promise<void> {
  const name = `t${++rounds}`;
  const mark = bystander.frames.length;
  bystander.send({ type: 'session.update', session: { tools: [{ type: 'function', name }] } });
  await bystander.waitFor((f) => f.type === 'session.updated' && f.session.tools[0].name === name, { from: mark });
}

async function assertEndedByInternalError(c: TestClient, message: RegExp): Promise<void> {
  const { code } = await Promise.race([c.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`session still open; got ${c.types().join(', ')}`)), 10_000))]);
  assert.equal(code, 1011);
  const error = c.frames.findLast((f) => f.type === 'error');
  assert.equal(error?.error.code, 'internal_error');
  assert.match(error!.error.message, message);
  const sessionId = c.frames.find((f) => f.type === 'session.created')!.session_id;
  assert.ok(reported.some((r) => r.sessionId === sessionId && message.test(r.message)), 'reported to onInternalError');
  await bystanderStillServed();
}

describe('an exception inside one session ends only that session', () => {
  it('thrown in the socket message handler (a turn calls the tool policy)', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: '[throw:policy]', tools: [{ type: 'function', name: 'x' }] });
    c.sendAudio(fx.pcm);
    await assertEndedByInternalError(c, /policy bug/);
  });

  it('thrown in a promise continuation (the end of a spoken reply)', async () => {
    const c = await TestClient.configured(sim.url, {});
    throwOnTiming.add(c.frames[0]!.session_id);
    c.send({ type: 'response.create' });
    await assertEndedByInternalError(c, /timing bug/);
  });

  it('thrown in a timer (the tool response window)', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: 'Use lookup.', tools: [{ type: 'function', name: 'lookup' }] });
    c.sendAudio(fx.pcm);
    await assertEndedByInternalError(c, /tap bug/);
  });

  it('the simulator is still whole: new sessions open and answer', async () => {
    const c = await TestClient.configured(sim.url, {});
    c.send({ type: 'response.create' });
    assert.equal((await c.waitFor('response.done')).response.status, 'completed');
    assert.equal(sim.sessionCount(), 2);
    c.close();
  });
});
