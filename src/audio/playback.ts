// Model audio (48 kHz PCM16) → playback worklet → the context's default output, which is
// where the browser's echo canceller listens (a separate output device would hide the
// reference signal from it). When the echo guard hears our own voice come back in the mic
// (the canceller does not hear Web Audio: Chromium without Chrome-wide echo cancellation),
// the output moves to a loopback WebRTC route that it does hear (webrtc-route.ts).
import { loadWorklets } from './worklet-loader.ts';
import { PLAYBACK_PROCESSOR } from './worklet-source.ts';
import { PlaybackChannel } from './playback-channel.ts';
import type { PlaybackStats as ChannelStats } from './playback-channel.ts';
import type { PlaybackCommand, PlaybackMessage, PlaybackOptions as CoreOptions } from './worklet/playback-core.ts';
import type { EchoReport } from './worklet/echo-guard.ts';
import type { WebRtcRoute } from './webrtc-route.ts';
import { loadWebRtcRoute, webRtcRouteAvailable } from './webrtc-route-load.ts';

/** How playback reaches the loudspeaker. */
export type OutputRoute = 'direct' | 'webrtc';

/** Options for {@link Playback}. */
export interface PlaybackOptions extends Omit<CoreOptions, 'statusMs'> {
  /** Same-origin URL of dist/hydra-voice-worklets.js (strict CSP). */
  workletUrl?: string | undefined;
  /** Where to connect (default: ctx.destination). A custom destination never changes route. */
  destination?: AudioNode;
  /**
   * `auto` (default): the context's output, moved to the WebRTC route when the echo guard
   * hears our own voice in the mic and WebRTC exists (moved back if that does not help).
   * `direct` / `webrtc`: always that route (measurements).
   */
  echoRoute?: 'auto' | OutputRoute;
  /**
   * Route the worklet to this port (transferred to it): it takes commands from the port and
   * posts every message there, so whoever holds the other end (the worker) drives playback.
   * Playback's own callbacks then stay silent. The echo guard's reports still come here:
   * the output route is the main thread's (WebRTC and media elements do not exist in a worker).
   */
  route?: MessagePort | undefined;
}

/** Counters for diagnostics and tests. */
export interface PlaybackStats extends ChannelStats {
  /** The output route in use. */
  route: OutputRoute;
  /** The echo guard's latest verdict (echo-guard.ts). */
  echo: EchoReport | undefined;
  /** Why the WebRTC route could not be used, when it was wanted. */
  routeError: string | undefined;
}

/**
 * Plays 48 kHz PCM16 per response id: gapless, prebuffered, flushable (barge-in).
 */
export class Playback {
  /** Output level (RMS, 0..1), ~20 times a second while playing, 0 when idle. */
  onlevel: (rms: number) => void = () => undefined;
  /** Source frames (48 kHz) played so far for a response; called as it plays and when it leaves the queue. */
  onplayed: (responseId: string, frames: number) => void = () => undefined;
  /** Nothing left to play. */
  onidle: () => void = () => undefined;
  /** First sample of a response reached the output (context frame). */
  onstarted: (responseId: string, frame: number) => void = () => undefined;
  /** The output route changed (after the echo guard's verdict). */
  onroute: (route: OutputRoute) => void = () => undefined;

