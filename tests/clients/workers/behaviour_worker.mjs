// A Node SDK worker whose handler does what each run's inputs say (tests only); the
// twin of behaviour_worker.py, with the same inputs and settings.
import { PermanentError, TransientError, Worker } from "valkyr-client/worker";

const env = process.env;
const worker = new Worker({
  baseUrl: env.VALKYR_URL,
  apiKey: env.VALKYR_API_KEY,
  runnerId: env.RUNNER_ID,
  concurrency: Number(env.CONCURRENCY ?? 4),
  leaseSeconds: Number(env.LEASE_SECONDS ?? 60),
  heartbeatSeconds: env.HEARTBEAT_SECONDS ? Number(env.HEARTBEAT_SECONDS) : undefined,
  waitSeconds: Number(env.WAIT_SECONDS ?? 10),
  shutdownGraceSeconds: Number(env.GRACE_SECONDS ?? 10),
});

worker.module(env.MODULE ?? "sdk.test", async (inputs, ctx) => {
  const job = inputs.job ?? {};
  const todo = job.do ?? "echo";
  console.log(`started ${ctx.runId} attempt ${ctx.attempt} key ${ctx.idempotencyKey}`);
  if (todo === "sleep" || (todo === "slow_first" && ctx.attempt === 1)) {
    try {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, Number(job.seconds ?? 1) * 1000);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        });
      });
    } catch (err) {
      console.log(`cancelled ${ctx.runId} (${ctx.cancelReason})`);
      throw err;
    }
  } else if (todo === "transient") {
    throw new TransientError("try again later");
  } else if (todo === "permanent") {
    throw new PermanentError("never going to work");
  } else if (todo === "crash") {
    throw new RangeError("boom");
  } else if (todo === "nonjson") {
    return { big: 10n };
  }
  console.log(`finished ${ctx.runId}`);
  return { echo: inputs, by: env.RUNNER_ID };
});

await worker.run();
