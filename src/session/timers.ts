// Named one-shot timers on injectable timer functions (and the clock they run on), so
// stop() can clear every one and tests can run without sleeping.

/** The timer functions a session uses; inject fakes to test without sleeping. */
export interface SessionTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on the timers' own clock (default performance.now()). */
  now?(): number;
}

/** Bound timers: `now` is always there. */
export interface BoundTimers extends SessionTimers {
  now(): number;
}

/**
 * Calls the platform's own functions with the global as `this` (a detached
 * `window.setTimeout` throws "Illegal invocation"); injected ones with their object.
 */
export function bindTimers(timers: SessionTimers | undefined): BoundTimers {
  const g = globalThis as unknown as SessionTimers;
  const t = timers ?? g;
  const native = t.setTimeout === g.setTimeout;
  const self = native ? g : t;
  const now = timers?.now;
  return {
    setTimeout: (cb, ms) => t.setTimeout.call(self, cb, ms),
    clearTimeout: (h) => t.clearTimeout.call(self, h),
    now: now ? () => now.call(timers) : () => performance.now(),
  };
}

export class TimerSlots<Name extends string> {
  #handles = new Map<Name, unknown>();

  readonly #timers: SessionTimers;

  constructor(timers: SessionTimers) {
    this.#timers = timers;
  }

  /** (Re)arms the named timer: an armed one is cleared first. */
  set(name: Name, callback: () => void, ms: number): void {
    this.clear(name);
    this.#handles.set(
      name,
      this.#timers.setTimeout(() => {
        this.#handles.delete(name);
        callback();
      }, ms),
    );
  }

  clear(name: Name): void {
    if (!this.#handles.has(name)) return;
    this.#timers.clearTimeout(this.#handles.get(name));
    this.#handles.delete(name);
  }

  has(name: Name): boolean {
    return this.#handles.has(name);
  }

  clearAll(): void {
    for (const name of [...this.#handles.keys()]) this.clear(name);
  }

  get size(): number {
    return this.#handles.size;
  }
}
