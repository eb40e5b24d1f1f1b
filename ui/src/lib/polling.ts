import { useEffect, useRef, useState } from 'react';

// Auto-refresh that backs off: every `min` ms while what it shows changes, twice as
// long after every refresh that changed nothing, up to `max`. Any change (or new
// filters) brings it back to `min`. RTK Query does the polling; this picks the interval.
export const FASTEST_MS = 2000;
export const SLOWEST_MS = 30000;

export function nextInterval(current: number, changed: boolean, min = FASTEST_MS, max = SLOWEST_MS): number {
  return changed ? min : Math.min(current * 2, max);
}

export function useBackoffInterval(
  fingerprint: string | undefined,
  fetchedAt: number | undefined,
  enabled: boolean,
  min = FASTEST_MS,
  max = SLOWEST_MS,
): number {
  const [interval, setInterval] = useState(min);
  const last = useRef<{ fingerprint?: string; fetchedAt?: number }>({});
  useEffect(() => {
    if (fetchedAt === undefined || fetchedAt === last.current.fetchedAt) return;
    const changed = fingerprint !== last.current.fingerprint;
    last.current = { fingerprint, fetchedAt };
    setInterval((current) => nextInterval(current, changed, min, max));
  }, [fingerprint, fetchedAt, min, max]);
  return enabled ? interval : 0;
}
