/**
 * Validation messages in words a person reads, for every zod schema in the process (installed once
 * with `z.config`): "must be a number", never "expected number, received NaN". A schema's own
 * message (`'must not be empty'`, `'must be a change id like …'`) still wins over these.
 */
import * as z from 'zod';

type Issue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be a group of fields (a JSON object)',
  date: 'must be a date',
  null: 'must be null',
};

const FORMAT_WORDS: Record<string, string> = {
  datetime: 'must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T15:00:00Z',
  date: 'must be a date such as 2026-12-01',
  email: 'must be an email address',
  url: 'must be a URL',
  uuid: 'must be a UUID',
};

const countOf = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

export function plainWords(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : (TYPE_WORDS[issue.expected] ?? `must be ${issue.expected}`);
    case 'too_small': {
      const n = issue.minimum;
      if (issue.origin === 'string') return Number(n) <= 1 ? 'must not be empty' : `must be at least ${countOf(n, 'character', 'characters')} long`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return Number(n) <= 1 ? 'must not be an empty list' : `must have at least ${countOf(n, 'entry', 'entries')}`;
      return issue.inclusive === false ? `must be more than ${n}` : `must be at least ${n}`;
    }
    case 'too_big': {
      const n = issue.maximum;
      if (issue.origin === 'string') return `must be at most ${countOf(n, 'character', 'characters')} long`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${countOf(n, 'entry', 'entries')}`;
      return issue.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
    }
    case 'invalid_format':
      return FORMAT_WORDS[issue.format] ?? (issue.format === 'regex' ? 'is not in the form expected here' : `must be a valid ${issue.format}`);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'a field' : 'fields'} ChangeFlow does not know: ${issue.keys.join(', ')} (see /openapi.json for the fields)`;
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'does not match any of the shapes accepted here';
    case 'invalid_key':
      return 'has a key that is not allowed here';
    case 'invalid_element':
      return 'has an entry that is not allowed here';
    default:
      return undefined;
  }
}

z.config({ customError: plainWords });
