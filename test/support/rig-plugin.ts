// web-test-runner plugin: the browser tests' handle on the room around each browser (its
// private PulseAudio server, pulse.ts). Pages call it with executeServerCommand (see
// test/browser/room.ts):
//
//   hv-room-info                → { engine }            which engine/variant this page runs in
//   hv-say { voice, wait? }     → { ms }                plays a fixture voice into the room
//   hv-hush                     → {}                    stops every voice
//   hv-speakerphone { on }      → {}                    page playback into the room (or not)
//
// Rooms are stopped (by pid) when the test server stops, and killed if the process exits.
import type { PulseRoom } from './pulse.ts';
import type { Fixtures } from './fixtures.ts';

export type VoiceName = 'question' | 'interruption' | 'prompt';

interface CommandArgs {
  command: string;
  payload?: unknown;
  session: { id: string; browser: { name: string } };
}

export function roomPlugin(rooms: Map<string, PulseRoom>, fixtures: Fixtures) {
  const files: Record<VoiceName, string> = {
    question: fixtures.questionWav,
    interruption: fixtures.interruptionWav,
    prompt: fixtures.promptWav,
  };
  const killAll = () => {
    for (const room of rooms.values()) {
      try {
        process.kill(room.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killAll);
  return {
    name: 'hydra-room',
    async serverStop() {
      process.off('exit', killAll);
      await Promise.all([...rooms.values()].map((r) => r.stop()));
    },
    async executeCommand({ command, payload, session }: CommandArgs) {
      if (!command.startsWith('hv-')) return undefined;
      const engine = session.browser.name;
      const room = rooms.get(engine);
      if (!room) throw new Error(`no PulseAudio room for ${engine}`);
      const p = (payload ?? {}) as { voice?: VoiceName; wait?: boolean; on?: boolean };
      switch (command) {
        case 'hv-room-info':
          return { engine };
        case 'hv-say': {
          const file = files[p.voice ?? 'question'];
          if (!file) throw new Error(`unknown voice ${p.voice}`);
          const t0 = Date.now();
          const voice = room.play(file);
          if (p.wait) await voice.done;
          return { ms: Date.now() - t0 };
        }
        case 'hv-hush':
          room.hush();
          return {};
        case 'hv-speakerphone':
          room.speakerphone(Boolean(p.on));
          return {};
      }
      return undefined;
    },
  };
}
