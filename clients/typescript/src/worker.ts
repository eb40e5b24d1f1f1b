/**
 * The worker SDK: run a module's steps in a Node service.
 *
 *   import { Worker } from "valkyr-client/worker";
 *   const worker = new Worker({ baseUrl, apiKey, runnerId: "mailer:2", concurrency: 16 });
 *   worker.module("mailer.send", async (inputs, ctx) => ({ messageId: "..." }));
 *   await worker.run(); // resolves after SIGTERM/SIGINT and a graceful drain
 *
 * Requests it sends: one long-poll claim at a time (sized to the free slots), one
 * batch heartbeat per interval while it holds runs (none while idle), one report per
 * run, and one release on shutdown for the runs it gives back.
 */
import { type Client, type ClientOptions, createClient, type Schemas } from "./index.js";

type Run = Schemas["Run"];
type LeaseToken = NonNullable<Run["leaseToken"]>;
type Json = Record<string, unknown>;

/** Worth another attempt (the step's backoff, until maxAttempts). Any error that is
 * not a PermanentError counts as transient. */
export class TransientError extends Error {
  override name = "TransientError";
}

/** Another attempt would fail the same way: the run goes to the dead-letter queue.
 * An output that is not JSON is one too. */
export class PermanentError extends Error {
  override name = "PermanentError";
}

export type CancelReason = "cancelled" | "lost" | "shutdown";

export interface Context {
  runId: string;
  executionId: string;
  stepKey: string;
  module: string;
  attempt: number;
  /** The same for every attempt with the same inputs and config: pass it on. */
  idempotencyKey: string;
  config: Json;
  /** Aborted when the execution was cancelled, the lease was lost, or a shutdown's
   * grace ran out; the worker stops waiting for the handler then. */
  signal: AbortSignal;
  readonly cancelled: boolean;
  readonly cancelReason: CancelReason | undefined;
  /** Extend the lease now (the worker also does it every interval, in one request). */
  heartbeat(): Promise<void>;
}

export type Handler = (inputs: Json, ctx: Context) => unknown | Promise<unknown>;

export interface WorkerOptions extends ClientOptions {
  /** Who holds the leases: a runner key named `mailer` acts as `mailer` or `mailer:<suffix>`. */
  runnerId: string;
  /** Most runs handled at once (default 16); claims never ask for more than are free. */
  concurrency?: number;
  /** The lease asked for at claim; every heartbeat extends it as much (default 60). */
  leaseSeconds?: number;
  /** Batch heartbeat interval (default lease / 6, at most 5 s). */
  heartbeatSeconds?: number;
  /** How long a claim waits on the service for work (default 10): the idle request rate. */
  waitSeconds?: number;
  /** On SIGTERM/SIGINT, how long running handlers may finish (default 10). */
  shutdownGraceSeconds?: number;
  /** Where the worker says what it does (default: console). */
  logger?: Pick<Console, "info" | "warn" | "error">;
}

type Outcome = { output: unknown } | { error: { message: string; type: string }; retryable: boolean };

interface Held {
  runId: string;
  token: LeaseToken;
  abort: AbortController;
  reason?: CancelReason;
  lost: boolean;
  givingBack: boolean;
  done?: Promise<void>;
}

class Unavailable extends Error {}
class LeaseLost extends Error {}
class Rejected extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`${status}: ${detail}`);
  }
}

const BATCH_LIMIT = 1000;
const CANCELLED = { message: "cancelled", type: "cancelled" };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Backoff {
  private next: number;
  constructor(
    private readonly first = 50,
    private readonly most = 2000,
  ) {
    this.next = first;
  }
  delay(): number {
    const d = this.next;
    this.next = Math.min(this.next * 2, this.most);
    return d * (0.5 + Math.random() / 2);
  }
  reset(): void {
    this.next = this.first;
  }
}

/** A one-shot latch that many may wait on. */
class Latch {
  private resolve!: () => void;
  promise: Promise<void>;
  set = false;
  constructor() {
    this.promise = new Promise((r) => (this.resolve = r));
  }
  fire(): void {
    this.set = true;
    this.resolve();
  }
}

async function call<T>(
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await request();
  } catch (err) {
    throw new Unavailable(String(err)); // no answer, a timeout, or not JSON
  }
  const status = answer.response.status;
  if (status < 300) return answer.data as T;
  const detail = (answer.error as { detail?: string } | undefined)?.detail ?? "";
  if (status >= 500 || status === 429) throw new Unavailable(`${status}: ${detail}`);
  if (status === 404 || status === 409) throw new LeaseLost(detail);
  throw new Rejected(status, detail);
}

