// End to end, in a real browser: an operator's day with the console against the real
// service (started by tests/e2e/test_console_browser.py on a fresh database, or any
// service you point it at). Screenshots of every view go to $E2E_ARTIFACTS.
//
//   BASE_URL=http://127.0.0.1:8080 ADMIN_KEY=vk_… node e2e/operator-day.mjs
//
// The day: sign in; create a workflow in the studio and start an execution of it;
// watch it complete in the monitor and open its DAG; pause and resume another
// execution; a step goes to the dead-letter queue and is requeued with a corrected
// input from the DLQ browser until its execution completes; another is discarded
// with a note; an open circuit breaker is reset; an API key is created (secret shown
// once) and a viewer signs in with it to find every action disabled with a reason;
// a revoked key is sent back to the sign-in page.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { launch } from './browser.mjs';

const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
const ADMIN_KEY = process.env.ADMIN_KEY || '';
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || 'test-results/e2e');
const IDLE_SECONDS = Number(process.env.E2E_MEASURE_IDLE_SECONDS || 0);
const RUN = Date.now().toString(36); // names unique per run: the service may hold older data
if (!BASE || !ADMIN_KEY) {
  console.error('set BASE_URL and ADMIN_KEY');
  process.exit(2);
}
mkdirSync(ARTIFACTS, { recursive: true });

// --- helpers ---------------------------------------------------------------------------

