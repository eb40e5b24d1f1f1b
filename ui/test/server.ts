import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

import * as f from './fixtures';

// The API as the console sees it, answering from fixtures; a test overrides what it
// needs with server.use(...) and reads what was sent from `calls`.
export const API = `${window.location.origin}/v1`;
export const calls: { method: string; path: string; query: URLSearchParams; body: unknown; headers: Headers }[] = [];

export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return HttpResponse.json(
    { type: `/problems/x`, title, status, detail, ...extra },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

let role: 'viewer' | 'operator' | 'admin' = 'admin';
export function signInAs(r: typeof role) {
  role = r;
}

async function record(request: Request) {
  const url = new URL(request.url);
  const entry = {
    method: request.method,
    path: url.pathname.replace('/v1', ''),
    query: url.searchParams,
    body: null as unknown,
    headers: request.headers,
  };
  calls.push(entry);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const text = await request.clone().text();
    entry.body = text ? JSON.parse(text) : null;
  }
}

export const handlers = [
  http.get(`${API}/ApiKey/current`, () => HttpResponse.json(f.me(role))),
  http.get(`${API}/Workflow`, () => HttpResponse.json({ items: [f.workflow], nextCursor: null })),
  http.get(`${API}/Workflow/:id`, () => HttpResponse.json(f.workflow)),
  http.get(`${API}/Workflow/:id/versions`, () => HttpResponse.json({ items: f.versions, nextCursor: null })),
  http.get(`${API}/WorkflowExecution`, () => HttpResponse.json({ items: f.executions, nextCursor: null })),
  http.get(`${API}/WorkflowExecution/counts`, () => HttpResponse.json(f.counts)),
  http.get(`${API}/WorkflowExecution/:id`, ({ params }) => {
    const found = f.executions.find((e) => e.id === params.id);
    return found
      ? HttpResponse.json(found)
      : problem(404, 'Not Found', `WorkflowExecution ${params.id} does not exist`);
  }),
  http.get(`${API}/WorkflowExecution/:id/graph`, () => HttpResponse.json(f.graph)),
  http.get(`${API}/Run`, () => HttpResponse.json({ items: f.runs, nextCursor: null })),
  http.get(`${API}/DeadLetterQueue`, () => HttpResponse.json({ items: f.deadLetters, nextCursor: null })),
  http.get(`${API}/DeadLetterQueue/count`, () => HttpResponse.json({ count: 2 })),
  http.get(`${API}/DeadLetterQueue/:id`, ({ params }) =>
    HttpResponse.json(f.deadLetters.find((d) => d.id === params.id)),
  ),
  http.get(`${API}/CircuitBreakerState`, () => HttpResponse.json({ items: f.breakers, nextCursor: null })),
  http.get(`${API}/Schedule`, () => HttpResponse.json({ items: f.schedules, nextCursor: null })),
  http.get(`${API}/RateLimit`, () => HttpResponse.json({ items: f.rateLimits, nextCursor: null })),
  http.get(`${API}/ApiKey`, () => HttpResponse.json({ items: f.apiKeys, nextCursor: null })),
];

export const server = setupServer(...handlers);
// every request is recorded, whichever handler (a test's own, too) answers it
const pending: Promise<void>[] = [];
server.events.on('request:start', ({ request }) => {
  pending.push(record(request));
});

/** Wait until the bodies of the requests made so far are read. */
export async function settled() {
  await Promise.all(pending.splice(0));
}

export function resetCalls() {
  calls.length = 0;
  role = 'admin';
}

export function sent(method: string, path: string) {
  return calls.filter((c) => c.method === method && c.path === path);
}
