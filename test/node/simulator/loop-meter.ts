// Measures how long this process's event loop is kept busy without a break: a 1 ms timer
// chain reads the main thread's own CPU time (/proc/thread-self/schedstat, Linux) at every
// tick, and the largest CPU time between two ticks is the longest stretch of synchronous
// work (one frame handler, one synthesis, one batch of callbacks). CPU time, not wall time:
// a machine loaded by other processes delays the timer but does not add CPU time to the
// stretch, so the figure depends on what the code does, not on the neighbours.
import { existsSync, readFileSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';
const hasSchedstat = existsSync(SCHEDSTAT);

/** CPU time of the calling thread, in ms (falls back to wall time where schedstat is missing). */
export function threadCpuMs(): number {
  if (!hasSchedstat) return performance.now();
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ', 1)[0]) / 1e6;
}

export interface LoopReport {
  /** Longest CPU-busy stretch of the main thread between two timer ticks, ms. */
  longestBlockMs: number;
  /** Timer ticks observed. */
  ticks: number;
  /** What the figure is based on. */
  clock: 'thread-cpu' | 'wall';
}

export class LoopMeter {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;
  private longest = 0;
  private ticks = 0;

  start(): this {
    this.last = threadCpuMs();
    const tick = () => {
      const now = threadCpuMs();
      this.longest = Math.max(this.longest, now - this.last);
      this.last = now;
      this.ticks++;
      this.timer = setTimeout(tick, 1).unref();
    };
    this.timer = setTimeout(tick, 1).unref();
    return this;
  }

  /** The report so far; the meter keeps running. */
  report(): LoopReport {
    return { longestBlockMs: Math.max(this.longest, threadCpuMs() - this.last), ticks: this.ticks, clock: hasSchedstat ? 'thread-cpu' : 'wall' };
  }

  stop(): LoopReport {
    const report = this.report();
    clearTimeout(this.timer);
    return report;
  }
}
