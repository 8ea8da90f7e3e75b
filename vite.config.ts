// Builds the shipped browser library. `vite build` (this default config) writes
//   dist/hydra-voice.js   classic script (IIFE, no `export`) from src/classic.ts: <script src>
//                         on any page, defines <hydra-voice>, exposes window.HydraVoice, and
//                         is its own worker script (in a worker it runs the engine instead,
//                         so the session and protocol code ship once)
// and the bundle reports from rollup-plugin-visualizer (dist/stats.html, dist/stats.json)
// that `npm run bench` reads for the largest contributors. scripts/write-worklets.ts (the
// next build step) then builds the two configs below and writes the worklet file:
//   dist/hydra-voice.mjs + dist/hydra-voice-worker.mjs (+ a shared chunk)
//                         ES modules for bundlers (esModuleConfig): the element starts its
//                         engine with `new Worker(new URL('./hydra-voice-worker.mjs',
//                         import.meta.url), {type: 'module'})`, which bundlers understand
//   dist/hydra-voice-webrtc.js
//                         the WebRTC echo route, loaded by the classic script only when the
//                         echo guard hears our own voice in the mic (webRtcRouteConfig)
//   dist/hydra-voice-worker.js
//                         the engine alone as a classic worker (workerConfig), for pages that
//                         serve it from their own origin (`worker-url`, strict CSPs)
// `npm start` serves the demo through src/server/dev-server.ts, not through this config.
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { visualizer } from 'rollup-plugin-visualizer';
import { minifyLiteralsPlugin } from './scripts/minify-literals.ts';

const shared = {
  publicDir: false,
  configFile: false,
  logLevel: 'warn',
} as const;

const build = {
  target: 'es2022',
  outDir: 'dist',
  emptyOutDir: false,
  // Maps are written (for our own debugging and the size bench) but not referenced from the
  // bundles: the npm package leaves them out, and a dangling sourceMappingURL is noise.
  sourcemap: 'hidden',
  minify: true,
} as const;

/**
 * Writes the module worker's constructor into the ES output as the literal pattern that
 * bundlers (Vite, webpack 5, Parcel, Rollup plugins) recognise and rewrite. Done after
 * Vite's own transforms: its worker plugin would otherwise bundle a second copy of the
 * engine in place of the shared chunk.
 */
function moduleWorkerPattern(): Plugin {
  const file = JSON.stringify('./hydra-voice-worker.mjs');
  return {
    name: 'hydra-voice:module-worker-pattern',
    renderChunk(code) {
      if (!code.includes('__HV_MODULE_WORKER')) return null;
      // Same lines, so the existing source map stays usable (map: null keeps it).
      const out = code
        .replaceAll('__HV_MODULE_WORKER_FILE__', file)
        .replaceAll('__HV_MODULE_WORKER__', `(() => new Worker(new URL(${file}, import.meta.url), { type: "module" }))`);
      return { code: out, map: null };
    },
  };
}

/**
 * Properties that only this script's own modules use, in one thread: the terser pass shortens
 * them (~0.2 kB gzipped). The classic script exposes only the element, so these method and
 * field names of the session, the engine's audio plumbing, the history and the view model are
 * nobody else's. Never list a name that crosses a thread (the page ↔ engine messages, whose
 * worker may be the separately built hydra-voice-worker.js; the worklets' messages; the
 * lazily loaded WebRTC route's API), is public
 * (element API, event details, history entries, debugStats) or is the wire's: the check in
 * terserPass() fails the build when a listed name appears in those modules.
 */
