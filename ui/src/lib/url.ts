import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

// Filters and selections live in the URL, so a view can be shared and reloaded as is.
export type UrlPatch = Record<string, string | number | boolean | null | undefined>;

export function useUrlState(): [URLSearchParams, (patch: UrlPatch, push?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (patch: UrlPatch, push = false) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [k, v] of Object.entries(patch)) {
            if (v === null || v === undefined || v === '' || v === false) next.delete(k);
            else next.set(k, String(v));
          }
          return next;
        },
        { replace: !push },
      );
    },
    [setParams],
  );
  return [params, update];
}

/** A param's value, or undefined when absent or empty. */
export function param(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) || undefined;
}
