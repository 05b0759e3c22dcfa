// A stack of clean-up steps, run in reverse order however the test ends.

export class Cleanup {
  #steps = [];

  /** Registers `fn` (sync or async) to run at `run()`, before the steps registered earlier. */
  defer(fn) {
    this.#steps.push(fn);
  }

  /**
   * Runs every registered step, last first. A failing step does not stop the others; the errors
   * are printed. Never throws, so it fits `finally` blocks.
   */
  async run() {
    while (this.#steps.length > 0) {
      const fn = this.#steps.pop();
      try {
        await fn();
      } catch (error) {
        console.error(`clean-up step failed: ${error?.stack ?? error}`);
      }
    }
  }
}
