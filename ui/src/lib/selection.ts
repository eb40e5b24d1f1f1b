import { useCallback, useMemo, useState } from 'react';

/** Ids checked in a table for a bulk action (not in the address: a selection is a moment's). */
export function useSelection() {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const clear = useCallback(() => setSelected(new Set()), []);
  const setAll = useCallback((ids: string[]) => setSelected(new Set(ids)), []);
  return useMemo(() => ({ selected, toggle, clear, setAll }), [selected, toggle, clear, setAll]);
}
