// The speakerphone: everything the page plays goes into the room its microphone hears, at
// 0 dB (a PulseAudio null sink whose monitor is the default mic, test/support/pulse.ts),
// like a laptop with its loudspeaker next to its mic. The built script, the token endpoint,
// the relay and the simulator, as in the e2e tests; the user's voices are played into the
// same room. Runs in every engine, and in Chromium without Chrome-wide echo cancellation
// (`chromium-no-chrome-wide-aec`), where the browser's canceller does not hear Web Audio.
//
//   - The agent never interrupts itself: ten replies of 3 s or more, the user silent while
//     each plays, not one speech_started while only the agent talks.
//   - Barge-in still works through the loop: another voice talking over the agent stops it.
import { expect } from '@open-wc/testing';
import { dbfs } from '../../support/dbfs.ts';
import { firstSound, frames, openPage, peakBetween, soundSpan, summarize } from '../e2e/helpers.ts';
import type { E2ePage, Recorded } from '../e2e/helpers.ts';
import { roomEngine, say, speakerphone } from '../support/room.ts';

const SOUND = 0.01;
const REPLIES = 10;

/** What the echo guard and the output route did, for the log. */
function echoSummary(p: E2ePage): string {
  const last = p.echo.at(-1);
  const states = p.echo.filter((e, i) => i === 0 || e.state !== p.echo[i - 1]!.state).map((e) => `${e.state}@${e.ctxTime.toFixed(2)}`).join(' → ');
  return `guard ${states || 'silent'}${last?.state === 'echo' ? ` (loop delay ${last.delayMs} ms, ERL ${last.erlDb} dB, match ${last.match})` : ''}; gated ${last?.gatedQuanta ?? 0} quanta, ${last?.leaks ?? 0} leaks caught; peer connections ${p.peerConnections()}`;
}

/**
 * What Hydra heard (dBFS per 20 ms chunk the simulator received: the wire log elides audio)
 * next to what played (output peak, dBFS per 20 ms) over the 1.5 s before a user turn.
 */
async function heardBefore(p: E2ePage, turn: Recorded): Promise<string> {
  const start = turn.detail.audioStartMs as number;
  const levels = await received(p, start - 1500, start + 100);
  const out: number[] = [];
  for (let t = turn.ctxTime - 1.5; t < turn.ctxTime + 0.1; t += 0.02) {
    const peak = peakBetween(p.tap, t, t + 0.02);
    out.push(dbfs(peak));
  }
  return (
    `input chunks the simulator received (dBFS, ${levels.length}, audio ${levels[0]?.atMs ?? '?'}–${start + 100} ms; speech_started at ${start} ms): ${levels.map((l) => l.db).join(' ')}\n` +
    `output peaks (dBFS per 20 ms, to ${turn.ctxTime.toFixed(2)} s): ${out.join(' ')}`
  );
}

/** The session's input-audio clock (ms) at context time `ctxTime` (mapped by the first user turn, within the VAD's delay). */
function inputClockMs(p: E2ePage, ctxTime: number): number {
  const first = p.events('hydra-turn-start')[0];
  return ctxTime * 1000 - (first ? first.ctxTime * 1000 - first.detail.audioStartMs : 0);
}

/** Levels (dBFS) of the chunks the simulator received in [fromMs, toMs] of the input clock. */
async function received(p: E2ePage, fromMs: number, toMs: number): Promise<{ atMs: number; db: number }[]> {
  const session = p.events('hydra-session').at(-1)?.detail.sessionId;
  const query = new URLSearchParams({ session, from: String(fromMs), to: String(toMs) });
  return (await fetch(`/__e2e/input-levels?${query}`)).json();
}

