// A workflow definition as typed in the studio: parsed, and checked the way the
// service checks it (unique keys, known dependencies, no cycle) so the DAG preview
// can mark a bad step before anything is saved. The service stays the judge.
export interface StepShape {
  key: string;
  module: string;
  dependsOn: string[];
  circuitBreaker?: string | null;
}

export interface ParsedDefinition {
  value: Record<string, unknown> | null;
  steps: StepShape[];
  parseError: string | null;
  problems: Record<string, string[]>; // step key (or '' for the whole) → messages
}

function add(problems: Record<string, string[]>, key: string, message: string) {
  (problems[key] ??= []).push(message);
}

export function parseDefinition(text: string): ParsedDefinition {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { value: null, steps: [], parseError: (e as Error).message, problems: {} };
  }
  const problems: Record<string, string[]> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { value: null, steps: [], parseError: 'The definition must be a JSON object', problems };
  }
  const record = value as Record<string, unknown>;
  const rawSteps = Array.isArray(record.steps) ? record.steps : [];
  if (!Array.isArray(record.steps)) add(problems, '', '`steps` must be a list of steps');
  const steps: StepShape[] = [];
  rawSteps.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null) {
      add(problems, '', `step ${index + 1} is not an object`);
      return;
    }
    const s = raw as Record<string, unknown>;
    const key = typeof s.key === 'string' && s.key ? s.key : `#${index + 1}`;
    if (typeof s.key !== 'string' || !s.key) add(problems, key, 'a step needs a `key`');
    if (typeof s.module !== 'string' || !s.module) add(problems, key, 'a step needs a `module`');
    const dependsOn = Array.isArray(s.dependsOn) ? s.dependsOn.filter((d): d is string => typeof d === 'string') : [];
    if (steps.some((other) => other.key === key)) add(problems, key, `the key ${key} is used twice`);
    steps.push({
      key,
      module: typeof s.module === 'string' ? s.module : '?',
      dependsOn,
      circuitBreaker: typeof s.circuitBreaker === 'string' ? s.circuitBreaker : null,
    });
  });
  const keys = new Set(steps.map((s) => s.key));
  for (const s of steps) {
    for (const d of s.dependsOn) if (!keys.has(d)) add(problems, s.key, `depends on an unknown step ${d}`);
  }
  for (const key of cycleMembers(steps)) add(problems, key, 'is part of a cycle');
  return { value: record, steps, parseError: null, problems };
}

/** The keys of steps on a dependency cycle. */
export function cycleMembers(steps: StepShape[]): string[] {
  const deps = new Map(steps.map((s) => [s.key, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const onCycle = new Set<string>();
  const stack: string[] = [];
  const visit = (key: string) => {
    const seen = state.get(key);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      for (const k of stack.slice(stack.indexOf(key))) onCycle.add(k);
      return;
    }
    state.set(key, 'visiting');
    stack.push(key);
    for (const d of deps.get(key) ?? []) if (deps.has(d)) visit(d);
    stack.pop();
    state.set(key, 'done');
  };
  for (const s of steps) visit(s.key);
  return [...onCycle];
}
