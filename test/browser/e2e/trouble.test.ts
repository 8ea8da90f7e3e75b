// Trouble, end to end: what the user gets when the network or the service misbehaves.
// The built script, the real mic, token endpoint, relay and simulator; faults are injected
// on the server side only (a TCP drop at the relay, a full simulator, Hydra's idle close,
// a failing token endpoint). Counts, not durations: connection attempts are counted at the
// relay (/__e2e/stats upgrades), never timed.
import { expect } from '@open-wc/testing';
import { firstSound, openPage, post, sleep, stackStats, soundSpan, summarize } from './helpers.ts';
import type { E2ePage } from './helpers.ts';
import { say } from '../support/room.ts';

const part = (p: E2ePage, name: string) => p.el.shadowRoot!.querySelector(`[part~="${name}"]`) as HTMLElement | null;

async function tokenHits(path: string): Promise<number> {
  const hits = (await (await fetch('/__token/hits')).json()) as Record<string, number>;
  return hits[path] ?? 0;
}

describe('e2e trouble', function () {
  this.timeout(40_000);
  let page: E2ePage | undefined;

  afterEach(() => {
    page?.close();
    page = undefined;
  });

  it('the relay drops the socket mid-reply → the element reconnects (new session) and the next turn works', async () => {
    page = await openPage({ voice: 'maya', persona: 'You are a weather bot. [short]' });
    const p = page;
    p.clickButton();
    const first = await p.waitEvent('hydra-session');
    // A reply is playing…
    await say('question');
    const reply = await p.waitEvent('hydra-response-start');
    await p.waitFor('the reply at the output', () => firstSound(p.tap, reply.ctxTime));
    expect(p.events('hydra-response-end').find((r) => r.detail.responseId === reply.detail.responseId), 'the reply is still in flight').to.equal(undefined);
    const before = await stackStats();
    const dropAt = p.log.length;
    // …when the relay's TCP connection to the browser dies.
    const dropped = (await post('/__e2e/drop')) as { dropped: number };
    expect(dropped.dropped).to.be.at.least(1);
    await p.waitEvent('hydra-state', (r) => r.detail.state === 'connecting', { from: dropAt });
    const lost = await p.waitEvent('hydra-error', () => true, { from: dropAt });
    expect(lost.detail).to.include({ code: 'connection_lost', fatal: false });
    const second = await p.waitEvent('hydra-session', () => true, { from: dropAt });
    expect(second.detail.sessionId).to.not.equal(first.detail.sessionId);
    // One reconnect for one drop: exactly one new socket at the relay.
    expect((await stackStats()).upgrades['/hydra']! - before.upgrades['/hydra']!, 'sockets opened to reconnect').to.equal(1);
    // The next turn, in the new session, works end to end. A loaded machine's audio server
    // can deliver the question in two pieces (WebKitGTK: a 0.76 s hole in the mic); the
    // second then interrupts the reply to the first before it is heard, and gets its own.
    await say('question');
    let end = await p.waitEvent('hydra-turn-end', () => true, { from: second.seq });
    let next = await p.waitEvent('hydra-response-start', () => true, { from: end.seq });
    let done = await p.waitEvent('hydra-response-end', (r) => r.detail.responseId === next.detail.responseId, { timeoutMs: 15_000 });
    if (done.detail.reason === 'interrupted' && !soundSpan(p.tap, next.ctxTime, done.ctxTime, 0.01)) {
      end = await p.waitEvent('hydra-turn-end', () => true, { from: done.seq });
      next = await p.waitEvent('hydra-response-start', () => true, { from: end.seq });
      done = await p.waitEvent('hydra-response-end', (r) => r.detail.responseId === next.detail.responseId, { timeoutMs: 15_000 });
    }
    expect(done.detail.status, summarize(p.log)).to.equal('completed');
    await p.waitFor('the next reply at the output', () => firstSound(p.tap, next.ctxTime));
    expect(p.events('hydra-error').filter((r) => r.detail.fatal)).to.deep.equal([]);
    expect(p.el.state).to.not.equal('error');
  });

  it('server_full → backs off without hammering and tells the user', async () => {
    page = await openPage({ voice: 'maya', 'token-endpoint': '/api/hydra-token?relay=full' });
    const p = page;
    const before = (await stackStats()).upgrades['/hydra-full'] ?? 0;
    p.clickButton();
    const full = await p.waitEvent('hydra-error', (r) => r.detail.code === 'server_full');
    expect(full.detail.fatal).to.equal(false);
    expect(full.detail.message).to.be.a('string').and.not.equal('');
    // Still trying (not a dead end), and the user is told why it takes a while.
    await p.waitFor('the status to tell the user the service is busy', () => /busy/i.test(part(p, 'status')?.textContent ?? ''));
    expect(p.el.state).to.equal('connecting');
    // Over the next few seconds: a handful of attempts at most (backoff), not a storm.
    await sleep(6000);
    const attempts = ((await stackStats()).upgrades['/hydra-full'] ?? 0) - before;
    console.log(`[e2e server_full] ${attempts} connection attempts in ~6 s; ${p.events('hydra-error').length} hydra-error events; status "${part(p, 'status')?.textContent}"`);
    expect(attempts, 'connection attempts while the server is full').to.be.within(1, 3);
    expect(p.events('hydra-error').every((r) => r.detail.code === 'server_full' && !r.detail.fatal), summarize(p.log)).to.equal(true);
    expect(p.events('hydra-session')).to.deep.equal([]);
    // Stopping ends the retries.
    p.clickButton();
    expect(p.el.state).to.equal('idle');
    const afterStop = (await stackStats()).upgrades['/hydra-full'] ?? 0;
    await sleep(1500);
    expect((await stackStats()).upgrades['/hydra-full'] ?? 0, 'attempts after stop()').to.equal(afterStop);
  });

  it("Hydra's idle close (1000) → one reconnect per close, no storm", async () => {
    page = await openPage({ voice: 'maya', persona: 'You are a weather bot. [short]' });
    const p = page;
    p.clickButton();
    let session = await p.waitEvent('hydra-session');
    const before = (await stackStats()).upgrades['/hydra']!;
    for (let close = 1; close <= 2; close++) {
      const at = p.log.length;
      await post('/__e2e/close-sessions?code=1000');
      const next = await p.waitEvent('hydra-session', () => true, { from: at });
      expect(next.detail.sessionId).to.not.equal(session.detail.sessionId);
      session = next;
      // Let a storm show itself if there is one.
      await sleep(1500);
      expect(p.events('hydra-session').length, `sessions after ${close} close(s)\n${summarize(p.log)}`).to.equal(1 + close);
      expect((await stackStats()).upgrades['/hydra']! - before, `relay sockets opened after ${close} close(s)`).to.equal(close);
    }
    // A clean close is not an error the user has to see.
    expect(p.events('hydra-error')).to.deep.equal([]);
    expect(p.el.state).to.not.equal('error');
    expect((await stackStats()).simulatorSessions).to.equal(1);
  });

  it('a token endpoint returning 500 → a clear token_failed error, the UI offers retry, retry asks again', async () => {
    page = await openPage({ voice: 'maya', 'token-endpoint': '/__token/status?code=500' });
    const p = page;
    const hits0 = await tokenHits('/__token/status');
    p.clickButton();
    const err = await p.waitEvent('hydra-error');
    expect(err.detail.code).to.equal('token_failed');
    expect(err.detail.fatal).to.equal(true);
    expect(err.detail.message).to.match(/500/);
    await p.waitFor('the error UI', () => part(p, 'error') && part(p, 'retry'));
    expect(p.el.state).to.equal('error');
    // Visitors read a short line without the endpoint or the status; developers get both in hydra-error.
    expect(part(p, 'error')!.textContent).to.not.match(/500|token/i);
    expect(part(p, 'error')!.textContent).to.not.equal('');
    expect(part(p, 'error')!.getAttribute('role')).to.equal('alert');
    // One request per start: a fatal error at start is not retried behind the user's back.
    await sleep(500);
    expect(await tokenHits('/__token/status')).to.equal(hits0 + 1);
    // The retry button tries again (and fails the same clear way).
    const at = p.log.length;
    part(p, 'retry')!.click();
    const again = await p.waitEvent('hydra-error', () => true, { from: at });
    expect(again.detail.code).to.equal('token_failed');
    expect(await tokenHits('/__token/status')).to.equal(hits0 + 2);
    await p.waitFor('the error UI again', () => part(p, 'retry'));
    expect(p.events('hydra-session')).to.deep.equal([]);
  });
});
