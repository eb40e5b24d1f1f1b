/**
 * A typed fetch client for the Valkyr workflow engine, from spec/openapi.yaml.
 *
 *   import { createClient } from "valkyr-client";
 *   const api = createClient({ baseUrl: "http://127.0.0.1:8080", apiKey: KEY });
 *   const { data, error } = await api.GET("/WorkflowExecution/{id}", { params: { path: { id } } });
 *
 * Paths, parameters, bodies and answers are typed by the spec (`./schema.ts`, written
 * by `make generate` with openapi-typescript); requests go out through openapi-fetch
 * on Node's own fetch.
 */
import createFetchClient from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
/** The spec's schemas by name: `Schemas["Run"]`, `Schemas["WorkflowExecution"]`, … */
export type Schemas = components["schemas"];

/** The spec's `servers[0].url`: the API's path under the service's root URL. */
export const API_PREFIX = "/v1";

export interface ClientOptions {
  /** The service's root URL (`http://127.0.0.1:8080`) or the API's (`…/v1`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Another fetch (tests, proxies); Node's own by default. */
  fetch?: (input: Request) => Promise<Response>;
}

/** `http://host:8080` and `http://host:8080/v1` both address the API at `/v1`. */
export function apiBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return new URL(trimmed).pathname.endsWith(API_PREFIX) ? trimmed : trimmed + API_PREFIX;
}

export function createClient(options: ClientOptions) {
  const auth: Record<string, string> = options.apiKey
    ? { Authorization: `Bearer ${options.apiKey}` }
    : {};
  return createFetchClient<paths>({
    baseUrl: apiBaseUrl(options.baseUrl),
    headers: { ...auth, ...options.headers },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export type Client = ReturnType<typeof createClient>;
