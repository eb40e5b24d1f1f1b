import { diffLines } from './diff';
import { formatDuration, formatTime, shortId } from './format';
import { describeError, errorLine } from './problems';
import { cycleMembers, parseDefinition } from './steps';

describe('the line diff', () => {
  it('keeps common lines and marks the rest added or removed', () => {
    const d = diffLines('a\nb\nc', 'a\nx\nc\nd');
    expect(d.map((l) => `${l.kind[0]}${l.text}`)).toEqual(['sa', 'rb', 'ax', 'sc', 'ad']);
    expect(diffLines('same', 'same').every((l) => l.kind === 'same')).toBe(true);
  });
});

describe('definitions typed in the studio', () => {
  it('finds cycles, unknown dependencies and duplicate keys', () => {
    const p = parseDefinition(
      JSON.stringify({
        steps: [
          { key: 'a', module: 'm', dependsOn: ['b'] },
          { key: 'b', module: 'm', dependsOn: ['a'] },
          { key: 'c', dependsOn: ['x'] },
        ],
      }),
    );
    expect(p.parseError).toBeNull();
    expect(p.problems.a).toEqual(['is part of a cycle']);
    expect(p.problems.b).toEqual(['is part of a cycle']);
    expect(p.problems.c).toEqual(['a step needs a `module`', 'depends on an unknown step x']);
    const twice = parseDefinition(
      JSON.stringify({
        steps: [
          { key: 'b', module: 'm' },
          { key: 'b', module: 'm' },
        ],
      }),
    );
    expect(twice.problems.b).toEqual(['the key b is used twice']);
    expect(cycleMembers([{ key: 's', module: 'm', dependsOn: ['s'] }])).toEqual(['s']);
  });

  it('says what is wrong with text that is not a definition', () => {
    expect(parseDefinition('{').parseError).toBeTruthy();
    expect(parseDefinition('[]').parseError).toBe('The definition must be a JSON object');
    expect(parseDefinition('{"name": "x"}').problems['']).toEqual(['`steps` must be a list of steps']);
  });
});

describe('problems in words', () => {
  it('reads RFC 9457 problems, network failures and anything else', () => {
    const conflict = { status: 409, data: { title: 'Invalid execution transition', detail: 'it is COMPLETED' } };
    expect(errorLine(conflict)).toBe('Invalid execution transition: it is COMPLETED');
    expect(describeError({ status: 403, data: null }).title).toBe('Your key may not do this');
    expect(describeError({ status: 'FETCH_ERROR', error: 'TypeError: Failed to fetch' }).title).toBe(
      'The service did not answer',
    );
    expect(
      describeError({ status: 400, data: { title: 'Invalid workflow', errors: [{ step: 'a', message: 'bad' }] } })
        .errors,
    ).toEqual([{ step: 'a', field: undefined, message: 'bad' }]);
  });
});

describe('formatting', () => {
  it('shows times in UTC or local, durations and short ids', () => {
    expect(formatTime('2026-12-04T10:00:05Z', true)).toBe('2026-12-04 10:00:05Z');
    expect(formatTime(null, true)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
    expect(shortId('0a1b2c3d-0000')).toBe('0a1b2c3d');
  });
});
