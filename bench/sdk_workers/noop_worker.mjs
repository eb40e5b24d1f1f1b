// The bench's Node SDK worker: a noop handler (settings from the environment).
import { Worker } from "valkyr-client/worker";

const env = process.env;
const worker = new Worker({
  baseUrl: env.VALKYR_URL,
  apiKey: env.VALKYR_API_KEY,
  runnerId: env.RUNNER_ID,
  concurrency: Number(env.CONCURRENCY),
});
worker.module(env.MODULE, async () => ({}));
await worker.run();