const INTERNAL_PROPERTIES = [
  // element/conversation-controller.ts ConversationSink and its options
  'levelsChanged', 'stateChanged', 'replyStarted', 'toolAnswered', 'tokenRequests', 'micDeviceId', 'outputDeviceId',
  // element/history.ts ConversationHistory
  'turnStarted', 'turnEnded', 'replyPlayed', 'replyEnded', 'toolCalled',
  // element/view.ts ViewModel (release: also worker/loader.ts's and worklet-loader.ts's URL cleanups)
  'talkButton', 'settingsOpen', 'floating', 'launcher', 'panelKey', 'hold', 'release',
  // session/turns.ts, session/conversation.ts, session/tool-calls.ts and their links
  'speechStarted', 'speechStopped', 'itemDone', 'responseCreated', 'audioDelta', 'audioDone', 'responseDone',
  'playbackAttached', 'droppedLateAudio', 'droppedUnknownAudio', 'expectResponse', 'responseRefused', 'refreshState',
  'setState', 'markServerFull', 'abandonOpen', 'responseEnded', 'typeOf', 'healthy', 'listen',
  // session/session.ts methods the engine calls (HydraSession is not exposed by this script)
  'answerToolCall', 'appendAudio', 'attachPlayback', 'playbackStarted', 'playbackEnded',
  // worker/host.ts audio plumbing
  'attachCapture', 'takeLevels', 'inputLevel', 'outputLevel',
  // the page's audio objects (audio/mic-capture.ts, playback.ts, playback-channel.ts, capture-channel.ts)
  'onchunk', 'onsilent', 'onplayed', 'onfinished', 'onidle', 'onstarted', 'onroute', 'onproblem', 'switchDevice', 'workletNode',
  // element/conversation-controller.ts methods, session/tool-calls.ts options
  'setMuted', 'setMicDevice', 'setOutputDevice', 'debounceMs',
  // the audio objects' level callbacks and volume; session/conversation.ts Conversation.turns,
  // its and Turns' host link, its dropped-audio count; the session's updateTools, called by the engine
  'onlevel', 'setVolume', 'turns', 'emit', 'droppedAudio', 'updateTools',
  // element/hydra-voice.ts private reactive state (state: true: no attribute, not in the CEM's API)
  '_error', '_notice', '_state', '_held', '_settingsOpen', '_devices',
];

/** The modules whose property names cross a thread or are public (see INTERNAL_PROPERTIES). */
const BOUNDARY_MODULES = [
  'src/worker/messages.ts',
  'src/session/events.ts',
  'src/protocol/errors.ts',
  'src/protocol/schemas.ts',
  'src/element/api.ts',
  'src/element/events.ts',
  'src/audio/worklet/processors.ts',
  'src/audio/worklet/capture-core.ts',
  'src/audio/worklet/playback-core.ts',
  'src/audio/webrtc-route.ts',
  'src/audio/webrtc-route-file.ts',
];

function checkInternalProperties(): void {
  for (const file of BOUNDARY_MODULES) {
    const text = readFileSync(file, 'utf8');
    const crossing = INTERNAL_PROPERTIES.filter((name) => new RegExp(`\\b${name}\\b`).test(text));
    if (crossing.length > 0) throw new Error(`vite.config.ts INTERNAL_PROPERTIES: ${crossing.join(', ')} appear in ${file}; mangling them would break it`);
  }
}

/**
 * A second minification pass with terser over Oxc's output (both passes are needed: each
 * alone leaves ~0.45 kB gzipped more in the classic script, which has a size budget).
 * The hidden source map is chained through it.
 */
