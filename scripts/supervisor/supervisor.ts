import { spawn, type ChildProcess } from 'node:child_process';
import { afterCrash, type RestartPolicy } from './restart-policy';

export interface ProcessSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  policy: RestartPolicy;
  /** Milliseconds, for the crash window; injected so tests and logs agree on one clock. */
  now: () => number;
  log: (line: string) => void;
  /** Processes without which the system is no use (the gateway): giving up on one stops everything. */
  essential: ReadonlySet<string>;
  /** Exit code of a child that found its configuration invalid: restarting cannot help, so everything stops. */
  configErrorCode: number;
  /** How long a stopping child may take before it is killed. */
  stopGraceMs: number;
  /**
   * Stopped first, and waited for, before the others get SIGTERM: the gateway, so that requests it
   * is still answering reach services that are still up.
   */
  stopFirst?: ReadonlySet<string>;
}

/**
 * Runs one OS process per spec and keeps them running: a process that exits without being asked
 * is started again after a back-off, until it crashes more than the policy allows within its
 * window; then it is left down (its routes answer 503 at the gateway) and the others go on.
 * stop() ends them all and resolves with the exit code the supervisor should end with.
 */
export class Supervisor {
  private readonly running = new Map<string, ChildProcess>();
  private readonly crashes = new Map<string, number[]>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly givenUp = new Set<string>();
  private stopping = false;
  private finish: (code: number) => void = () => undefined;
  /** Resolves with the exit code once every process has ended after a stop, asked for or decided here. */
  readonly stopped = new Promise<number>((resolve) => (this.finish = resolve));
  private exitCode = 0;

  constructor(
    private readonly specs: readonly ProcessSpec[],
    private readonly options: SupervisorOptions,
  ) {}

  start(): void {
    for (const spec of this.specs) this.launch(spec);
  }

  /** The pid of a running process, for operators and tests; undefined while it is down. */
  pid(name: string): number | undefined {
    return this.running.get(name)?.pid;
  }

  get abandoned(): ReadonlySet<string> {
    return this.givenUp;
  }

  /**
   * Forwards SIGTERM (the stopFirst processes first, then the rest) and waits for each to exit,
   * killing one that takes longer than stopGraceMs. Resolves with `code`, or 1 when asked for 0 but
   * a process did not stop cleanly (exit code other than 0, or killed).
   */
  stop(code = 0): Promise<number> {
    if (this.stopping) return this.stopped;
    this.stopping = true;
    this.exitCode = code;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    const first = this.options.stopFirst ?? new Set<string>();
    void this.terminate([...this.running].filter(([name]) => first.has(name)))
      .then(() => this.terminate([...this.running]))
      .then(() => this.finishIfAllStopped());
    return this.stopped;
  }

  private async terminate(children: Array<[string, ChildProcess]>): Promise<void> {
    const kill = setTimeout(() => {
      for (const [name, child] of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        this.options.log(`${name} still running ${this.options.stopGraceMs} ms after SIGTERM: killing it`);
        child.kill('SIGKILL');
      }
    }, this.options.stopGraceMs);
    await Promise.all(
      children.map(([, child]) => {
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        child.kill('SIGTERM');
        return exited;
      }),
    );
    clearTimeout(kill);
  }

  private launch(spec: ProcessSpec): void {
    const child = spawn(process.execPath, spec.args, { env: spec.env, stdio: ['ignore', 'inherit', 'inherit'] });
    this.running.set(spec.name, child);
    if (child.pid !== undefined) this.options.log(`${spec.name} started (pid ${child.pid})`);
    let ended = false;
    const onEnd = (how: string, code: number | null) => {
      if (ended) return;
      ended = true;
      this.exited(spec, child, how, code);
    };
    child.once('exit', (code, signal) => onEnd(signal ?? `code ${code}`, code));
    // Not started at all (no executable, no memory): handled as a crash, so the same limit applies.
    child.once('error', (err) => onEnd(`failed to start: ${err.message}`, null));
  }

  private exited(spec: ProcessSpec, child: ChildProcess, how: string, code: number | null): void {
    if (this.running.get(spec.name) === child) this.running.delete(spec.name);
    if (this.stopping) {
      // Exit 0 after draining; a process that never installed its handler (still waiting for its
      // event store) dies of the SIGTERM itself, which is clean too. Anything else is worth a look.
      const clean = code === 0 || child.signalCode === 'SIGTERM';
      if (!clean) {
        this.options.log(`${spec.name} did not stop cleanly (${how})`);
        if (this.exitCode === 0) this.exitCode = 1;
      }
      return;
    }
    if (code === this.options.configErrorCode) {
      this.options.log(`${spec.name} exited (${how}): invalid configuration; stopping the system`);
      void this.stop(code);
      return;
    }
    const { policy } = this.options;
    const { decision, crashes } = afterCrash(this.crashes.get(spec.name) ?? [], this.options.now(), policy);
    this.crashes.set(spec.name, crashes);
    const within = `within ${Math.round(policy.windowMs / 1000)} s`;
    if (decision.kind === 'restart') {
      this.options.log(`${spec.name} exited (${how}); restarting in ${decision.delayMs} ms (crash ${decision.crashesInWindow} of ${policy.limit} allowed ${within})`);
      this.pending.set(
        spec.name,
        setTimeout(() => {
          this.pending.delete(spec.name);
          if (!this.stopping) this.launch(spec);
        }, decision.delayMs),
      );
      return;
    }
    this.givenUp.add(spec.name);
    if (this.options.essential.has(spec.name)) {
      this.options.log(`${spec.name} exited (${how}) and crashed ${decision.crashesInWindow} times ${within}: GIVING UP; without it nothing is reachable, stopping the system`);
      void this.stop(1);
      return;
    }
    this.options.log(
      `${spec.name} exited (${how}) and crashed ${decision.crashesInWindow} times ${within}: GIVING UP on ${spec.name}. ` +
        `Its routes answer 503 and /v1/health reports it down; the other services keep running. Fix the cause, then restart peil-ledger.`,
    );
  }

  private finishIfAllStopped(): void {
    if (this.running.size === 0) this.finish(this.exitCode);
  }
}
