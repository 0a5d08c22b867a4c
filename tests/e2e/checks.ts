// Named checks with pass/fail/skip, their time, and a closing line "<name>: N passed, N failed, N skipped".

export type Outcome = "passed" | "failed" | "skipped";

/** Throw this from a check that cannot run here; it is reported as skipped with the reason, never as passed. */
export class SkipCheck extends Error {}

export class CheckRunner {
  private readonly outcomes: Array<{ name: string; outcome: Outcome; detail?: string }> = [];
  constructor(private readonly log: (line: string) => void) {}

  /** Runs one check; returns true when it passed. */
  async run(name: string, body: () => Promise<unknown>): Promise<boolean> {
    const started = Date.now();
    this.log(`\n▶ ${name}`);
    try {
      await body();
      this.record(name, "passed", started);
      return true;
    } catch (error) {
      const skipped = error instanceof SkipCheck;
      this.record(name, skipped ? "skipped" : "failed", started, (error as Error).message);
      return false;
    }
  }

  private record(name: string, outcome: Outcome, started: number, detail?: string): void {
    this.outcomes.push({ name, outcome, detail });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const label = outcome === "passed" ? "PASS" : outcome === "failed" ? "FAIL" : "SKIPPED";
    this.log(
      `${label} ${name} (${seconds}s)${detail ? `\n  ${label === "SKIPPED" ? "reason" : "error"}: ${detail.split("\n").join("\n  ")}` : ""}`,
    );
  }

  /** How many checks failed so far (to tell which run of a repeated lab failed). */
  get failures(): number {
    return this.outcomes.filter((x) => x.outcome === "failed").length;
  }

  /** Prints the summary and returns the exit code: 1 if any check failed. */
  finish(suite: string): number {
    const n = (o: Outcome) => this.outcomes.filter((x) => x.outcome === o).length;
    this.log("");
    for (const o of this.outcomes.filter((x) => x.outcome !== "passed"))
      this.log(`${o.outcome.toUpperCase()}: ${o.name}`);
    this.log(`${suite}: ${n("passed")} passed, ${n("failed")} failed, ${n("skipped")} skipped`);
    return n("failed") > 0 ? 1 : 0;
  }
}
