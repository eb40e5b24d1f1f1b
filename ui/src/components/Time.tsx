import { useAppSelector } from '../app/hooks';
import { formatTime } from '../lib/format';

/** A time in the operator's choice of local time or UTC; the other in its tooltip. */
export function Time({ value }: { value: string | null | undefined }) {
  const utc = useAppSelector((s) => s.preferences.utc);
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} title={formatTime(value, !utc)} style={{ whiteSpace: 'nowrap' }}>
      {formatTime(value, utc)}
    </time>
  );
}
