// Loads the worklet module into a context, trying in order: the page's own same-origin
// file (`workletUrl`, for a strict CSP), a Blob URL, a data: URL. Worklet module loads
// are governed by CSP `script-src` (script-src-elem), so a page that blocks all three gets
// an error saying exactly what to add.
import { HydraError } from '../protocol/errors.ts';
import { workletSource } from './worklet-source.ts';

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
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    return { url, release: () => URL.revokeObjectURL(url) };
  },
};

/** data: URL step. */
export const dataStep: WorkletStep = {
  via: 'data',
  url: (source) => ({ url: `data:text/javascript;charset=utf-8,${encodeURIComponent(source)}` }),
};

/**
 * Adds a module with `source` to the context's AudioWorklet. Returns the path that worked;
 * throws {@link WorkletLoadError} naming the CSP directive when every path fails.
 */
export async function loadWorkletModule(ctx: BaseAudioContext, source: string, options: WorkletLoadOptions = {}): Promise<WorkletVia> {
  if (!ctx.audioWorklet) {
    throw new WorkletLoadError('This browser has no AudioWorklet (it needs a secure context: https:// or localhost).', 'none', []);
  }
  const steps: WorkletStep[] = [];
  if (options.workletUrl) {
    const fixed = new URL(options.workletUrl, document.baseURI).href;
    steps.push({ via: 'url', url: () => ({ url: fixed }) });
  }
  steps.push(...(options.steps ?? [blobStep, dataStep]));

  // A CSP refusal only shows as an AbortError; the violation event says which directive.
  const violations: string[] = [];
  const onViolation = (e: SecurityPolicyViolationEvent) => violations.push(e.effectiveDirective || e.violatedDirective);
  const doc = typeof document === 'undefined' ? undefined : document;
  doc?.addEventListener('securitypolicyviolation', onViolation);
  const attempts: { via: WorkletVia; error: string }[] = [];
  try {
    for (const step of steps) {
      let made: { url: string; release?: () => void } | undefined;
      try {
        made = step.url(source);
        await ctx.audioWorklet.addModule(made.url);
        return step.via;
      } catch (e) {
        attempts.push({ via: step.via, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      } finally {
        made?.release?.();
      }
    }
  } finally {
    doc?.removeEventListener('securitypolicyviolation', onViolation);
  }
  const directive = violations.find((v) => v.startsWith('script-src')) ?? violations[0] ?? 'script-src';
  const tried = attempts.map((a) => `${a.via}: ${a.error}`).join('; ');
  throw new WorkletLoadError(
    `The audio worklet could not be loaded (${tried}). If the page has a Content-Security-Policy, ` +
      `audio worklets fall under its ${directive} directive: add blob: to ${directive} ` +
      `(e.g. "${directive} 'self' blob:"), or serve hydra-voice-worklets.js from your own origin, ` +
      `allow it in ${directive}, and set the worklet-url attribute to it.`,
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
    p = loadWorkletModule(ctx, workletSource(), options);
    loaded.set(ctx, p);
    p.catch(() => loaded.delete(ctx));
  }
  return p;
}
