import { renderHook } from '@testing-library/react';

import { FASTEST_MS, nextInterval, SLOWEST_MS, useBackoffInterval } from './polling';

describe('auto-refresh that backs off', () => {
  it('doubles while nothing changes, up to the slowest, and is fast again after a change', () => {
    expect(nextInterval(2000, false)).toBe(4000);
    expect(nextInterval(16000, false)).toBe(SLOWEST_MS);
    expect(nextInterval(SLOWEST_MS, false)).toBe(SLOWEST_MS);
    expect(nextInterval(SLOWEST_MS, true)).toBe(FASTEST_MS);
  });

  it('follows the fetches it is shown', () => {
    const { result, rerender } = renderHook(({ print, at, on }) => useBackoffInterval(print, at, on), {
      initialProps: { print: 'a', at: 1, on: true },
    });
    expect(result.current).toBe(FASTEST_MS); // the first answer is a change
    rerender({ print: 'a', at: 2, on: true });
    expect(result.current).toBe(4000);
    rerender({ print: 'a', at: 2, on: true }); // no new fetch: no change of pace
    expect(result.current).toBe(4000);
    rerender({ print: 'a', at: 3, on: true });
    expect(result.current).toBe(8000);
    rerender({ print: 'b', at: 4, on: true });
    expect(result.current).toBe(FASTEST_MS);
    rerender({ print: 'b', at: 5, on: false });
    expect(result.current).toBe(0); // off: RTK Query does not poll
  });
});