describe('speakerphone (the loudspeaker plays into the mic)', function () {
  this.timeout(180_000);
  let page: E2ePage | undefined;

  beforeEach(async () => {
    await speakerphone(true);
  });

  afterEach(() => {
    page?.close();
    page = undefined;
  });

  it(`${REPLIES} replies of 3 s or more: not one speech_started while only the agent talks`, async () => {
    const engine = await roomEngine();
    page = await openPage({ voice: 'maya', persona: 'You are a weather bot. [speakerphone]', 'wire-log': true });
    const p = page;
    p.clickButton();
    await p.waitEvent('hydra-session');
    const replies: { response: Recorded; audible: { first: number; last: number } }[] = [];
    const promptsAt: number[] = [];
    let prompts = 0;
    let strays = 0;
    // When the last reply was played out. The user waits 0.8 s before the next prompt: for
    // 0.75 s after the agent's last sound the guard still refuses mic audio well below the
    // agent's level where the browser cancels (a documented cost, covered by the echo
    // guard's own tests); this test is about the agent not hearing itself.
    let quietAt = 0;
    while (replies.length < REPLIES) {
      // The user asks for the next reply, and is silent until it has been played out. A
      // loaded machine's audio server can deliver a prompt clipped (the turn detector
      // rejects it: conversation.item.done "incomplete", no response) or in two pieces (the
      // second one interrupts the reply before it is heard): the user says it again.
      let response: Recorded | undefined;
      for (let attempt = 0; !response; attempt++) {
        await p.waitFor('0.8 s after the last reply', () => p.now() > quietAt + 0.8);
        const from = p.log.length;
        promptsAt.push(p.now());
        prompts++;
        await say('prompt', { wait: true });
        const end = await p.waitEvent('hydra-turn-end', () => true, { from }).catch(async (e: Error) => {
          const since = inputClockMs(p, promptsAt.at(-1)!);
          const levels = await received(p, since, Infinity);
          throw new Error(`${e.message}\ninput chunks the simulator received since the prompt began (dBFS, ${levels.length}, from ${Math.round(since)} ms): ${levels.map((l) => l.db).join(' ')}`);
        });
        const next = await p.waitFor('a response or a rejected turn', () =>
          p.log.find((r) => r.seq > end.seq && (r.type === 'hydra-response-start' || (r.type === 'hydra-frame' && r.detail.frame?.type === 'conversation.item.done' && r.detail.frame.item?.status === 'incomplete'))),
        );
        if (next.type === 'hydra-response-start') response = next;
        else expect(attempt, `prompts rejected in a row\n${summarize(p.log)}`).to.be.below(2);
      }
      const done = await p.waitEvent('hydra-response-end', (r) => r.detail.responseId === response!.detail.responseId, { from: response.seq, timeoutMs: 30_000 });
      if (done.detail.status !== 'completed') {
        // Interrupted: by the agent's own voice (a self-interruption: fail) or by a late
        // piece of the prompt before the reply was heard at all (say it again).
        const heard = soundSpan(p.tap, response.ctxTime, done.ctxTime, SOUND);
        const turn = p.log.findLast((r) => r.type === 'hydra-turn-start' && r.seq < done.seq);
        if (heard) expect.fail(`reply ${replies.length + 1} was interrupted while it played\n${summarize(p.log, 120)}\n${echoSummary(p)}\n${turn ? await heardBefore(p, turn) : ''}`);
        expect(++strays, `replies interrupted by a late piece of the prompt\n${summarize(p.log, 120)}`).to.be.below(3);
        continue;
      }
      const idle = await p.waitEvent('hydra-state', (r) => r.detail.state === 'listening', { from: done.seq, timeoutMs: 15_000 });
      quietAt = idle.ctxTime;
      const audible = soundSpan(p.tap, response.ctxTime, idle.ctxTime, SOUND);
      expect(audible, `reply ${replies.length + 1} at the output`).to.not.equal(undefined);
      replies.push({ response, audible: audible! });
    }
    const durations = replies.map((r) => r.audible.last - r.audible.first);
    const turnStarts = p.events('hydra-turn-start');
    // A speech_started while a reply was audible (or on its way back through the room,
    // until the user's next prompt) is the agent hearing itself; so is any turn beyond the
    // one the user spoke per prompt.
    const nextPrompt = (t: number) => promptsAt.find((at) => at > t) ?? Infinity;
    const selfInterruptions = turnStarts.filter((t) =>
      replies.some((r) => t.ctxTime >= r.audible.first && t.ctxTime <= Math.min(r.audible.last + 1.5, nextPrompt(r.audible.first))),
    );
    // What reached Hydra while the agent talked (the guard's leaks). Chunks above -60 dBFS are leaks (the user is silent): where in each reply they fell.
    let loudest = -99;
    const leaks: string[] = [];
    for (const [i, r] of replies.entries()) {
      const from = inputClockMs(p, r.audible.first);
      const levels = await received(p, from, inputClockMs(p, r.audible.last));
      expect(levels.length, 'input chunks received while a reply played').to.be.above(0);
      for (const l of levels) loudest = Math.max(loudest, l.db);
      const loud = levels.filter((l) => l.db > -60);
      if (loud.length > 0) leaks.push(`reply ${i + 1}: ${loud.map((l) => `${Math.round(l.atMs - from)}ms/${l.db}`).join(' ')}`);
    }
    console.log(
      `[speakerphone ${engine}] ${replies.length} replies of ${Math.min(...durations).toFixed(2)}–${Math.max(...durations).toFixed(2)} s at the output; ` +
        `${turnStarts.length} user turns for ${prompts} prompts (${strays} delivered in two pieces); ${selfInterruptions.length} speech_started while the agent talked; loudest chunk Hydra received while a reply played ${loudest} dBFS${leaks.length ? ` (chunks above -60 dBFS, ms into the reply/dBFS: ${leaks.join('; ')})` : ''}; ${echoSummary(p)}`,
    );
    for (const d of durations) expect(d, 'reply length at the output (s)').to.be.at.least(3);
    if (selfInterruptions.length > 0) expect.fail(`${selfInterruptions.length} self-interruptions\n${summarize(p.log, 120)}\n${echoSummary(p)}\n${await heardBefore(p, selfInterruptions[0]!)}`);
    expect(turnStarts.length, `user turns (one per prompt, two for one in pieces)\n${summarize(p.log, 120)}\n${echoSummary(p)}`).to.equal(prompts + strays);
    expect(p.events('hydra-error')).to.deep.equal([]);
  });

  it('barge-in through the loop: another voice talking over the agent stops it', async () => {
    const engine = await roomEngine();
    page = await openPage({ voice: 'maya', persona: 'You are a weather bot. [long]' });
    const p = page;
    p.clickButton();
    await p.waitEvent('hydra-session');
    await say('question');
    const end = await p.waitEvent('hydra-turn-end');
    const long = await p.waitEvent('hydra-response-start', () => true, { from: end.seq });
    const audibleAt = await p.waitFor('the long reply at the output', () => firstSound(p.tap, long.ctxTime, SOUND));
    // Let the reply play (and come back through the room) for a while: the agent talks alone.
    await p.waitFor('3 s of the long reply', () => p.now() > audibleAt + 3, 20_000);
    expect(p.events('hydra-turn-start').filter((t) => t.seq > long.seq), `speech_started while the agent talked alone\n${summarize(p.log)}\n${echoSummary(p)}`).to.deep.equal([]);
    // The user talks over it, into the same room.
    const bargeFrom = p.log.length;
    const spokeAt = p.now();
    await say('interruption');
    const barge = await p.waitEvent('hydra-turn-start', () => true, { from: bargeFrom, timeoutMs: 15_000 });
    const ended = await p.waitEvent('hydra-response-end', (r) => r.detail.responseId === long.detail.responseId, { from: long.seq });
    expect(ended.detail.status, summarize(p.log)).to.equal('cancelled');
    expect(ended.detail.reason).to.equal('interrupted');
    // The reply stopped at the output soon after the client learned of the barge-in.
    const next = await p.waitEvent('hydra-response-start', (r) => r.detail.responseId !== long.detail.responseId, { from: barge.seq, timeoutMs: 20_000 });
    const span = soundSpan(p.tap, barge.ctxTime, next.ctxTime, SOUND);
    const stoppedAfter = span ? span.last - barge.ctxTime : 0;
    console.log(
      `[speakerphone ${engine}] barge-in heard ${(barge.ctxTime - spokeAt).toFixed(2)} s after the voice was played into the room; ` +
        `reply audio stopped ${(stoppedAfter * 1000).toFixed(0)} ms after hydra-turn-start; ${echoSummary(p)}`,
    );
    expect(stoppedAfter, 'reply audio after the barge-in (s)').to.be.below(0.1);
    expect(p.events('hydra-error')).to.deep.equal([]);
  });
});