function terserPass(): Plugin {
  return {
    name: 'hydra-voice:terser-pass',
    async generateBundle(_options, bundle) {
      const { minify } = await import('terser');
      checkInternalProperties();
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const map = chunk.map ? { content: JSON.stringify(chunk.map), asObject: true } : false;
        // pure_getters: no getter of ours is read for a side effect; unsafe_arrows: no
        // function expression of ours is a constructor or reads `this`; keep_fargs: false
        // drops unused trailing parameters (nothing in the script reads a function's
        // `length`; a 4th pass then finds a little more); sequences: false
        // keeps statements as statements (`a();b()`, not `a(),b()`), which gzip matches
        // more often (~30 B less in the classic script). The properties
        // mangled are INTERNAL_PROPERTIES and Lit's internals (`_$AH`, `_$EO`…): this script
        // holds the only Lit that touches its elements and templates. Lit's cross-copy
        // markers (`_$litType$`…) stay.
        const out = await minify(chunk.code, {
          ecma: 2020,
          compress: { passes: 4, pure_getters: true, unsafe_arrows: true, keep_fargs: false, sequences: false },
          mangle: { properties: { regex: new RegExp(`^(?:_\\$[A-Z]\\w*|${INTERNAL_PROPERTIES.join('|')})$`) } },
          sourceMap: map,
        });
        chunk.code = out.code!;
        if (chunk.map && out.map) Object.assign(chunk.map, out.map);
      }
    },
  };
}

/**
 * Leaves out Lit's hooks that no browser hydra-voice supports calls: the ShadyDOM polyfill
 * hooks (every browser with AudioWorklet has native shadow DOM), SSR hydration (the element
 * renders on the client only) and the version registry (read by Lit's dev builds only).
 * Also what only decorators reach, since the element declares `static properties` and uses
 * none: the decorator metadata (`Symbol.metadata`, `litPropertyMetadata`), class
 * initializers (`addInitializer`) and "wrapped" accessors (a reactive property over an
 * accessor the class defines itself; the element declares its reactive fields).
 * If a Lit release changes these lines, nothing is replaced and only the size grows.
 */
function litWithoutHooks(): Plugin {
  // Exact text of Lit 3's minified reactive-element.js (single-letter names vary: \w).
  const decoratorOnly = [
    /Symbol\.metadata\?\?=Symbol\("metadata"\),\w+\.litPropertyMetadata\?\?=new WeakMap;/,
    /static addInitializer\(\w\)\{this\._\$Ei\(\),\(this\.l\?\?=\[\]\)\.push\(\w\)\}/,
    /void 0!==\w\.l&&\(this\.l=\[\.\.\.\w\.l\]\),/,
    /,this\.constructor\.l\?\.forEach\(\w=>\w\(this\)\)/,
    /const \w=this\[Symbol\.metadata\];if\(null!==\w\)\{const \w=litPropertyMetadata\.get\(\w\);if\(void 0!==\w\)for\(const\[\w,\w\]of \w\)this\.elementProperties\.set\(\w,\w\)\}/,
    /this\.prototype\.hasOwnProperty\(\w\)&&\(\(\w=Object\.create\(\w\)\)\.wrapped=!0\),/,
    /const \w=this\.constructor\.elementProperties;if\(\w\.size>0\)for\(const\[\w,\w\]of \w\)\{const\{wrapped:\w\}=\w,\w=this\[\w\];!0!==\w\|\|this\._\$AL\.has\(\w\)\|\|void 0===\w\|\|this\.C\(\w,void 0,\w,\w\)\}/,
    // `useDefault` (an option of the decorators' accessor properties) is never set: its
    // bookkeeping (_$Ej, the value restored when an attribute is removed) goes too.
    /useDefault:!1,/,
    /\?\?this\._\$Ej\?\.get\(\w\)\?\?\w(?=,this\._\$Em=null)/,
    /\|\|\w\.useDefault&&\w\.reflect&&\w===this\._\$Ej\?\.get\(\w\)&&!this\.hasAttribute\(\w\._\$Eu\(\w,\w\)\)/,
  ];
  /** Lit's `C(name, old, options, initial)` without the `useDefault` and `wrapped` branches. */
  const recordChange =
    /C\((\w),(\w),\{useDefault:(\w),reflect:(\w),wrapped:\w\},\w\)\{\3&&!\(this\._\$Ej\?\?=new Map\)\.has\(\1\)&&\(this\._\$Ej\.set\(\1,\w\?\?\2\?\?this\[\1\]\),!0!==\w\|\|void 0!==\w\)\|\|\(this\._\$AL\.has\(\1\)\|\|\(this\.hasUpdated\|\|\3\|\|\(\2=void 0\),this\._\$AL\.set\(\1,\2\)\),(!0===\4&&this\._\$Em!==\1&&\(this\._\$Eq\?\?=new Set\)\.add\(\1\))\)\}/;
  return {
    name: 'hydra-voice:lit-without-hooks',
    transform(code, id) {
      if (!/node_modules\/(lit-html\/lit-html|@lit\/reactive-element\/reactive-element|lit-element\/lit-element)\.js$/.test(id)) return null;
      let out = code
        .replace(/\b\w+\.(?:litHtml|reactiveElement|litElement)PolyfillSupport\b/g, 'void 0')
        .replace(/\b\w+\.litElementHydrateSupport\?\.\(\{LitElement:\w+\}\)/g, 'void 0')
        .replace(/\(\w+\.(?:litHtml|reactiveElement|litElement)Versions\?\?=\[\]\)\.push\("[\d.]+"\)/g, 'void 0');
      for (const pattern of decoratorOnly) out = out.replace(pattern, '');
      out = out.replace(recordChange, (_all, name, old, _useDefault, reflect, addReflect) =>
        `C(${name},${old},{reflect:${reflect}}){this._$AL.has(${name})||(this.hasUpdated||(${old}=void 0),this._$AL.set(${name},${old})),${addReflect}}`);
      return out === code ? null : { code: out, map: null };
    },
  };
}