  #node: AudioWorkletNode | undefined;
  /** Output volume, between the worklet and the output route. */
  readonly #gain: GainNode;
  #pending: [PlaybackCommand, Transferable[]][] = [];
  readonly #channel = new PlaybackChannel((cmd, transfer) => this.#send(cmd, transfer));
  readonly #readyPromise: Promise<void>;
  #disposed = false;
  readonly #echoStats: Pick<PlaybackStats, 'route' | 'echo' | 'routeError'> = {
    route: 'direct',
    echo: undefined,
    routeError: undefined,
  };
  readonly #routePolicy: 'auto' | OutputRoute;
  #webrtc: WebRtcRoute | undefined;
  #switching = false;
  /** The WebRTC route was tried and the echo stayed: do not pay its latency again. */
  #webrtcUseless = false;
  /** A move was made; waiting for the guard to say it started learning the new path. */
  #relearning = false;

  constructor(
    readonly ctx: BaseAudioContext,
    options: PlaybackOptions = {},
  ) {
    const { workletUrl, destination, echoRoute, route, ...core } = options;
    this.#routePolicy = destination !== undefined ? 'direct' : (echoRoute ?? 'auto');
    this.#gain = ctx.createGain();
    this.#channel.onlevel = (rms) => this.onlevel(rms);
    this.#channel.onplayed = (id, frames) => this.onplayed(id, frames);
    this.#channel.onidle = () => this.onidle();
    this.#channel.onstarted = (id, frame) => this.onstarted(id, frame);
    this.#readyPromise = loadWorklets(ctx, { workletUrl }).then(async () => {
      if (this.#disposed) return;
      const node = new AudioWorkletNode(ctx, PLAYBACK_PROCESSOR, {
        numberOfInputs: 0,
        outputChannelCount: [1],
        processorOptions: core satisfies CoreOptions,
      });
      node.port.onmessage = (e: MessageEvent<PlaybackMessage | { type: 'ready' }>) => {
        if (this.#disposed) return;
        if (e.data.type === 'echo') this.#onEcho(e.data.report);
        else this.#channel.receive(e.data);
      };
      if (route) node.port.postMessage({ type: 'route', port: route }, [route]);
      // Connected to the output only once the worklet runs.
      node.connect(this.#gain);
      if (this.#routePolicy === 'webrtc') {
        // Forced (measurements): the route must work or playback fails loudly.
        this.#webrtc = await (await loadWebRtcRoute()).openWebRtcRoute(ctx as AudioContext);
        this.#gain.connect(this.#webrtc.input);
        this.#echoStats.route = 'webrtc';
      } else this.#gain.connect(destination ?? ctx.destination);
      this.#node = node;
      for (const [cmd, transfer] of this.#pending) node.port.postMessage(cmd, transfer);
      this.#pending = [];
    });
    this.#readyPromise.catch(() => undefined);
  }

  /** Counters for diagnostics and tests. */
  get stats(): PlaybackStats {
    return { ...this.#channel.stats, ...this.#echoStats };
  }

  /** Resolves when the worklet runs; rejects with a WorkletLoadError when it cannot load. */
  ready(): Promise<void> {
    return this.#readyPromise;
  }

  /** The worklet node (for taps and tests); undefined until ready. */
  get workletNode(): AudioWorkletNode | undefined {
    return this.#node;
  }

  /**
   * Queues 48 kHz PCM16 of a response. When `pcm` spans its whole buffer, the buffer is
   * transferred to the worklet (no copy) and `pcm` is unusable afterwards.
   */
  enqueue(responseId: string, pcm: Int16Array): void {
    if (!this.#disposed) this.#channel.enqueue(responseId, pcm);
  }

  /** No more audio will come for this response (audio-done): play out what is queued. */
  end(responseId: string): void {
    this.#channel.end(responseId);
  }

  /**
   * Barge-in: fades out within one render quantum plus the ramp (4 ms) and drops the
   * response's queued audio; its late chunks are dropped too. Without an id: everything.
   */
  flush(responseId?: string): void {
    this.#channel.flush(responseId);
  }

  /** Lowers playback (ducking) while the user speaks; smooth, ~15 ms. */
  duck(on: boolean): void {
    this.#channel.duck(on);
  }

  /** Output volume, 0…1 (0 mutes the speaker); changes glide over ~20 ms, without clicks. */
  setVolume(volume: number): void {
    const v = Math.min(1, Math.max(0, Number.isFinite(volume) ? volume : 1));
    this.#gain.gain.setTargetAtTime(v, this.ctx.currentTime, 0.005);
  }

  /** Resolves once the worklet has handled every earlier command; gives its queued frames. */
  sync(): Promise<number> {
    return this.#channel.sync();
  }

  /** Stops the worklet and disconnects it. */
  dispose(): void {
    this.#disposed = true;
    this.#pending = [];
    if (this.#node) {
      this.#node.port.postMessage({ type: 'stop' });
      this.#node.port.onmessage = null;
      this.#node.disconnect();
      this.#node = undefined;
    }
    this.#gain.disconnect();
    this.#webrtc?.close();
    this.#webrtc = undefined;
  }

  /**
   * The echo guard's verdict changed. `echo` on the direct route: the browser's canceller
   * does not hear Web Audio, so move to the WebRTC route (if there is WebRTC); `echo` on the
   * WebRTC route: it does not help either (no canceller at all), so move back and leave the
   * guard to gate the mic. Each move makes the guard learn the new path.
   */
  #onEcho(report: EchoReport): void {
    this.#echoStats.echo = report;
    // Reports posted before the worklet learned of the last move describe the old route.
    if (this.#relearning) {
      if (report.state !== 'unknown') return;
      this.#relearning = false;
    }
    if (this.#routePolicy !== 'auto' || report.state !== 'echo' || this.#switching || !this.#node) return;
    if (this.#echoStats.route === 'direct') {
      if (this.#webrtcUseless) return;
      if (!webRtcRouteAvailable()) {
        this.#echoStats.routeError ??= 'this browser has no RTCPeerConnection';
        return;
      }
      this.#switching = true;
      loadWebRtcRoute()
        .then((m) => m.openWebRtcRoute(this.ctx as AudioContext))
        .then(
          (route) => {
            this.#switching = false;
            if (this.#disposed || !this.#node) return route.close();
            this.#webrtc = route;
            this.#gain.connect(route.input);
            this.#gain.disconnect(this.ctx.destination);
            this.#setRoute('webrtc');
          },
          (e: Error) => {
            // The route's file could not load (warned once, webrtc-route-load.ts) or it did not connect.
            this.#switching = false;
            this.#webrtcUseless = true;
            this.#echoStats.routeError = e.message;
          },
        );
    } else {
      this.#webrtcUseless = true;
      this.#gain.connect(this.ctx.destination);
      this.#webrtc?.close();
      this.#webrtc = undefined;
      this.#setRoute('direct');
    }
  }

  #setRoute(route: OutputRoute): void {
    this.#echoStats.route = route;
    this.#relearning = true;
    this.#node?.port.postMessage({ type: 'echo-relearn' });
    this.onroute(route);
  }

  #send(cmd: PlaybackCommand, transfer: Transferable[] = []): void {
    if (this.#disposed) return;
    if (this.#node) this.#node.port.postMessage(cmd, transfer);
    else this.#pending.push([cmd, transfer]);
  }
}