async function api(method, route, body, key = ADMIN_KEY) {
  const response = await fetch(`${BASE}/v1${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return json;
}

async function until(what, check, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what} (last: ${JSON.stringify(last)})`);
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.waitForTimeout(400); // let the last refresh paint
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${path.basename(file)}`);
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 15000 });
  assert((await page.locator('h1').count()) === 1, `one <h1> on the ${name} view`);
}

async function nav(page, name) {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  await heading(page, name);
}

async function signIn(page, key) {
  await page.goto(`${BASE}/sign-in`);
  await heading(page, 'Sign in');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await heading(page, 'Sign in');
}

const row = (page, attribute, value) => page.locator(`tr[${attribute}="${value}"]`);

async function badge(locator, text, seconds = 30) {
  await locator
    .getByText(text, { exact: true })
    .first()
    .waitFor({ timeout: seconds * 1000 });
}

// --- the day -----------------------------------------------------------------------------

const steps = [];
function step(name, fn) {
  steps.push({ name, fn });
}

const state = {};

step('sign in with the admin key', async (page) => {
  await page.goto(`${BASE}/executions`);
  await heading(page, 'Sign in'); // not signed in: the console asks for a key first
  await screenshot(page, 'sign-in');
  await signIn(page, ADMIN_KEY);
  await heading(page, 'Executions');
  for (const view of ['Executions', 'Dead letters', 'Workflows', 'Circuit breakers', 'API keys']) {
    await page.getByRole('navigation').getByRole('link', { name: view, exact: true }).waitFor();
  }
});

step('create a workflow in the studio, with a live DAG', async (page) => {
  await nav(page, 'Workflows');
  await page.getByRole('button', { name: 'New workflow' }).click();
  const name = `greet-${RUN}`;
  const definition = {
    name,
    description: 'Say hello, then shout it',
    steps: [
      { key: 'hello', module: 'noop', inputs: { name: '${inputs.name}' } },
      {
        key: 'shout',
        module: 'transform',
        dependsOn: ['hello'],
        inputs: { who: '${steps.hello.output.name}' },
        config: { output: { greeting: '${inputs.who}' } },
      },
      { key: 'log', module: 'noop', dependsOn: ['hello'], inputs: { seen: '${steps.hello.output.name}' } },
    ],
  };
  const editor = page.getByRole('textbox', { name: 'Definition' });
  await editor.fill(JSON.stringify(definition, null, 2));
  for (const key of ['hello', 'shout', 'log']) await page.getByTestId(`dag-node-${key}`).waitFor();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
  state.greet = page.url().split('/').pop();
  await page.getByRole('heading', { level: 2, name }).waitFor();
  await screenshot(page, 'workflow-studio');

  // a second version, and the diff between the two
  await editor.fill(JSON.stringify({ ...definition, description: 'Say hello twice' }, null, 2));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('v2', { exact: true }).first().waitFor();
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByText('1 line added, 1 removed').waitFor();
  await screenshot(page, 'workflow-history-diff');
  await page.getByRole('tab', { name: 'Definition' }).click();
});

step('start an execution from the studio and land on it', async (page) => {
  await page.getByRole('button', { name: 'Start execution' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Inputs').fill('{"name": "ada"}');
  await dialog.getByLabel('Idempotency-Key').fill(`greet-${RUN}-1`);
  await dialog.getByRole('button', { name: 'Start execution' }).click();
  await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
  state.greetExecution = page.url().split('/').pop();
  await heading(page, 'Execution');
  await badge(page.locator('main'), 'COMPLETED');
  for (const key of ['hello', 'shout', 'log']) {
    await until(
      `step ${key} succeeded in the DAG`,
      async () => (await page.getByTestId(`dag-node-${key}`).getAttribute('data-status')) === 'SUCCEEDED',
    );
  }
  await page.getByTestId('timeline').waitFor();
  await page.getByText('finished: not refreshing').waitFor();
});

step('watch it complete in the monitor, then open its DAG', async (page) => {
  await nav(page, 'Executions');
  const r = row(page, 'data-execution-id', state.greetExecution);
  await badge(r, 'COMPLETED');
  await screenshot(page, 'executions-monitor');
  await r.getByRole('link', { name: state.greetExecution.slice(0, 8) }).click();
  await heading(page, 'Execution');
  await page.getByTestId('dag-node-shout').click();
  await page.getByRole('heading', { name: 'Step shout' }).waitFor();
  await page.getByText('"ada"').first().waitFor(); // the step's output, folded JSON
  assert(page.url().includes('step=shout'), 'the selected step is in the address');
  await screenshot(page, 'execution-detail');
  // times in UTC at the flip of a switch; dark mode
  await page.getByRole('switch', { name: 'UTC' }).check();
  const created = await page.locator('main time').first().textContent();
  assert(created.endsWith('Z'), `times are shown in UTC: ${created}`);
  await page.getByRole('button', { name: 'Dark mode' }).click();
  assert((await page.locator('html').getAttribute('data-mantine-color-scheme')) === 'dark', 'dark mode is on');
  await screenshot(page, 'execution-detail-dark-utc');
  await page.getByRole('button', { name: 'Dark mode' }).click();
  await page.getByRole('switch', { name: 'UTC' }).uncheck();
});

step('pause and resume another execution from the monitor', async (page) => {
  // a step no runner of this service claims: the execution stays RUNNING
  const wf = await api('POST', '/Workflow', { name: `mail-${RUN}`, steps: [{ key: 'send', module: 'mailer.send' }] });
  const waiting = await api('POST', '/WorkflowExecution', { workflowId: wf.id, inputs: { to: 'ops@example.com' } });
  state.waiting = waiting.id;
  await nav(page, 'Executions');
  const r = row(page, 'data-execution-id', waiting.id);
  await badge(r, 'RUNNING');
  await r.getByRole('button', { name: 'Pause', exact: true }).click();
  await badge(r, 'PAUSED');
  await screenshot(page, 'executions-paused');
  await r.getByRole('button', { name: 'Resume', exact: true }).click();
  await badge(r, 'RUNNING');
  const detail = await api('GET', `/WorkflowExecution/${waiting.id}`);
  assert(
    detail.controlHistory.map((h) => h.action).join(',') === 'pause,resume',
    'pause and resume are in the control history',
  );
  // the state machine's answer in words: resume a running execution from its page
  await page.goto(`${BASE}/executions/${waiting.id}`);
  await heading(page, 'Execution');
  await page.getByText('Control history').waitFor();
  await page.getByRole('cell', { name: 'pause', exact: true }).waitFor();
});

step('a step is dead-lettered; requeue it with a corrected input from the DLQ browser', async (page) => {
  const wf = await api('POST', '/Workflow', {
    name: `charge-${RUN}`,
    steps: [
      {
        key: 'price',
        module: 'transform',
        inputs: { customer: '${inputs.customer}' },
        config: { output: { customer: '${inputs.customer}', total: '${inputs.amount}' } },
      },
      { key: 'receipt', module: 'noop', dependsOn: ['price'], inputs: { total: '${steps.price.output.total}' } },
    ],
  });
  state.charge = wf.id;
  // no amount: `price` cannot resolve ${inputs.amount}, a permanent failure
  const fixme = await api('POST', '/WorkflowExecution', { workflowId: wf.id, inputs: { customer: 'ada' } });
  const dropme = await api('POST', '/WorkflowExecution', { workflowId: wf.id, inputs: { customer: 'bob' } });
  state.fixme = fixme.id;
  state.dropme = dropme.id;
  for (const id of [fixme.id, dropme.id]) {
    await until('the execution fails', async () => (await api('GET', `/WorkflowExecution/${id}`)).status === 'FAILED');
  }
  await nav(page, 'Dead letters');
  await page.getByRole('combobox', { name: 'Workflow' }).click();
  await page.getByRole('option', { name: `charge-${RUN}` }).click();
  await page.waitForURL(/workflowId=/);
  const entries = (await api('GET', `/DeadLetterQueue?workflowId=${wf.id}&status=QUARANTINED`)).items;
  assert(entries.length === 2, `two quarantined entries (got ${entries.length})`);
  state.entries = Object.fromEntries(entries.map((e) => [e.executionId, e.id]));
  await page.getByRole('button', { name: 'Requeue all matching (2)' }).waitFor();
  await screenshot(page, 'dead-letters');

  const entry = state.entries[fixme.id];
  await row(page, 'data-dead-letter-id', entry)
    .getByRole('link', { name: entry.slice(0, 8) })
    .click();
  const drawer = page.getByRole('dialog');
  await drawer.getByRole('heading', { name: 'Audit trail' }).waitFor();
  const inputs = drawer.getByLabel('Inputs to requeue with');
  // invalid JSON is refused at the field, before anything is sent
  await inputs.fill('{"customer": "ada", "amount": }');
  await drawer.getByRole('button', { name: 'Requeue', exact: true }).click();
  await drawer
    .getByText(/^Not valid JSON/)
    .first()
    .waitFor();
  await inputs.fill('{"customer": "ada", "amount": 42}');
  await drawer.getByLabel('Notes').fill('amount was missing upstream; 42 confirmed with billing');
  await screenshot(page, 'dead-letter-requeue');
  await drawer.getByRole('button', { name: 'Requeue', exact: true }).click();
  await badge(drawer, 'REQUEUED');
  await drawer.getByRole('cell', { name: 'amount was missing upstream; 42 confirmed with billing' }).waitFor();
  await drawer.getByRole('button', { name: 'Close', exact: true }).click();

  await page.goto(`${BASE}/executions/${fixme.id}`);
  await heading(page, 'Execution');
  await badge(page.locator('main'), 'COMPLETED');
  await until(
    'receipt succeeded',
    async () => (await page.getByTestId('dag-node-receipt').getAttribute('data-status')) === 'SUCCEEDED',
  );
  await screenshot(page, 'execution-completed-after-requeue');
});

step('discard another dead letter with a note', async (page) => {
  const entry = state.entries[state.dropme];
  await page.goto(`${BASE}/dead-letters/${entry}`);
  await heading(page, 'Dead letters');
  const drawer = page.getByRole('dialog');
  await drawer.getByRole('button', { name: 'Discard', exact: true }).click();
  await drawer.getByText('Say why it is discarded').waitFor(); // notes are required
  await drawer.getByLabel('Notes').fill('duplicate order, refunded by hand');
  await drawer.getByRole('button', { name: 'Discard', exact: true }).click();
  await badge(drawer, 'DISCARDED');
  const stored = await api('GET', `/DeadLetterQueue/${entry}`);
  assert(
    stored.status === 'DISCARDED' && stored.resolutionNotes === 'duplicate order, refunded by hand',
    'discarded with the note',
  );
  assert((await api('GET', `/WorkflowExecution/${state.dropme}`)).status === 'FAILED', 'its execution stays FAILED');
  await drawer.getByRole('button', { name: 'Close', exact: true }).click();
  await page.waitForURL(/\/dead-letters(\?|$)/);
});

step('reset an open circuit breaker', async (page) => {
  const wf = await api('POST', '/Workflow', {
    name: `flaky-${RUN}`,
    steps: [
      {
        key: 'call',
        module: 'fail',
        config: { times: 6 },
        circuitBreaker: `payments-${RUN}`,
        retry: { maxAttempts: 10, initialBackoffSeconds: 0, maxBackoffSeconds: 0, jitter: false },
      },
    ],
  });
  const flaky = await api('POST', '/WorkflowExecution', { workflowId: wf.id, inputs: {} });
  const key = `payments-${RUN}`;
  const breaker = await until('the breaker opens', async () =>
    (await api('GET', `/CircuitBreakerState?key=${key}`)).items.find((b) => b.state === 'OPEN'),
  );
  await nav(page, 'Circuit breakers');
  const r = row(page, 'data-breaker-key', key);
  await badge(r, 'OPEN');
  await screenshot(page, 'circuit-breakers');
  await r.getByRole('button', { name: 'Reset', exact: true }).click();
  await badge(r, 'CLOSED');
  const after = await api('GET', `/CircuitBreakerState/${breaker.id}`);
  assert(after.state !== 'OPEN', `the breaker is no longer open (${after.state})`);
  await until(
    'the parked run went on and its execution completed',
    async () => (await api('GET', `/WorkflowExecution/${flaky.id}`)).status === 'COMPLETED',
    60,
  );
});

step('rate-limit a step from the console: its runs wait for tokens, then the limit is raised', async (page) => {
  const key = `partner-${RUN}`;
  await nav(page, 'Rate limits');
  await page.getByRole('button', { name: 'New rate limit', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Key').fill(key);
  await dialog.getByLabel('Runs per second').fill('2');
  await dialog.getByLabel('Burst (tokens at most)').fill('2');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  const saved = page.getByText(`Rate limit ${key} saved`);
  await saved.waitFor();
  const r = row(page, 'data-rate-limit-key', key);
  await r.waitFor();
  const wf = await api('POST', '/Workflow', {
    name: `partner-calls-${RUN}`,
    steps: [{ key: 'call', module: 'noop', rateLimit: key }],
  });
  const started = [];
  for (let i = 0; i < 6; i += 1) {
    started.push((await api('POST', '/WorkflowExecution', { workflowId: wf.id, inputs: { i } })).id);
  }
  await until('the rate-limited executions completed', async () => {
    const all = await Promise.all(started.map((id) => api('GET', `/WorkflowExecution/${id}`)));
    return all.every((e) => e.status === 'COMPLETED');
  });
  const runs = (await Promise.all(started.map((id) => api('GET', `/Run?executionId=${id}`)))).flatMap((p) => p.items);
  assert(
    runs.length === 6 && runs.every((run) => run.attempt === 1),
    'every rate-limited step ran once, no attempt used while it waited',
  );
  await screenshot(page, 'rate-limits');
  // the creation's notice (same text) must be gone, or the edit's cannot be told apart
  await saved.waitFor({ state: 'hidden' });
  await r.getByRole('button', { name: 'Edit', exact: true }).click();
  await dialog.getByLabel('Burst (tokens at most)').fill('10');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await saved.waitFor();
  const limits = await api('GET', `/RateLimit?key=${key}`);
  assert(limits.items[0].burst === 10 && limits.items[0].perSecond === 2, 'the burst was raised, the rate kept');
});

step('create a viewer key (its secret shown once) and see a viewer’s console', async (page) => {
  await nav(page, 'API keys');
  await page.getByLabel('Name').fill(`night-viewer-${RUN}`);
  await page.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: /^viewer/ }).click();
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = (await page.getByTestId('new-key-secret').textContent()).trim();
  assert(secret.startsWith('vk_'), 'the secret is shown');
  await page.getByRole('dialog').getByRole('button', { name: 'Copy' }).waitFor();
  await screenshot(page, 'api-keys-secret-once');
  await page.getByRole('button', { name: 'Done' }).click();
  await row(page, 'data-key-name', `night-viewer-${RUN}`).waitFor();
  await screenshot(page, 'api-keys');

  await signOut(page);
  await signIn(page, secret);
  await heading(page, 'Executions');
  const r = row(page, 'data-execution-id', state.waiting);
  const pause = r.getByRole('button', { name: 'Pause', exact: true });
  await pause.waitFor();
  assert(await pause.isDisabled(), 'a viewer sees Pause disabled');
  const reason = await r.locator('[data-disabled-reason]').first().getAttribute('data-disabled-reason');
  assert(/viewer role, which may not pause executions/.test(reason), `the reason is given: ${reason}`);
  await screenshot(page, 'executions-as-viewer');
  await page.goto(`${BASE}/api-keys`);
  await page.getByText('Only an admin key can manage API keys').waitFor();
  state.viewerSecret = secret;
  state.viewerName = `night-viewer-${RUN}`;
});

step('a revoked key is sent back to sign in', async (page) => {
  const keys = (await api('GET', '/ApiKey?limit=500')).items;
  const viewer = keys.find((k) => k.name === state.viewerName);
  await api('DELETE', `/ApiKey/${viewer.id}`);
  await page.goto(`${BASE}/dead-letters`);
  await heading(page, 'Sign in');
  await page.getByText('The key was refused').waitFor();
  await screenshot(page, 'sign-in-key-refused');
  assert(page.url().includes('next=%2Fdead-letters'), 'the sign-in page knows where the operator was going');
  await page.getByLabel('API key').fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(page, 'Dead letters'); // back where the operator was going
  await api('POST', `/WorkflowExecution/${state.waiting}/cancel`);
});

if (IDLE_SECONDS > 0) {
  step(`measure the monitor's requests while idle (${IDLE_SECONDS} s)`, async (page) => {
    await nav(page, 'Executions');
    await page.waitForTimeout(5000); // the first refreshes after the view opens
    let count = 0;
    const onRequest = (request) => {
      if (request.url().includes('/v1/')) count += 1;
    };
    page.on('request', onRequest);
    await page.waitForTimeout(IDLE_SECONDS * 1000);
    page.off('request', onRequest);
    const state = await page.getByTestId('refresh-state').textContent();
    console.log(
      `  idle monitor: ${count} API requests in ${IDLE_SECONDS} s = ${(count / IDLE_SECONDS).toFixed(3)} req/s (refresh ${state})`,
    );
  });
}

// --- run ---------------------------------------------------------------------------------

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
const problems = [];
page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
page.on('console', (message) => {
  if (message.type() === 'error' && !/401|Unauthorized|409|Conflict|400|Bad Request/.test(message.text()))
    problems.push(`console error: ${message.text()}`);
});
page.setDefaultTimeout(20000);
let failed = false;
const started = Date.now();
for (const { name, fn } of steps) {
  const t0 = Date.now();
  console.log(`- ${name}`);
  try {
    await fn(page);
    console.log(`  ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`  FAILED: ${error.stack || error}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'FAILED.png'), fullPage: true }).catch(() => {});
    console.error(`  at ${page.url()}`);
    break;
  }
}
if (!failed && problems.length) {
  failed = true;
  console.error(`the page reported errors:\n  ${problems.join('\n  ')}`);
}
await browser.close();
console.log(
  `${failed ? 'FAILED' : 'passed'}: ${steps.length} steps in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}`,
);
process.exit(failed ? 1 : 0);
