import type { Logger } from '../../common/logger';

interface Step {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Compensating steps of a multi-step flow. `run()` executes them newest first, runs every step even
 * when one throws, logs each failure once, and reports which ones failed.
 */
export class UndoStack {
  private readonly steps: Step[] = [];

  constructor(private readonly logger: Logger) {}

  push(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  get size(): number {
    return this.steps.length;
  }

  async run(): Promise<{ failed: string[] }> {
    const failed: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop() as Step;
      try {
        await step.run();
        this.logger.info({ step: step.name }, 'undo step done');
      } catch (e: unknown) {
        failed.push(step.name);
        this.logger.error({ step: step.name, err: e }, 'undo step failed');
      }
    }
    return { failed };
  }
}
