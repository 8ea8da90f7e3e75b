// Entry point of the speech-synthesis worker thread (started by synthesis-thread.ts): runs
// Flite for each request, one at a time, and sends the PCM back without copying it.
import { parentPort } from 'node:worker_threads';
import { loadFlite, synthesizeWith, type FliteVoice } from './flite.ts';

export interface SynthesisRequest {
  id: number;
  text: string;
  voice: FliteVoice;
  sampleRate: number;
}

export type SynthesisReply = { id: number; pcm: Int16Array } | { id: number; error: string };

const port = parentPort;
if (port) {
  port.on('message', async (request: SynthesisRequest) => {
    let reply: SynthesisReply;
    try {
      const pcm = synthesizeWith(await loadFlite(), request.text, { voice: request.voice, sampleRate: request.sampleRate });
      reply = { id: request.id, pcm };
    } catch (e) {
      reply = { id: request.id, error: (e as Error).message };
    }
    port.postMessage(reply, 'pcm' in reply ? [reply.pcm.buffer as ArrayBuffer] : []);
  });
}