/** The ES modules: element entry and module-worker entry, sharing one chunk. */
export const esModuleConfig: UserConfig = {
  ...shared,
  // The element's css``/html`` literals minified here too; the worker configs hold no element.
  plugins: [minifyLiteralsPlugin(), moduleWorkerPattern()],
  build: {
    ...build,
    lib: {
      entry: { 'hydra-voice': 'src/index.ts', 'hydra-voice-worker': 'src/worker/entry.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.mjs`,
    },
    rollupOptions: { output: { chunkFileNames: 'hydra-voice-shared-[hash].mjs' } },
  },
};

/**
 * The WebRTC echo route as a classic script: the classic hydra-voice.js loads it from beside
 * itself only when the echo guard asks for it (src/audio/webrtc-route-load.ts).
 */
export const webRtcRouteConfig: UserConfig = {
  ...shared,
  build: {
    ...build,
    lib: { entry: 'src/audio/webrtc-route-file.ts', formats: ['iife'], name: 'HydraVoiceWebRtcFile', fileName: () => 'hydra-voice-webrtc.js' },
  },
};

/** The engine alone, as a classic worker script. */
export const workerConfig: UserConfig = {
  ...shared,
  build: {
    ...build,
    lib: { entry: 'src/worker/entry.ts', formats: ['iife'], name: 'HydraVoiceWorker', fileName: () => 'hydra-voice-worker.js' },
  },
};

export default defineConfig({
  publicDir: false,
  plugins: [minifyLiteralsPlugin(), litWithoutHooks(), terserPass()],
  // The classic script loads its worklets from dist/hydra-voice-worklets.js beside itself
  // instead of embedding their module text (src/audio/worklet-loader.ts), and the WebRTC
  // echo route from dist/hydra-voice-webrtc.js (src/audio/webrtc-route-load.ts).
  define: { __HV_WORKLET_FILE__: 'true' },
  build: {
    ...build,
    lib: {
      entry: 'src/classic.ts',
      formats: ['iife'],
      name: 'HydraVoice',
      fileName: () => 'hydra-voice.js',
    },
    rollupOptions: {
      plugins: [
        visualizer({ filename: 'dist/stats.html', template: 'treemap', gzipSize: true, brotliSize: true }),
        visualizer({ filename: 'dist/stats.json', template: 'raw-data', gzipSize: true, brotliSize: true }),
      ],
    },
  },
});
