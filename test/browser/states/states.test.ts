// States that follow what the user hears, observed at the speakers (an AudioWorklet tap on
// the element's own context) against the scripted puppet server, with the element from
// source (its engine in a worker):
//   a. the socket drops mid-reply: the cut response ends (cancelled, connection_lost), its
//      audio stops, and the state is listening once the new session is configured;
//   b. reply audio for a response Hydra never announced is not played and leaves the state
//      machine alone: the next turn goes turn-end → thinking → speaking → listening;
//   c. speaking lasts until the reply's last sample has played (response-end comes
//      before), hydra-playback-end says so, and listening follows.
import { expect } from '@open-wc/testing';
import { installWorkletTap, peakBetween, soundSpan, type WorkletTap } from '../e2e/helpers.ts';
import { Puppet } from '../../support/puppet.ts';
import { connect, openPage, sv, toneDelta, type TestPage } from '../worker/helpers.ts';

const SOUND = 0.01;

interface Seen {
  type: string;
  detail: any;
  /** The element's AudioContext time when the page saw the event. */
  at: number;
}


/**
 * How far currentTime moves at once on this context: the median of its distinct steps
 * while polled for 300 ms (one audio callback; the median ignores polls a busy thread made late).
 */
async function currentTimeStep(ctx: BaseAudioContext): Promise<number> {
  const steps: number[] = [];
  let last = ctx.currentTime;
  const end = performance.now() + 300;
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, 0));
    const t = ctx.currentTime;
    if (t > last) steps.push(t - last);
    last = t;
  }
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)] ?? 0;
}

