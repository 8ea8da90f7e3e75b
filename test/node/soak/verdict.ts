// The soak's verdict on reply gaps: every underrun of the playback worklet and every
// unexplained silence inside a reply, on the render clock (quantum-tap.ts), with the cause
// found by following the missing audio back through the chain
//
//   simulator sends it (Node) → the engine's socket gets it (worker) → the engine posts it
//   to the playback worklet (worker) → the worklet plays it (audio thread)
//
// At the moment the worklet ran dry, the first stage still holding audio is where it
// stalled. Excluded, with the evidence printed:
//   - source: the simulator (same Node process as this test) had not sent it yet: its
//     stream stalled (Node's event loop lag is shown beside it);
//   - starved: it sat in the browser on its way to the worker or in the worker while the
//     worker's own event loop was stalled (its 20 ms heartbeat ran late over at least half
//     of that time) and so was another thread (this process's event loop, or the page's
//     main thread: the machine, not the engine's own work), or on its way to the worklet
//     while the renderer skipped quanta;
//   - skipped quanta: holes in the render clock (the OS starved the audio thread) are not
//     silence and are not counted in a reply's length.
// Everything else is a client gap and fails the soak: an underrun while the audio was in
// the browser with the worker running (held by the engine, or posted but not delivered to
// the worklet), a silence inside a reply that no underrun and no source pause explains, or
// a completed reply heard longer than the audio received.
import { firstAtOrAbove, type Collected, type SimulatorSend } from '../../support/conversation-driver.ts';

export interface Lag {
  /** Epoch ms at which a heartbeat ran late, and by how much (ms). */
  at: number;
  ms: number;
}

export type Cause = 'client' | 'source' | 'starved';

export interface GapFinding {
  responseId: string;
  kind: 'underrun' | 'silence' | 'stretched';
  cause: Cause;
  /** Where the audio was when the output ran dry, and the evidence. */
  why: string;
  /** Silent (or extra) ms at the output. */
  ms: number;
}

export interface ReplyVerdict {
  responseId: string;
  bargedIn: boolean;
  completed: boolean;
  /** Render quanta the renderer skipped inside the reply (not silence). */
  skippedQuanta: number;
  /** Audible span at the output minus the audio received (ms), completed replies only. */
  extraMs?: number;
  findings: GapFinding[];
}

/** Quanta after an underrun's frame within which its silence must start. */
const DRY_ONSET_QUANTA = 8;
const SILENT = 0; // exact zeros: the worklet's output when it has nothing (source pauses are checked separately)
const AUDIBLE = 0.001;
/** Uncertainty of the render-frame → epoch mapping and of a message hop (ms). */
const MARGIN_MS = 10;
/**
 * Audio the simulator sends less than this before the worklet needs it was late at the
 * source: the client is granted this much for relay → browser → worker (loopback). The
 * simulator streams SIMULATOR_LEAD_MS ahead of real time, so such a chunk means its stream
 * (or the relay, same Node process) fell that far behind.
 */
const TRANSIT_BUDGET_MS = 50;
/** How far the estimate of what the worklet had played at an underrun may be off (ms of audio). */
const DELIVERY_SLACK_MS = 30;
const SIMULATOR_LEAD_MS = 200;

/**
 * `c` must come from a conversation opened with `workletTap: true`; `workerLags` are in
 * `c.chunks` (page clock), `nodeLags` and `sends` are epoch ms of this process.
 */
