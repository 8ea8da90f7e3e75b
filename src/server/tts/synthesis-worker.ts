// Entry point of the audio worker thread (started by synthesis-thread.ts): runs Flite, or
// upsamples a recording, for each request, one at a time, and sends the PCM back without
// copying it. Both take tens to hundreds of ms of CPU: never on the event loop.
import { parentPort } from 'node:worker_threads';
import { upsampleInteger } from '../audio/upsample.ts';
import { loadFlite, synthesizeWith, type FliteVoice } from './flite.ts';

export type AudioJob =
  | { id: number; kind: 'speak'; text: string; voice: FliteVoice; sampleRate: number }
  | { id: number; kind: 'upsample'; pcm: Int16Array; factor: number }
  /** Compiles Flite and runs it once, so the first real reply is not the one that waits for that. */
  | { id: number; kind: 'warm-up' };

export type AudioJobReply = { id: number; pcm: Int16Array } | { id: number; error: string };

async function run(job: AudioJob): Promise<Int16Array> {
  switch (job.kind) {
    case 'upsample':
      return upsampleInteger(job.pcm, job.factor);
    case 'warm-up':
      return synthesizeWith(await loadFlite(), 'Ready.', { sampleRate: 16_000 });
    case 'speak':
      return synthesizeWith(await loadFlite(), job.text, { voice: job.voice, sampleRate: job.sampleRate });
  }
}

const port = parentPort;
if (port) {
  port.on('message', async (job: AudioJob) => {
    let reply: AudioJobReply;
    try {
      reply = { id: job.id, pcm: await run(job) };
    } catch (e) {
      reply = { id: job.id, error: (e as Error).message };
    }
    port.postMessage(reply, 'pcm' in reply ? [reply.pcm.buffer as ArrayBuffer] : []);
  });
}
