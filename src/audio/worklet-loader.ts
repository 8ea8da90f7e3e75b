// Loads the worklet module into a context, trying in order: the page's own same-origin
// file (`workletUrl`, for a strict CSP), then the module text embedded in the library as a
// Blob URL and a data: URL. The classic script (dist/hydra-voice.js) embeds no text: it
// loads dist/hydra-voice-worklets.js from beside itself instead (registered by classic.ts),
// which keeps ~3.7 kB gzipped of worklet code out of the script. Worklet module loads are
// governed by CSP `script-src` (script-src-elem), so a page that blocks every path gets an
// error saying exactly what to add.
import { HydraError } from '../protocol/errors.ts';
import { describeError, scriptBlobUrl, watchingCsp } from './csp.ts';
import { workletSource } from './worklet-source.ts';

// Defined (true) by the classic script's build (vite.config.ts): no embedded module text there.
declare const __HV_WORKLET_FILE__: boolean | undefined;
const fileOnly = typeof __HV_WORKLET_FILE__ === 'boolean';

/** dist/hydra-voice-worklets.js beside the classic script (set by classic.ts). */
let workletFile: string | undefined;
export const setWorkletFile = (url: string) => void (workletFile = url);

/** How the module was finally loaded. */
export type WorkletVia = 'url' | 'blob' | 'data';

/** One way of turning module source into a URL for `audioWorklet.addModule()`. */
export interface WorkletStep {
  via: WorkletVia;
  /** Returns the URL and a cleanup (e.g. revoking a Blob URL). */
  url(source: string): { url: string; release?: () => void };
}

/** Options for {@link loadWorkletModule}. */
export interface WorkletLoadOptions {
  /** Same-origin URL of the prebuilt worklet file (dist/hydra-voice-worklets.js), tried first. */
  workletUrl?: string | undefined;
  /** Override the fallback steps (tests use this to simulate a refused Blob URL). */
  steps?: WorkletStep[];
}

/** Every load path failed (code `audio_failed`). `directive` is the CSP directive that must allow one of them. */
export class WorkletLoadError extends HydraError {
  override readonly name = 'WorkletLoadError';
  constructor(
    message: string,
    /** The CSP directive to change. */
    readonly directive: string,
    /** Each attempt and why it failed. */
    readonly attempts: { via: WorkletVia; error: string }[],
  ) {
    super('audio_failed', message);
  }
}

/** Blob URL step. */
export const blobStep: WorkletStep = {
  via: 'blob',
  url(source) {
    const url = scriptBlobUrl(source);
    return { url, release: () => URL.revokeObjectURL(url) };
  },
};

/** data: URL step. */
export const dataStep: WorkletStep = {
  via: 'data',
  url: (source) => ({ url: `data:text/javascript;charset=utf-8,${encodeURIComponent(source)}` }),
};

/** A step that loads the module from a URL as it is. */
const urlStep = (url: string): WorkletStep => ({ via: 'url', url: () => ({ url }) });

/**
 * Adds a module with `source` to the context's AudioWorklet (without `source`: the
 * worklet file beside the classic script). Returns the path that worked; throws
 * {@link WorkletLoadError} naming the CSP directive when every path fails.
 */
export async function loadWorkletModule(ctx: BaseAudioContext, source: string | undefined, options: WorkletLoadOptions = {}): Promise<WorkletVia> {
  if (!ctx.audioWorklet) {
    throw new WorkletLoadError('This browser has no AudioWorklet (it needs a secure context: https:// or localhost).', 'none', []);
  }
  const steps: WorkletStep[] = [];
  if (options.workletUrl) {
    steps.push(urlStep(new URL(options.workletUrl, document.baseURI).href));
  }
  const fromFile = fileOnly || source === undefined;
  if (!fromFile) steps.push(...(options.steps ?? [blobStep, dataStep]));
  else if (workletFile) steps.push(urlStep(workletFile));

  // A CSP refusal only shows as an AbortError; the violation event says which directive.
  const attempts: { via: WorkletVia; error: string }[] = [];
  const [loaded, violations] = await watchingCsp(async () => {
    for (const step of steps) {
      let made: { url: string; release?: () => void } | undefined;
      try {
        made = step.url(source!);
        await ctx.audioWorklet.addModule(made.url);
        return step.via;
      } catch (e) {
        attempts.push({ via: step.via, error: describeError(e) });
      } finally {
        made?.release?.();
      }
    }
    return undefined;
  });
  if (loaded) return loaded;
  const directive = violations.find((v) => v.startsWith('script-src')) ?? violations[0] ?? 'script-src';
  const tried = attempts.map((a) => `${a.via}: ${a.error}`).join('; ');
  throw new WorkletLoadError(
    `The audio worklet could not be loaded (${tried || 'no hydra-voice-worklets.js'}). ` +
      (fromFile
        ? `hydra-voice.js loads hydra-voice-worklets.js from beside itself: serve it there (with CORS from another origin) and allow it in ${directive}, or set worklet-url.`
        : `Audio worklets fall under the CSP's ${directive}: add blob: (e.g. "${directive} 'self' blob:"), or serve hydra-voice-worklets.js from your origin and set worklet-url.`),
    directive,
    attempts,
  );
}

const loaded = new WeakMap<BaseAudioContext, Promise<WorkletVia>>();

/**
 * Loads hydra-voice's worklets (both processors) into `ctx` once; later calls share the
 * first call's promise (a failed load is retried on the next call).
 */
export function loadWorklets(ctx: BaseAudioContext, options: WorkletLoadOptions = {}): Promise<WorkletVia> {
  let p = loaded.get(ctx);
  if (!p) {
    p = loadWorkletModule(ctx, fileOnly ? undefined : workletSource(), options);
    loaded.set(ctx, p);
    p.catch(() => loaded.delete(ctx));
  }
  return p;
}
