// How the journey loop waits: until an update changes the journey, a message delivery ends, or
// the next planned moment. Timers are never cancelled (a cancellation costs the SDK a failure
// object and a scope of promises, replayed on every cold start); one started for a moment that
// is no longer the next one just wakes the loop for a plan that finds nothing to do.
// Workflow code: deterministic, no I/O.
import { sleep } from '@temporalio/workflow';

export class Wakeup {
  private resolve: (() => void) | null = null;
  private pending = false;
  /** Moments (epoch ms) a timer is running for. */
  private readonly timers = new Set<number>();

  /** Wakes the loop now, or at its next wait if it is busy. */
  notify(): void {
    const resolve = this.resolve;
    this.resolve = null;
    if (resolve) resolve();
    else this.pending = true;
  }

  /** Waits for `notify()`, or until `at` (epoch ms) when given; starts a timer for `at` unless one runs. */
  wait(at: number | null, summary?: string): Promise<void> {
    if (at !== null && !this.timers.has(at)) {
      this.timers.add(at);
      void sleep(Math.max(1, at - Date.now()), summary ? { summary } : undefined).then(() => {
        this.timers.delete(at);
        this.notify();
      });
    }
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.resolve = resolve));
  }
}