export function judgeReplies(c: Collected, sends: SimulatorSend[], nodeLags: Lag[]): ReplyVerdict[] {
  const rate = c.sampleRate || 48_000;
  const msPerFrame = 1000 / rate;
  const epoch = (perf: number) => perf + c.timeOrigin;
  const frames = c.quanta.frames;
  const peaks = c.quanta.peaks;
  const ev = c.events;

  // Render frame → epoch ms: the lower envelope of (report received − frame time) over the
  // worklet's frame-stamped reports near it (a report is never received before its quantum).
  const stamps = ev.filter((e) => (e.type === 'started' || e.type === 'underrun') && e.frame !== undefined).map((e) => ({ frame: e.frame!, at: epoch(e.perf) }));
  const frameToEpoch = (frame: number) => {
    let best = Infinity;
    for (const s of stamps) if (Math.abs(s.frame - frame) < rate * 30) best = Math.min(best, s.at - s.frame * msPerFrame);
    return frame * msPerFrame + best;
  };
  const epochToFrame = (at: number) => {
    let best = Infinity;
    for (const s of stamps) if (Math.abs(s.at - at) < 30_000) best = Math.min(best, s.at - s.frame * msPerFrame);
    return (at - best) / msPerFrame;
  };
  const indexAtOrAfter = (frame: number) => firstAtOrAbove(frames, frame);
  /** Frames the renderer skipped in [a, b). */
  const skippedIn = (a: number, b: number) => {
    let skipped = 0;
    for (let i = Math.max(1, indexAtOrAfter(a)); i < frames.length && frames[i]! < b; i++) skipped += frames[i]! - frames[i - 1]! - 128;
    return skipped;
  };
  /**
   * The worklet's dry spell after an underrun at `frame`: the run of silent quanta that
   * starts within DRY_ONSET_QUANTA of it (the quantum that ran dry may still carry the last
   * samples, and at 44.1 kHz the resampler rings down for a quantum or two). Returns its
   * first frame and its length in frames up to `until` (a barge-in's flush ends the reply).
   */
  const dryFrom = (frame: number, until: number): { at: number; frames: number } => {
    let i = Math.max(0, indexAtOrAfter(frame) - 1);
    if (frames[i]! + 128 <= frame) i++;
    const limit = frame + DRY_ONSET_QUANTA * 128;
    while (i < frames.length && peaks[i]! !== SILENT && frames[i]! < limit) i++;
    if (i >= frames.length || frames[i]! >= limit) return { at: frame, frames: 0 };
    const start = i;
    while (i < frames.length && peaks[i]! === SILENT && (i === start || frames[i]! === frames[i - 1]! + 128)) i++;
    return i === start ? { at: frame, frames: 0 } : { at: frames[start]!, frames: Math.min(frames[i - 1]! + 128, until) - frames[start]! };
  };
  const lagOver = (lags: Lag[], a: number, b: number) => {
    // Total heartbeat lateness whose late span [at − ms, at] overlaps [a, b].
    let ms = 0;
    for (const l of lags) ms += Math.max(0, Math.min(b, l.at) - Math.max(a, l.at - l.ms));
    return ms;
  };
  const workerLags = c.chunks.workerLags.map((l) => ({ at: epoch(l.t), ms: l.ms }));
  // The page's long tasks, as lags ending when each task ended.
  const mainLags = c.longTasks.map((t) => ({ at: epoch(t.start + t.duration), ms: t.duration }));
  const mainLate = (a: number, b: number) => lagOver(mainLags, a, b);
  const fmt = (x: number) => x.toFixed(0);

  const starts = ev.filter((e) => e.type === 'started' && e.frame !== undefined && e.responseId);
  const out: ReplyVerdict[] = [];
  for (let k = 0; k < starts.length; k++) {
    const st = starts[k]!;
    const rid = st.responseId!;
    const f0 = st.frame!;
    const done = ev.find((e) => e.type === 'response.done' && e.responseId === rid);
    const barge = done?.status === 'cancelled'
      ? ev.find((e) => e.type === 'input_audio_buffer.speech_started' && e.perf > st.perf - 2000 && e.perf <= done.perf)
      : undefined;
    // The reply's window at the output: until the next reply starts or the barge-in arrives
    // (placed on the render clock by frameToEpoch's envelope: its latest possible frame).
    let end = starts[k + 1]?.frame ?? Infinity;
    if (barge) end = Math.min(end, epochToFrame(epoch(barge.perf)));
    const v: ReplyVerdict = { responseId: rid, bargedIn: Boolean(barge), completed: !barge && done?.status === 'completed', skippedQuanta: 0, findings: [] };
    out.push(v);
    let first = -1;
    let last = -1;
    for (let i = indexAtOrAfter(f0); i < frames.length && frames[i]! < end; i++) {
      if (peaks[i]! > AUDIBLE) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0) continue;
    const lastFrame = frames[last]! + 128;
    v.skippedQuanta = skippedIn(frames[first]!, lastFrame) / 128;
    const mySends = sends.filter((s) => s.id === rid);
    const arrivals = c.chunks.arrivals.filter((a) => a.id === rid).map((a) => ({ n: a.n, at: epoch(a.t) }));
    const posts = c.chunks.posts.filter((p) => p.id === rid).map((p) => ({ n: p.n, at: epoch(p.t) }));
    // Inside the reply: before its last audible sample (later, a completed reply's end-of-stream
    // came after its audio ran out: nobody hears that), or before the barge-in that cut it.
    const insideEnd = barge ? Math.max(lastFrame, end) : lastFrame;
    const underruns = ev.filter((e) => e.type === 'underrun' && e.responseId === rid && e.frame !== undefined && e.frame >= f0 && e.frame < insideEnd);
    const dryStarts = new Set<number>();
    let dryFrames = 0;
    for (const u of underruns) {
      const dry = dryFrom(u.frame!, insideEnd);
      dryStarts.add(dry.at);
      dryFrames += dry.frames;
      const at = Math.min(epoch(u.perf), frameToEpoch(u.frame!));
      // Source samples the worklet had played when it ran dry: every sample it had received.
      const playedFrames = u.frame! - f0 - skippedIn(f0, u.frame!) - dryFrames + dry.frames;
      const found = locateStall(at, mySends, arrivals, posts, (playedFrames * 48_000) / rate);
      const stalled = Math.max(1, at - found.since);
      const nodeLate = lagOver(nodeLags, found.since, at);
      const workerLate = lagOver(workerLags, found.since, at);
      const skipped = skippedIn(u.frame! - rate / 2, u.frame! + rate / 2) / 128;
      let why = `${found.why}; over those ${fmt(stalled)} ms this process's event loop (simulator + relay) was late ${fmt(nodeLate)} ms, the worker's ${fmt(workerLate)} ms, the page's main thread in long tasks ${fmt(mainLate(found.since, at))} ms; renderer skipped ${skipped} quanta within ±0.5 s`;
      let cause: Cause = 'client';
      if (found.stage === 'source') cause = 'source';
      else if (found.stage === 'transit' && (at - found.since < TRANSIT_BUDGET_MS || nodeLate >= stalled / 2)) {
        cause = 'source';
        why +=
          at - found.since < TRANSIT_BUDGET_MS
            ? ` (the simulator sent it only ${fmt(at - found.since)} ms before it was due: its stream, ${SIMULATOR_LEAD_MS} ms ahead when on time, had fallen behind)`
            : ` (the relay, on this process's stalled event loop, had not forwarded it)`;
      } else if (found.stage === 'worklet-delivery' ? skipped > 0 : workerLate >= stalled / 2 && nodeLate + mainLate(found.since, at) > 0) cause = 'starved';
      v.findings.push({ responseId: rid, kind: 'underrun', cause, why, ms: dry.frames * msPerFrame });
    }
    // Silence inside the reply that no underrun explains, longer than the source's own pauses.
    const audio = c.responses.find((r) => r.responseId === rid);
    const sourcePauseMs = audio ? (audio.longestZeroRun / 48_000) * 1000 : 0;
    let runStart = -1;
    for (let i = first; i <= last + 1; i++) {
      const silent = i <= last && peaks[i]! === SILENT && (runStart < 0 || frames[i]! === frames[i - 1]! + 128);
      if (silent) {
        if (runStart < 0) runStart = i;
        continue;
      }
      if (runStart >= 0) {
        const ms = (frames[i - 1]! + 128 - frames[runStart]!) * msPerFrame;
        if (!dryStarts.has(frames[runStart]!) && ms > sourcePauseMs + 2 * 128 * msPerFrame) {
          v.findings.push({ responseId: rid, kind: 'silence', cause: 'client', why: `${fmt(ms)} ms of silence at frame ${frames[runStart]} with no underrun (source pauses ≤ ${fmt(sourcePauseMs)} ms)`, ms });
        }
        runStart = i <= last && peaks[i]! === SILENT ? i : -1;
      }
    }
    // A completed reply lasts as long as the audio received, once skipped quanta and the
    // worklet's dry spells (judged above) are taken out.
    if (v.completed && audio && audio.samples > audio.lead) {
      const heard = (lastFrame - frames[first]! - skippedIn(frames[first]!, lastFrame) - dryFrames) * msPerFrame;
      const sent = ((audio.samples - audio.lead - audio.trail) / 48_000) * 1000;
      v.extraMs = heard - sent;
      if (v.extraMs > 20) v.findings.push({ responseId: rid, kind: 'stretched', cause: 'client', why: `heard ${fmt(heard)} ms for ${fmt(sent)} ms received, outside skipped quanta and underruns`, ms: v.extraMs });
    }
  }
  return out;
}