describe('states that follow what the user hears', function () {
  this.timeout(30_000);
  let puppet: Puppet;
  let page: TestPage | undefined;
  let tap: WorkletTap;
  let seen: Seen[];

  beforeEach(async () => {
    puppet = await Puppet.create();
    page = await openPage('<script type="module" src="/src/index.ts"></script>');
    tap = installWorkletTap(page.win);
    seen = [];
    for (const type of ['hydra-state', 'hydra-response-end', 'hydra-playback-end', 'hydra-error', 'hydra-session', 'hydra-turn-end', 'hydra-reconnecting']) {
      page.el.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail, at: tap.context?.currentTime ?? NaN }));
    }
  });
  afterEach(() => {
    page?.close();
    page = undefined;
    puppet.dispose();
  });

  const until = (what: string, pick: () => Seen | undefined | false, timeoutMs = 10_000): Promise<Seen> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${what}; seen: ${JSON.stringify(seen.map((s) => [s.type, s.detail?.state ?? s.detail?.responseId ?? s.detail?.code]))}`)), timeoutMs);
      const poll = () => {
        const hit = pick();
        if (hit) {
          clearTimeout(deadline);
          resolve(hit);
        } else setTimeout(poll, 10);
      };
      poll();
    });
  const event = (type: string, match: (d: any) => boolean = () => true, from = 0) =>
    until(type, () => seen.slice(from).find((s) => s.type === type && match(s.detail)));
  const tapReaches = (t: number) => until(`the tap at ${t.toFixed(3)}`, () => tap.head() >= t && ({} as Seen));
  const reply = (id: string, ms: number, conn?: number) => {
    puppet.send({ type: 'response.created', event_id: sv(), response: { id } }, conn);
    for (let i = 0; i < ms / 20; i++) puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: id, delta: toneDelta() }, conn);
  };

  it('a. the socket drops mid-reply: the cut response ends (connection lost), its audio stops, listening after the new session', async () => {
    const el = page!.el;
    await connect(el, puppet);
    reply('resp_cut', 3000); // 3 s queued at the client: it would play on if nothing cut it
    const speaking = await event('hydra-state', (d) => d.state === 'speaking');
    await tapReaches(speaking.at + 0.2);
    expect(peakBetween(tap, speaking.at, speaking.at + 0.2), 'the reply is audible').to.be.above(SOUND);
    const dropAt = seen.length;
    puppet.drop();
    const end = await event('hydra-response-end', (d) => d.responseId === 'resp_cut', dropAt);
    expect(end.detail.status).to.equal('cancelled');
    expect(end.detail.reason).to.equal('connection_lost');
    const reconnecting = await event('hydra-reconnecting', () => true, dropAt);
    expect(reconnecting.detail).to.include({ attempt: 1, reason: 'dropped' });
    expect(reconnecting.detail.delayMs).to.be.a('number').and.above(0);
    // The element reconnects; once the new session is configured it listens.
    await puppet.connection(1);
    puppet.send({ type: 'session.created', event_id: sv(), session_id: 'sess_1' }, 1);
    const configure = await puppet.frame('session.configure', 1);
    puppet.send({ type: 'session.configured', event_id: sv(), session: configure.session }, 1);
    const listening = await event('hydra-state', (d) => d.state === 'listening', dropAt);
    expect(el.state).to.equal('listening');
    // The cut reply's audio stopped: nothing of its remaining ~2.5 s plays after the new session is up.
    await tapReaches(listening.at + 0.5);
    expect(peakBetween(tap, listening.at, listening.at + 0.5), 'output after the reconnect').to.be.below(SOUND);
    const playback = seen.find((s) => s.type === 'hydra-playback-end' && s.detail.responseId === 'resp_cut');
    expect(playback?.detail).to.deep.equal({ responseId: 'resp_cut', interrupted: true, durationMs: playback?.detail.durationMs });
    // Cut after ≥ 0.2 s of it was heard, long before its 3 s.
    expect(playback!.detail.durationMs).to.be.within(200, 2900);
  });

  it('b. audio for a response never announced is not played; the next turn goes turn-end → thinking → speaking → listening', async () => {
    const el = page!.el;
    await connect(el, puppet);
    await event('hydra-state', (d) => d.state === 'listening');
    const ghostAt = seen.length;
    for (let i = 0; i < 25; i++) puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_ghost', delta: toneDelta() });
    puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_ghost' });
    const error = await event('hydra-error', () => true, ghostAt);
    expect(error.detail).to.include({ code: 'invalid_frame', fatal: false });
    expect(error.detail.message).to.contain('resp_ghost');
    const afterGhost = tap.context!.currentTime;
    await tapReaches(afterGhost + 0.6);
    expect(soundSpan(tap, 0, Infinity, SOUND), 'nothing played').to.equal(undefined);
    expect(el.state).to.equal('listening');
    // A whole turn afterwards, with the states in order.
    const turnAt = seen.length;
    puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 100, item_id: 'item_u1' });
    puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), audio_end_ms: 900, item_id: 'item_u1' });
    await event('hydra-turn-end', () => true, turnAt);
    reply('resp_1', 300);
    puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_1' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_1', status: 'completed', output: [] } });
    await event('hydra-playback-end', (d) => d.responseId === 'resp_1', turnAt);
    await event('hydra-state', (d) => d.state === 'listening', turnAt);
    const states = seen.slice(turnAt).filter((s) => s.type === 'hydra-state').map((s) => s.detail.state);
    expect(states).to.deep.equal(['user-speaking', 'thinking', 'speaking', 'listening']);
  });

  it('c. speaking lasts until the last sample has played; response-end comes before, hydra-playback-end at the end', async () => {
    const el = page!.el;
    await connect(el, puppet);
    await event('hydra-state', (d) => d.state === 'listening');
    const from = seen.length;
    // Everything the tap records from here on (a page event read late on a loaded machine
    // would start the search after the reply's first samples).
    const sentAt = tap.context!.currentTime;
    reply('resp_1', 800);
    puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_1' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_1', status: 'completed', output: [] } });
    const end = await event('hydra-response-end', () => true, from);
    // Hydra is done long before the user has heard the reply: not listening.
    expect(end.detail.status).to.equal('completed');
    expect(el.state, 'the state at response-end').to.be.oneOf(['thinking', 'speaking']);
    const speaking = await event('hydra-state', (d) => d.state === 'speaking', from);
    const played = await event('hydra-playback-end', () => true, from);
    expect(seen.slice(from, seen.indexOf(played)).filter((s) => s.type === 'hydra-state' && s.detail.state === 'listening'), 'listening before the reply played out').to.deep.equal([]);
    // All of its 800 ms reached the speakers (counted in frames by the playback worklet).
    expect(played.detail).to.deep.equal({ responseId: 'resp_1', interrupted: false, durationMs: 800 });
    const listening = await event('hydra-state', (d) => d.state === 'listening', from);
    expect(seen.indexOf(listening)).to.be.greaterThan(seen.indexOf(played));
    // The user heard the whole reply before the state said listening.
    await tapReaches(listening.at + 0.2);
    const heard = soundSpan(tap, sentAt, Infinity, SOUND)!;
    expect(heard, 'the reply at the output').to.exist;
    expect(heard.last - heard.first, 'seconds of reply heard').to.be.above(0.7);
    // `at` is the page's currentTime when the event came; WebKit advances currentTime once
    // per audio callback (not per quantum), so it can read up to one callback behind the
    // frame the worklet had rendered (measured: 1.8 ms at 44.1 kHz); Firefox on PulseAudio
    // renders in blocks larger than a quantum too (read 5.3 ms behind once). The step is
    // measured on this context rather than assumed.
    const ctx = tap.context!;
    const callback = Math.max(128 / ctx.sampleRate, ctx.baseLatency || 0, await currentTimeStep(ctx));
    expect(listening.at, `listening came after the last audible sample (one audio callback: ${(callback * 1000).toFixed(1)} ms)`).to.be.at.least(heard.last - callback);
    expect(end.at, 'response-end came while the reply was still audible').to.be.below(heard.last);
    const lag = (listening.at - heard.last) * tap.sampleRate;
    console.log(`[states c] listening ${lag.toFixed(0)} frames after the last audible sample (as the page saw it; the engine decides in the quantum that plays it)`);
    expect(el.state).to.equal('listening');
  });
});
