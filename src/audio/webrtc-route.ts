// Plays a Web Audio node through a loopback pair of RTCPeerConnections into an <audio>
// element, so that an echo canceller which only hears WebRTC playback hears ours.
//
// Chromium's getUserMedia canceller long used only audio received over RTCPeerConnection
// as its reference, never Web Audio output (crbug 687574); Chrome-wide echo cancellation
// fixed that, but Chromes without it (older, or with the feature off) leave the agent's
// voice in the mic at full level (measured: 0.1 dB of attenuation with
// --disable-features=ChromeWideEchoCancellation, 47 dB through this route). The cost is
// the Opus encode/decode and the receiver's jitter buffer: ~60 ms more output latency
// (see README "Echo"). Playback switches to it only when the echo guard hears our own
// voice come back (playback.ts, echo-guard.ts); the classic script loads this code only
// then (webrtc-route-load.ts).

/** A live loopback route; `close()` tears it down. */
export interface WebRtcRoute {
  /** Where to connect the audio to be played. */
  readonly input: AudioNode;
  close(): void;
}

/**
 * Builds the route and resolves once the <audio> element plays what `input` receives.
 * Rejects (and cleans up) when the peer connections cannot connect or playback is refused.
 */
export async function openWebRtcRoute(ctx: AudioContext, timeoutMs = 5000): Promise<WebRtcRoute> {
  const input = new MediaStreamAudioDestinationNode(ctx, { channelCount: 1, channelCountMode: 'explicit' });
  const sender = new RTCPeerConnection();
  const receiver = new RTCPeerConnection();
  const audio = new Audio();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    audio.pause();
    audio.srcObject = null;
    sender.close();
    receiver.close();
    input.disconnect();
  };
  try {
    sender.onicecandidate = (e) => void (e.candidate && receiver.addIceCandidate(e.candidate).catch(() => undefined));
    receiver.onicecandidate = (e) => void (e.candidate && sender.addIceCandidate(e.candidate).catch(() => undefined));
    for (const track of input.stream.getAudioTracks()) sender.addTrack(track, input.stream);
    const remote = new Promise<MediaStream>((resolve) => {
      receiver.ontrack = (e) => {
        // Play out as soon as possible: the jitter buffer is most of this route's latency.
        const r = e.receiver as unknown as Record<string, unknown>;
        try {
          if ('jitterBufferTarget' in r) r.jitterBufferTarget = 0;
          else if ('playoutDelayHint' in r) r.playoutDelayHint = 0; // older Chromium
        } catch {
          // not settable here: the default buffer still works
        }
        resolve(e.streams[0] ?? new MediaStream([e.track]));
      };
    });
    const offer = await sender.createOffer();
    await sender.setLocalDescription(offer);
    await receiver.setRemoteDescription(offer);
    const answer = await receiver.createAnswer();
    await receiver.setLocalDescription(answer);
    await sender.setRemoteDescription(answer);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the WebRTC loopback did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      audio.srcObject = await Promise.race([remote, timeout]);
      await Promise.race([audio.play(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return { input, close };
  } catch (e) {
    close();
    throw e;
  }
}
