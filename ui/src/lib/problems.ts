// Errors from the API in words: RFC 9457 problems carry a title and a detail; a
// network failure or a timeout has neither.
export interface FieldError {
  step?: string;
  field?: string;
  message: string;
}

export interface Described {
  status: number | null;
  title: string;
  detail: string;
  errors: FieldError[];
}

interface ProblemBody {
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fieldErrors(raw: unknown): FieldError[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((e) => ({
    step: typeof e.step === 'string' ? e.step : undefined,
    field: typeof e.field === 'string' ? e.field : undefined,
    message: typeof e.message === 'string' ? e.message : JSON.stringify(e),
  }));
}

const BY_STATUS: Record<number, string> = {
  400: 'The request was refused',
  403: 'Your key may not do this',
  404: 'Not found',
  409: 'Not possible in the current state',
  413: 'Too large',
  422: 'Conflicts with an earlier request',
  500: 'The service failed',
  501: 'Not implemented yet',
  503: 'The service is unavailable',
};

export function describeError(error: unknown): Described {
  if (!isRecord(error)) return { status: null, title: 'Something went wrong', detail: String(error), errors: [] };
  const status = error.status;
  if (typeof status === 'number') {
    const body: ProblemBody = isRecord(error.data) ? error.data : {};
    return {
      status,
      title: typeof body.title === 'string' ? body.title : (BY_STATUS[status] ?? `HTTP ${status}`),
      detail: typeof body.detail === 'string' ? body.detail : '',
      errors: fieldErrors(body.errors),
    };
  }
  if (status === 'FETCH_ERROR') {
    return {
      status: null,
      title: 'The service did not answer',
      detail: 'Check that it is running (make run) and reachable from this browser.',
      errors: [],
    };
  }
  if (status === 'TIMEOUT_ERROR') {
    return { status: null, title: 'The request timed out', detail: 'Try again.', errors: [] };
  }
  if (status === 'PARSING_ERROR') {
    return { status: null, title: 'The answer was not understood', detail: String(error.error ?? ''), errors: [] };
  }
  const message =
    typeof error.message === 'string' ? error.message : typeof error.error === 'string' ? error.error : '';
  return { status: null, title: 'Something went wrong', detail: message, errors: [] };
}

/** One line for a notification or an outcome table. */
export function errorLine(error: unknown): string {
  const d = describeError(error);
  return d.detail ? `${d.title}: ${d.detail}` : d.title;
}