interface Stall {
  stage: 'source' | 'transit' | 'engine' | 'worklet-delivery';
  /** Since when (epoch ms) the missing audio has been stuck in that stage. */
  since: number;
  why: string;
}

/**
 * Where the next audio was when the worklet ran dry at `at` (epoch ms), having played
 * `played` source samples (48 kHz) of the reply, i.e. all it had received. Audio posted
 * to the worklet beyond that (more than DELIVERY_SLACK_MS, the accuracy of `played`), or a
 * chunk of d ms posted less than d ms before, had not reached it (delivery). Otherwise the
 * first stage holding audio the next stage had not taken is the stall; none: the simulator
 * had sent nothing more.
 */
export function locateStall(
  at: number,
  sends: { n: number; at: number }[],
  arrivals: { n: number; at: number }[],
  posts: { n: number; at: number }[],
  played: number,
): Stall {
  const before = (xs: { n: number; at: number }[], t: number) => xs.filter((x) => x.at <= t);
  const sum = (xs: { n: number }[]) => xs.reduce((s, x) => s + x.n, 0);
  const cut = at - MARGIN_MS;
  const postedBefore = before(posts, cut);
  const undeliveredMs = ((sum(postedBefore) - played) / 48_000) * 1000;
  if (undeliveredMs > DELIVERY_SLACK_MS) {
    let cum = 0;
    const stuck = postedBefore.find((p) => (cum += p.n) > played) ?? postedBefore.at(-1)!;
    return { stage: 'worklet-delivery', since: stuck.at, why: `${undeliveredMs.toFixed(0)} ms of audio posted to the worklet (since ${(at - stuck.at).toFixed(0)} ms before it ran dry) had not reached it` };
  }
  const lastPost = before(posts, at).at(-1);
  if (lastPost) {
    const durMs = (lastPost.n / 48_000) * 1000;
    if (at - lastPost.at > MARGIN_MS && at - lastPost.at < durMs - MARGIN_MS) {
      return { stage: 'worklet-delivery', since: lastPost.at, why: `a ${durMs.toFixed(0)} ms chunk posted to the worklet ${(at - lastPost.at).toFixed(0)} ms before it ran dry had not reached it` };
    }
  }
  const sent = sum(before(sends, cut));
  const arrived = sum(before(arrivals, at));
  const posted = sum(before(posts, at));
  const nextSend = sends.find((s) => s.at > cut);
  const lastSend = before(sends, cut).at(-1);
  if (sent > arrived) {
    const stuck = sends[before(arrivals, at).length]!;
    return { stage: 'transit', since: stuck.at, why: `sent by the simulator ${(at - stuck.at).toFixed(0)} ms before the worklet ran dry, not yet at the worker (${((sent - arrived) / 48).toFixed(0)} ms of audio in transit)` };
  }
  if (arrived > posted) {
    const stuck = arrivals[before(posts, at).length]!;
    return { stage: 'engine', since: stuck.at, why: `at the worker ${(at - stuck.at).toFixed(0)} ms before the worklet ran dry, not yet posted to the worklet` };
  }
  const gapMs = nextSend && lastSend ? nextSend.at - lastSend.at : NaN;
  return {
    stage: 'source',
    since: lastSend?.at ?? at,
    why: `every chunk sent had reached the worklet (posted − played ${undeliveredMs.toFixed(0)} ms); the simulator's next chunk came ${nextSend ? (nextSend.at - at).toFixed(0) : '∞'} ms after the worklet ran dry (its stream paused ${gapMs.toFixed(0)} ms between two chunks)`,
  };
}
