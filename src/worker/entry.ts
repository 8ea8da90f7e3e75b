// Entry of the standalone worker file (dist/hydra-voice-worker.js, classic, for
// `worker-url` on strict-CSP pages; dist/hydra-voice-worker.mjs, the module worker the ES
// build starts): the engine and nothing of the element.
import { runWorkerHost } from './host.ts';

runWorkerHost();