function errorOf(err: unknown): { message: string; type: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: (e.message || e.name).slice(0, 10_000), type: (e.name || "Error").slice(0, 200) };
}

export class Worker {
  readonly runnerId: string;
  readonly concurrency: number;
  readonly leaseSeconds: number;
  readonly heartbeatSeconds: number;
  readonly waitSeconds: number;
  readonly shutdownGraceSeconds: number;
  readonly client: Client;
  private readonly log: Pick<Console, "info" | "warn" | "error">;
  private readonly modules = new Map<string, Handler>();
  private readonly held = new Map<string, Held>();
  private leaseDeadline = 0; // Date.now() until which the runner's lease is surely alive
  private stopping = new Latch();
  private readonly stopSignal = new AbortController();
  private slotFreed = new Latch();
  private beatNow = new Latch();
  private beatWaiters: Array<() => void> = [];
  private unstarted: Array<[string, LeaseToken]> = [];

  constructor(options: WorkerOptions) {
    this.client = createClient(options);
    this.runnerId = options.runnerId;
    this.concurrency = options.concurrency ?? 16;
    if (this.concurrency < 1) throw new RangeError("concurrency must be at least 1");
    this.leaseSeconds = options.leaseSeconds ?? 60;
    this.heartbeatSeconds = options.heartbeatSeconds ?? Math.min(5, this.leaseSeconds / 6);
    this.waitSeconds = options.waitSeconds ?? 10;
    this.shutdownGraceSeconds = options.shutdownGraceSeconds ?? 10;
    this.log = options.logger ?? console;
  }

  /** The handler of a module's runs: `handler(inputs, ctx)`, returning JSON. */
  module(name: string, handler: Handler): this {
    this.modules.set(name, handler);
    return this;
  }

  /** Begin a graceful stop: no more claims, running handlers get the grace period. */
  stop(): void {
    this.stopping.fire();
    this.stopSignal.abort();
  }

  /** Serve until stop(), SIGTERM or SIGINT, then drain. */
  async run(): Promise<void> {
    if (this.modules.size === 0) throw new Error("no module registered: use worker.module(name, handler)");
    const onSignal = () => this.stop();
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    const beats = this.heartbeatLoop();
    this.log.info(
      `worker ${this.runnerId} ready: modules ${[...this.modules.keys()].sort().join(",")}, concurrency ${this.concurrency}`,
    );
    try {
      await this.claimLoop(); // returns at the stop (a claim that was out is abandoned)
      await this.drain();
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      this.beatNow.fire(); // the heartbeat loop sees `stopping` and ends
      await beats;
    }
    this.log.info(`worker ${this.runnerId} stopped`);
  }

  // -- claiming ---------------------------------------------------------------------
  private async claimLoop(): Promise<void> {
    const backoff = new Backoff(100, 5000);
    const modules = [...this.modules.keys()].sort();
    while (!this.stopping.set) {
      const free = this.concurrency - this.held.size;
      if (free <= 0) {
        this.slotFreed = new Latch();
        await Promise.race([this.slotFreed.promise, this.stopping.promise]);
        continue;
      }
      const sent = Date.now();
      let runs: Run[];
      try {
        const answer = await call(() =>
          this.client.POST("/Run/claim", {
            body: {
              runnerId: this.runnerId,
              modules,
              limit: Math.min(free, 500),
              leaseSeconds: this.leaseSeconds,
              waitSeconds: this.waitSeconds,
            },
            // a stop abandons the long-poll (the service sees the connection close and
            // leases nothing more for it) rather than wait it out
            signal: AbortSignal.any([AbortSignal.timeout((this.waitSeconds + 15) * 1000), this.stopSignal.signal]),
          }),
        );
        runs = answer.items;
      } catch (err) {
        if (this.stopping.set) return;
        if (err instanceof Rejected) {
          this.log.error(`claim refused (check the key and runner id): ${err.message}`);
          throw err;
        }
        this.log.warn(`claim failed, trying again: ${String(err)}`);
        await Promise.race([sleep(backoff.delay()), this.stopping.promise]);
        continue;
      }
      backoff.reset();
      if (runs.length > 0) {
        // a claim leaves the lease with at least 90% of its length (run_claim)
        this.leaseDeadline = Math.max(this.leaseDeadline, sent + 900 * this.leaseSeconds);
      }
      if (this.stopping.set) {
        // claimed while a stop began: the drain gives them back
        this.unstarted = runs.map((r) => [String(r.id), r.leaseToken as LeaseToken]);
        return;
      }
      for (const run of runs) this.start(run);
    }
  }

