// A private PulseAudio server for one browser: its own runtime dir and HOME (never the
// user's daemon), started and stopped by the test harness by pid. It models a room:
//
//   sink "room"   what the room hears: the "user" (WAV files played with paplay) and, in
//                 speakerphone mode, the page's own playback (the loudspeaker);
//   source "mic"  the room's monitor, remapped into a plain source (WebKit does not list
//                 bare monitor sources): the default microphone, 0 dB, perfectly linear;
//   sink "void"   where the page's playback goes when it must not reach the mic.
//
// Chromium and Firefox use it through PULSE_SERVER (puppeteer's `env`), WebKitGTK through
// GStreamer's pulsesrc/pulsesink (gstreamer1.0-pulseaudio) in the driver's environment.
// `default-sample-rate = 48000`: without it Chromium opens 44.1 kHz streams.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOM_SINK = 'room';
export const VOID_SINK = 'void';
export const MIC_SOURCE = 'mic';

export interface Voice {
  /** Resolves when the file has been played to the end (or stop() was called). */
  done: Promise<void>;
  stop(): void;
}

export interface PulseRoom {
  /** PULSE_SERVER value for the browser's environment. */
  readonly server: string;
  readonly pid: number;
  /** Plays a WAV into the room (the mic hears it at 0 dB). */
  play(wav: string): Voice;
  /** Stops every voice still playing (not the ambience). */
  hush(): void;
  /** Loops a WAV into the room until stop(): a room's noise floor (a real mic never hears exact zeros). */
  ambience(wav: string): void;
  /** true: the page's playback goes into the room (the mic hears it); false: into the void. */
  speakerphone(on: boolean): void;
  /** pactl against this server. */
  pactl(...args: string[]): string;
  stop(): Promise<void>;
}

export function pulseAvailable(): string | undefined {
  for (const bin of ['/usr/bin/pulseaudio', '/usr/bin/pactl', '/usr/bin/paplay']) if (!existsSync(bin)) return `${bin} is missing (apt-get install pulseaudio pulseaudio-utils)`;
  return undefined;
}

/** Starts a private PulseAudio server; `label` names its temp dir (diagnostics). */
export async function startPulseRoom(label: string, log: (line: string) => void = () => undefined): Promise<PulseRoom> {
  const missing = pulseAvailable();
  if (missing) throw new Error(`PulseAudio cannot start: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), `hv-pulse-${label}-`));
  const runtime = join(dir, 'run');
  const home = join(dir, 'home');
  mkdirSync(join(home, '.config', 'pulse'), { recursive: true });
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(home, '.config', 'pulse', 'daemon.conf'),
    ['default-sample-rate = 48000', 'alternate-sample-rate = 48000', 'default-fragments = 4', 'default-fragment-size-msec = 5', 'flat-volumes = no', 'realtime-scheduling = yes', 'realtime-priority = 9', ''].join('\n'),
  );
  const socket = join(runtime, 'native');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(home, ".config"), PULSE_SERVER: `unix:${socket}` };
  delete env.DISPLAY;
  const proc: ChildProcess = spawn(
    'pulseaudio',
    [
      '-n',
      '--daemonize=no',
      '--use-pid-file=no',
      '--exit-idle-time=-1',
      // A real sound card keeps time whatever the CPU does; a null sink is driven by this
      // daemon's timers. Realtime scheduling (root may) keeps the loop delay steady on a
      // loaded machine, as hardware would, instead of jumping (which makes browsers'
      // echo cancellers leak for a moment).
      '--realtime=yes',
      '--high-priority=yes',
      '--disallow-exit',
      '--log-target=stderr',
      '--log-level=error',
      `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      `--load=module-null-sink sink_name=${ROOM_SINK} rate=48000 channels=1 sink_properties=device.description=room`,
      `--load=module-null-sink sink_name=${VOID_SINK} rate=48000 channels=2 sink_properties=device.description=void`,
      `--load=module-remap-source master=${ROOM_SINK}.monitor source_name=${MIC_SOURCE} channels=1 source_properties=device.description=mic`,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr!.on('data', (d: Buffer) => log(`[pulse ${label}] ${String(d).trim()}`));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const pactl = (...args: string[]): string => {
    const r = spawnSync('pactl', args, { env, encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) throw new Error(`pactl ${args.join(' ')}: ${r.stderr || r.error?.message || `exit ${r.status}`}`.trim());
    return r.stdout;
  };
  // Up when pactl answers.
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`pulseaudio exited with ${proc.exitCode} at startup`);
    try {
      pactl('info');
      break;
    } catch (e) {
      if (i > 200) {
        proc.kill('SIGKILL');
        throw new Error(`pulseaudio did not come up: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  pactl('set-default-source', MIC_SOURCE);
  pactl('set-default-sink', VOID_SINK);

  const voices = new Set<ChildProcess>();
  let stopped = false;
  let ambient: ChildProcess | undefined;
  return {
    server: `unix:${socket}`,
    pid: proc.pid!,
    ambience(wav) {
      const loop = () => {
        if (stopped) return;
        ambient = spawn('paplay', ['-d', ROOM_SINK, wav], { env, stdio: 'ignore' });
        ambient.once('exit', loop);
      };
      loop();
    },
    play(wav) {
      const p = spawn('paplay', ['-d', ROOM_SINK, '--latency-msec=20', wav], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      voices.add(p);
      p.stderr!.on('data', (d: Buffer) => log(`[paplay ${label}] ${String(d).trim()}`));
      const done = new Promise<void>((resolve) => p.once('exit', () => (voices.delete(p), resolve())));
      return { done, stop: () => void p.kill('SIGTERM') };
    },
    hush() {
      for (const p of voices) p.kill('SIGTERM');
    },
    speakerphone(on) {
      pactl('set-default-sink', on ? ROOM_SINK : VOID_SINK);
      // Streams already open follow the default in PulseAudio >= 14; move the page's to be
      // sure (the user's voices, paplay, stay in the room).
      const inputs = JSON.parse(pactl('-f', 'json', 'list', 'sink-inputs')) as { index: number; properties: Record<string, string> }[];
      for (const input of inputs) {
        if (input.properties['application.name'] === 'paplay') continue;
        try {
          pactl('move-sink-input', String(input.index), on ? ROOM_SINK : VOID_SINK);
        } catch {
          // the stream ended meanwhile
        }
      }
    },
    pactl,
    async stop() {
      stopped = true;
      ambient?.kill('SIGKILL');
      for (const p of voices) p.kill('SIGKILL');
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
