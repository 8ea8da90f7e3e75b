import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_VAD, type ResolvedVad } from '../../../src/server/simulator/options.ts';
import { loadFvad, TurnDetector, VoiceActivity, type TurnEvent } from '../../../src/server/simulator/vad.ts';
import { burst, concat, silence, speechFixture } from './helpers.ts';

const cfg = (over: Partial<ResolvedVad> = {}): ResolvedVad => ({ ...DEFAULT_VAD, ...over });

/** Feeds a string of frames ('#' voiced+loud, '+' voiced+quiet, '.' silent) at 20 ms each. */
function run(detector: TurnDetector, pattern: string): TurnEvent[] {
  const events: TurnEvent[] = [];
  [...pattern].forEach((ch, i) => events.push(...detector.frame(i * 20, 20, ch !== '.', ch === '#' ? 3000 : 0)));
  return events;
}

describe('TurnDetector (frame logic)', () => {
  it('needs speechStartMs of consecutive voiced frames before speech starts, and dates the onset back', () => {
    const d = new TurnDetector(cfg({ speechStartMs: 60 }));
    assert.deepEqual(run(d, '.....##.'), []); // 40 ms: not enough
    const e = run(new TurnDetector(cfg({ speechStartMs: 60 })), '.....###');
    assert.deepEqual(e, [{ type: 'start', startMs: 100 }]);
  });

  it('ends the turn endOfTurnSilenceMs after the last loud frame, trimming quiet voiced frames (fvad hang-over)', () => {
    const d = new TurnDetector(cfg({ minSpeechMs: 100, hangoverMs: 100, endOfTurnSilenceMs: 200 }));
    // speech 100..400 ms (15 loud frames), then 3 quiet-voiced frames, then silence
    const events = run(d, '.....' + '#'.repeat(15) + '+++' + '.'.repeat(20));
    assert.equal(events.length, 2);
    assert.deepEqual(events[1], { type: 'stop', startMs: 100, endMs: 400, complete: true });
  });

  it('bridges pauses shorter than the end-of-turn silence into one turn', () => {
    const d = new TurnDetector(cfg({ endOfTurnSilenceMs: 300, hangoverMs: 100 }));
    const events = run(d, '#'.repeat(10) + '.'.repeat(10) + '#'.repeat(10) + '.'.repeat(30));
    assert.deepEqual(events.map((e) => e.type), ['start', 'stop']);
    assert.equal((events[1] as { endMs: number }).endMs, 600);
  });

  it('after the hang-over, a stray voiced frame does not prolong the turn', () => {
    const d = new TurnDetector(cfg({ endOfTurnSilenceMs: 400, hangoverMs: 100, speechStartMs: 60 }));
    // speech to 200 ms, silence, one stray voiced frame at 400 ms, silence
    const events = run(d, '#'.repeat(10) + '.'.repeat(10) + '#' + '.'.repeat(30));
    const stop = events.find((e) => e.type === 'stop') as { endMs: number };
    assert.equal(stop.endMs, 200);
  });

  it('marks a turn shorter than minSpeechMs incomplete', () => {
    const d = new TurnDetector(cfg({ minSpeechMs: 200 }));
    const events = run(d, '.....' + '#'.repeat(6) + '.'.repeat(40));
    assert.deepEqual(events[1], { type: 'stop', startMs: 100, endMs: 220, complete: false });
  });

  it('produces nothing for silence and sub-threshold flicker', () => {
    const d = new TurnDetector(cfg());
    assert.deepEqual(run(d, '.'.repeat(100) + '#.#.##.' + '.'.repeat(50)), []);
  });
});

describe('VoiceActivity (libfvad on real audio)', () => {
  it('finds exactly one turn in the speech fixture, whatever the frame size and chunking', async () => {
    const fx = await speechFixture();
    const fvad = await loadFvad();
    for (const frameMs of [10, 20, 30] as const) {
      for (const chunk of [320, 480, 640, 1000]) {
        const va = new VoiceActivity(fvad, cfg({ frameMs }));
        const events: TurnEvent[] = [];
        for (let i = 0; i < fx.pcm.length; i += chunk) events.push(...va.push(fx.pcm.subarray(i, i + chunk)));
        va.free();
        assert.deepEqual(events.map((e) => e.type), ['start', 'stop'], `frame ${frameMs} chunk ${chunk}`);
        const stop = events[1] as Extract<TurnEvent, { type: 'stop' }>;
        assert.ok(stop.complete);
        assert.ok(Math.abs(stop.startMs - fx.onsetMs) <= 150, `onset ${stop.startMs} vs ${fx.onsetMs} (frame ${frameMs})`);
        assert.ok(Math.abs(stop.endMs - fx.offsetMs) <= 150, `end ${stop.endMs} vs ${fx.offsetMs} (frame ${frameMs})`);
      }
    }
  });

  it('rejects a cough-length burst and ignores quiet noise', async () => {
    const fvad = await loadFvad();
    const va = new VoiceActivity(fvad, cfg());
    const events = va.push(concat(silence(500), burst(120), silence(1500)));
    assert.deepEqual(events.map((e) => e.type), ['start', 'stop']);
    assert.equal((events[1] as { complete: boolean }).complete, false);

    let x = 1;
    const hiss = new Int16Array(16000 * 3).map(() => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % 61) - 30);
    const quiet = new VoiceActivity(fvad, cfg());
    assert.deepEqual(quiet.push(hiss), []);
    assert.equal(quiet.audioMs, 3000);
    va.free();
    quiet.free();
  });
});