  private start(run: Run): void {
    const held: Held = {
      runId: String(run.id),
      token: run.leaseToken as LeaseToken,
      abort: new AbortController(),
      lost: false,
      givingBack: false,
    };
    this.held.set(held.runId, held);
    held.done = this.execute(held, run).finally(() => {
      this.held.delete(held.runId);
      this.slotFreed.fire();
    });
  }

  // -- one run ----------------------------------------------------------------------
  private context(held: Held, run: Run): Context {
    return {
      runId: held.runId,
      executionId: String(run.executionId),
      stepKey: String(run.stepKey),
      module: String(run.module),
      attempt: Number(run.attempt ?? 1),
      idempotencyKey: String(run.idempotencyKey),
      config: (run.config ?? {}) as Json,
      signal: held.abort.signal,
      get cancelled() {
        return held.abort.signal.aborted;
      },
      get cancelReason() {
        return held.reason;
      },
      heartbeat: () => this.heartbeatNow(),
    };
  }

  private async execute(held: Held, run: Run): Promise<void> {
    const outcome = await this.callHandler(held, run);
    if (outcome === undefined || held.givingBack) return;
    if (held.lost) {
      this.log.warn(`run ${held.runId}: lease lost, its result is dropped`);
      return;
    }
    await this.report(held, outcome);
  }

  private async callHandler(held: Held, run: Run): Promise<Outcome | undefined> {
    const handler = this.modules.get(String(run.module));
    if (!handler) return { error: { message: `no handler for ${run.module}`, type: "unknown_module" }, retryable: true };
    const aborted = new Promise<"aborted">((resolve) =>
      held.abort.signal.addEventListener("abort", () => resolve("aborted"), { once: true }),
    );
    let result: unknown;
    try {
      const running = Promise.resolve().then(() => handler((run.inputs ?? {}) as Json, this.context(held, run)));
      running.catch(() => undefined); // its failure after an abort is nobody's business
      const first = await Promise.race([running.then((v) => ({ v })), aborted]);
      if (first === "aborted") return held.reason === "cancelled" ? { error: CANCELLED, retryable: false } : undefined;
      result = first.v;
    } catch (err) {
      if (held.abort.signal.aborted) {
        return held.reason === "cancelled" ? { error: CANCELLED, retryable: false } : undefined;
      }
      return { error: errorOf(err), retryable: !(err instanceof PermanentError) };
    }
    if (held.reason === "cancelled") return { error: CANCELLED, retryable: false };
    try {
      if (JSON.stringify(result ?? null) === undefined) throw new TypeError(`${typeof result} is not JSON`);
    } catch (err) {
      return {
        error: { message: `the handler's output is not JSON: ${String(err)}`, type: "invalid_output" },
        retryable: false,
      };
    }
    return { output: result ?? null };
  }

  /** Until it lands, the lease is lost, or the lease surely expired: never dropped
   * without a word. */
  private async report(held: Held, outcome: Outcome): Promise<void> {
    const backoff = new Backoff();
    const path = { params: { path: { id: held.runId } }, signal: undefined as AbortSignal | undefined };
    while (!held.lost) {
      try {
        path.signal = AbortSignal.timeout(30_000);
        const current = outcome;
        if ("output" in current) {
          await call(() =>
            this.client.POST("/Run/{id}/complete", {
              ...path,
              body: { runnerId: this.runnerId, leaseToken: held.token, output: current.output },
            }),
          );
        } else {
          await call(() =>
            this.client.POST("/Run/{id}/fail", {
              ...path,
              body: {
                runnerId: this.runnerId,
                leaseToken: held.token,
                error: current.error,
                retryable: current.retryable,
              },
            }),
          );
        }
        return;
      } catch (err) {
        if (err instanceof LeaseLost) {
          this.log.warn(`run ${held.runId}: lease lost, the service refused its result`);
          return;
        }
        if (err instanceof Rejected) {
          if ("output" in outcome && err.status === 413) {
            const message = "the handler's output is larger than the service accepts";
            outcome = { error: { message, type: "invalid_output" }, retryable: false };
            continue;
          }
          this.log.error(`run ${held.runId}: report refused, not retried: ${err.message}`);
          return;
        }
        const delay = backoff.delay();
        if (Date.now() + delay > this.leaseDeadline) {
          this.log.error(
            `run ${held.runId}: service unreachable until the lease expired; the engine will run it again (${String(err)})`,
          );
          return;
        }
        this.log.warn(`run ${held.runId}: report failed, trying again: ${String(err)}`);
        await sleep(delay);
      }
    }
    this.log.warn(`run ${held.runId}: lease lost while reporting, its result is dropped`);
  }

  // -- heartbeats -------------------------------------------------------------------
  private heartbeatNow(): Promise<void> {
    return new Promise((resolve) => {
      this.beatWaiters.push(resolve);
      this.beatNow.fire();
    });
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopping.set || this.held.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.heartbeatSeconds * 1000))),
        this.beatNow.promise,
      ]);
      clearTimeout(timer);
      this.beatNow = new Latch();
      const waiters = this.beatWaiters;
      this.beatWaiters = [];
      try {
        await this.heartbeatOnce();
      } finally {
        for (const w of waiters) w();
      }
      if (this.stopping.set && this.held.size === 0) return;
    }
  }

  private async heartbeatOnce(): Promise<void> {
    const held = [...this.held.values()].filter((h) => !h.lost);
    if (held.length === 0) return; // idle: nothing to keep alive, no request
    const sent = Date.now();
    const answers = new Map<string, { lost: boolean; cancelRequested: boolean }>();
    try {
      for (let i = 0; i < held.length; i += BATCH_LIMIT) {
        const runs = held.slice(i, i + BATCH_LIMIT).map((h) => ({ id: h.runId, leaseToken: h.token }));
        const answer = await call(() =>
          this.client.POST("/Run/heartbeat", {
            body: { runnerId: this.runnerId, runs },
            signal: AbortSignal.timeout(30_000),
          }),
        );
        for (const r of answer.runs) answers.set(r.id, r);
      }
    } catch (err) {
      this.log.warn(`heartbeat failed: ${String(err)}`);
      return;
    }
    if ([...answers.values()].some((a) => !a.lost)) this.leaseDeadline = sent + 1000 * this.leaseSeconds;
    for (const [runId, a] of answers) {
      const h = this.held.get(runId);
      if (!h) continue;
      if (a.lost) {
        h.lost = true;
        this.log.warn(`run ${runId}: lease lost, abandoned (nothing is reported)`);
        this.abort(h, "lost");
      } else if (a.cancelRequested) {
        this.abort(h, "cancelled");
      }
    }
  }

  private abort(held: Held, reason: CancelReason): void {
    if (held.abort.signal.aborted) return;
    held.reason = reason;
    held.abort.abort(new Error(`run ${reason}`));
  }

  // -- shutdown ---------------------------------------------------------------------
  private async drain(): Promise<void> {
    const running = [...this.held.values()];
    if (running.length > 0) {
      this.log.info(`draining: ${running.length} run(s) may finish within ${this.shutdownGraceSeconds} s`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(running.map((h) => h.done)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.shutdownGraceSeconds * 1000))),
      ]);
      clearTimeout(timer);
    }
    const left = [...this.held.values()];
    for (const h of left) {
      h.givingBack = true;
      this.abort(h, "shutdown");
    }
    await Promise.allSettled(left.map((h) => h.done));
    // with whatever else is still leased to this runner: a long-poll claim abandoned at
    // the stop may have leased runs that never reached us
    const mine: Array<[string, LeaseToken]> = left.filter((h) => !h.lost).map((h) => [h.runId, h.token]);
    await this.giveBack([...this.unstarted, ...mine]);
  }

  private async giveBack(held: Array<[string, LeaseToken]>): Promise<void> {
    const backoff = new Backoff();
    for (let tries = 0; tries < 8; tries++) {
      try {
        let released = 0;
        for (let i = 0; i < Math.max(held.length, 1); i += BATCH_LIMIT) {
          const runs = held.slice(i, i + BATCH_LIMIT).map(([id, leaseToken]) => ({ id, leaseToken }));
          const answer = await call(() =>
            this.client.POST("/Run/release", {
              body: { runnerId: this.runnerId, runs, allHeld: true },
              signal: AbortSignal.timeout(30_000),
            }),
          );
          released += answer.released.length;
        }
        this.log.info(`gave back ${released} unfinished run(s)`);
        return;
      } catch (err) {
        if (!(err instanceof Unavailable)) {
          this.log.error(`release refused: ${String(err)}`);
          break;
        }
        this.log.warn(`release failed, trying again: ${String(err)}`);
        await sleep(backoff.delay());
      }
    }
    this.log.error(`could not give back ${held.length} run(s); the engine reclaims them after the lease`);
  }
}
