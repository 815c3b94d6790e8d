import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  ChangeContentSchema,
  DEFAULT_COMPONENTS,
  DOCUMENTATION_UPDATES,
  IMPACTS,
  LIKELIHOODS,
  RISK_LEVELS,
  ROLLBACK_TRIGGERS,
  SEVERITIES,
  STAKEHOLDERS,
  STANDARD_CHANGE_TYPES,
  TEST_CHECKS,
  VERIFICATION_STEPS,
  type ChangeContent,
  type ChangeRequest,
} from '../../functions/core/change-request.js';
import { parseContent } from '../../functions/core/lifecycle.js';
import { PLACEHOLDERS, blankTemplate, escapeText, parseChangeMarkdown, renderChangeMarkdown, unescapeText } from '../../functions/core/markdown.js';

// ---------------------------------------------------------------------------------------------
// An arbitrary for valid ChangeContent.
//
// Constraints (they are the parser's documented meaning of a blank, not gaps in the round trip):
// - no string made only of underscores (`___` is the template's blank) and no string equal to a
//   placeholder of the template (`[Why is this change needed?]`, `[Criterion 1]`...): left in the
//   document, those mean "not filled";
// - no empty arrays and no empty objects: an empty section means "absent" (see the test
//   "empty lists and sections are left out" below);
// - components come from the configured list: any other name is refused by the service
//   (completeness.ts unknownComponentIssues), and by the parser as an unknown checkbox.
// Strings are otherwise realistic and hostile: printable ASCII, accents, CJK, emoji, and lines that
// start with Markdown syntax (`#`, fences, `<!--`, checkboxes, `---`, `===`, `\#`, indentation).

const WORDS = [
  'deploy',
  'the',
  'payments',
  'API',
  'v2.3.1',
  'rollback',
  'p95',
  '< 200 ms',
  '5%',
  'Kafka',
  'café',
  'naïve',
  '日本語',
  '🚀',
  'C#',
  'snake_case',
  '*bold*',
  '`code`',
  '[link](http://x.io)',
  '[x]',
  '[ ]',
  'Other:',
  '#42',
  'a\\b',
  '<b>',
  '-->',
  '|',
  '&amp;',
  '~~',
  '1.',
  '- [ ]',
  '##',
  '```',
  'Z',
  '___',
];
const TRICKY_STARTS = [
  '',
  '',
  '',
  '',
  '# ',
  '## ',
  '### Summary ',
  '#',
  '```',
  '~~~ ',
  '<!-- ',
  '<div>',
  '<pre>',
  '- [ ] ',
  '* [x] ',
  '+ [X] ',
  '- ',
  '* ',
  '1. ',
  '2) ',
  '> ',
  '    ',
  '\t',
  '\\# ',
  '\\\\# ',
  '\\',
  '=== ',
  '--- ',
  '- --- ',
  '___ ',
  'Other: ',
  '[x] ',
  '  ## ',
  '   ```',
  '[foo]: http://x.io ',
];
const PLACEHOLDER_TEXTS = new Set<string>(Object.values(PLACEHOLDERS));

const acceptable = (s: string) => s.length > 0 && !/^[_\s]*$/.test(s) && !PLACEHOLDER_TEXTS.has(s) && !/^\[Criterion \d+\]$/i.test(s);

const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }) },
);
const rawLine = fc.tuple(fc.constantFrom(...TRICKY_STARTS), fc.array(word, { minLength: 1, maxLength: 6 })).map(([start, words]) => start + words.join(' '));

/** A single-line field: trimmed (the schema trims), at most 100 characters. */
const line = rawLine.map((s) => s.trim()).filter((s) => acceptable(s) && s.length <= 100);

/** A multi-line text field, with blank lines, CRLF and indented lines inside. */
const multiLine = fc
  .array(fc.tuple(rawLine, fc.constantFrom('\n', '\n', '\n\n', '\r\n', '\n   \n')), { minLength: 1, maxLength: 6 })
  .map((parts) =>
    parts
      .map(([l, sep]) => l + sep)
      .join('')
      .trim(),
  )
  .filter(acceptable);

const keysOf = <T extends Record<string, string>>(map: T) => Object.keys(map) as (keyof T & string)[];
const nonEmpty = (o: object) => Object.keys(o).length > 0;
const checks = <T extends Record<string, string>>(map: T) => fc.shuffledSubarray(keysOf(map), { minLength: 1 });

const plannedWindow = fc
  .tuple(
    fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }),
    fc.integer({ min: 60_000, max: 30 * 86_400_000 }),
    fc.boolean(),
  )
  .map(([start, ms, zulu]) => {
    const iso = (d: Date) => (zulu ? d.toISOString() : d.toISOString().replace('Z', '+00:00'));
    return { start: iso(start), end: iso(new Date(start.getTime() + ms)) };
  });

const contentArb: fc.Arbitrary<unknown> = fc.record(
  {
    title: line,
    category: fc.constantFrom(...CATEGORIES),
    standardType: fc.constantFrom(...keysOf(STANDARD_CHANGE_TYPES)),
    description: fc
      .record(
        {
          summary: multiLine,
          motivation: multiLine,
          components: fc.shuffledSubarray([...DEFAULT_COMPONENTS], { minLength: 1 }),
          otherComponents: fc.uniqueArray(line, { minLength: 1, maxLength: 3 }),
        },
        { requiredKeys: [] },
      )
      .filter(nonEmpty),
    implementation: fc
      .record(
        {
          changes: multiLine,
          dependencies: multiLine,
          estimatedDuration: line,
          maintenanceWindow: fc
            .record({ required: fc.boolean(), durationMinutes: fc.integer({ min: 1, max: 10_080 }), proposedTime: line }, { requiredKeys: [] })
            .filter(nonEmpty),
        },
        { requiredKeys: [] },
      )
      .filter(nonEmpty),
    plannedWindow,
    testing: fc
      .record({ testPlan: multiLine, checklist: checks(TEST_CHECKS), successCriteria: fc.array(line, { minLength: 1, maxLength: 5 }) }, { requiredKeys: [] })
      .filter(nonEmpty),
    risk: fc
      .record(
        {
          likelihood: fc.constantFrom(...LIKELIHOODS),
          impact: fc.constantFrom(...IMPACTS),
          declaredLevel: fc.constantFrom(...RISK_LEVELS),
          potentialImpacts: multiLine,
          mitigations: multiLine,
        },
        { requiredKeys: [] },
      )
      .filter(nonEmpty),
    rollback: fc
      .record(
        {
          procedure: multiLine,
          duration: line,
          triggers: checks(ROLLBACK_TRIGGERS),
          otherTriggers: fc.uniqueArray(line, { minLength: 1, maxLength: 3 }),
          drDrill: multiLine,
        },
        { requiredKeys: [] },
      )
      .filter(nonEmpty),
    communication: fc
      .record({ stakeholders: checks(STAKEHOLDERS), timeline: fc.array(line, { minLength: 1, maxLength: 5 }) }, { requiredKeys: [] })
      .filter(nonEmpty),
    postImplementation: fc
      .record(
        { verification: checks(VERIFICATION_STEPS), lessonsLearned: multiLine, documentationUpdates: checks(DOCUMENTATION_UPDATES) },
        { requiredKeys: [] },
      )
      .filter(nonEmpty),
    incident: fc.record({ reference: line, severity: fc.constantFrom(...SEVERITIES) }, { requiredKeys: [] }).filter(nonEmpty),
  },
  { requiredKeys: ['title', 'category'] },
);

/** Valid content, as the service stores it (after the schema). */
const validContent: fc.Arbitrary<ChangeContent> = contentArb.map((raw) => ChangeContentSchema.parse(raw));

// ---------------------------------------------------------------------------------------------

const base: ChangeContent = { title: 'Rotate the Redis TLS certificate', category: 'normal' };

/** Replaces the first line `from` of a markdown document; fails the test when it is not there. */
function replaceLine(markdown: string, from: string, to: string): string {
  expect(markdown).toContain(from);
  return markdown.replace(from, to);
}

describe('round trip: parse(render(c)) == c for every valid ChangeContent', () => {
  it('holds for generated content, with no issues (300 runs)', () => {
    fc.assert(
      fc.property(validContent, (content) => {
        // Prepare
        const markdown = renderChangeMarkdown({ content });
        // Act
        const parsed = parseChangeMarkdown(markdown);
        // Assess
        expect(parsed.issues).toEqual([]);
        expect(parsed.content).toStrictEqual(content);
        expect(parseContent(parsed.content)).toStrictEqual(content);
      }),
      { numRuns: 300 },
    );
  });

  it('holds with a configured component list other than the default', () => {
    const components = ['Payments API', 'Ledger DB', 'Edge CDN'];
    fc.assert(
      fc.property(validContent, fc.shuffledSubarray(components, { minLength: 1 }), (content, picked) => {
        // Prepare
        const withComponents: ChangeContent = { ...content, description: { ...content.description, components: picked } };
        // Act
        const parsed = parseChangeMarkdown(renderChangeMarkdown({ content: withComponents }, { components }), { components });
        // Assess
        expect(parsed.issues).toEqual([]);
        expect(parsed.content).toStrictEqual(withComponents);
      }),
      { numRuns: 50 },
    );
  });

  it('escaping of free text is reversible for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), multiLine, (any, text) => {
        // Prepare, Act, Assess
        expect(unescapeText(escapeText(any))).toBe(any);
        expect(unescapeText(escapeText(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('empty lists and sections are left out: they read back as absent', () => {
    // Prepare
    const content = ChangeContentSchema.parse({
      ...base,
      description: { components: [], otherComponents: [] },
      implementation: { maintenanceWindow: {} },
      testing: { checklist: [], successCriteria: [] },
      communication: { timeline: [] },
      postImplementation: {},
    });
    // Act
    const parsed = parseChangeMarkdown(renderChangeMarkdown({ content }));
    // Assess
    expect(parsed.issues).toEqual([]);
    expect(parsed.content).toStrictEqual(base);
  });
});

describe('free text that looks like Markdown structure', () => {
  it('a line starting with "#" is rendered as "\\#" and read back as "#"', () => {
    // Prepare
    const summary = '# Not a heading\n## Motivation\n```\nunclosed fence\n- [x] Unit tests passing';
    const content: ChangeContent = { ...base, description: { summary }, testing: { testPlan: summary, checklist: ['unit-tests'] } };
    // Act
    const markdown = renderChangeMarkdown({ content });
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(markdown).toContain('\\# Not a heading\n\\## Motivation\n\\```\nunclosed fence\n\\- [x] Unit tests passing');
    expect(parsed.issues).toEqual([]);
    expect(parsed.content).toStrictEqual(content);
  });

  it('a hand-written "\\#" line in free text means "#"', () => {
    // Prepare
    const markdown = replaceLine(blankTemplate(), PLACEHOLDERS.motivation, 'Because:\n\\# 42 is the ticket');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.content).toEqual({ description: { motivation: 'Because:\n# 42 is the ticket' } });
  });

  it('an unescaped heading inside free text is reported as an unknown heading', () => {
    // Prepare
    const markdown = replaceLine(blankTemplate(), PLACEHOLDERS.motivation, 'Because:\n### Notes\nmore');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toContainEqual({ path: 'content.description', message: expect.stringContaining('unknown heading "### Notes"') });
  });
});

const FILLED = `# Change Request: Upgrade the payments API to Node 22

## Change ID
CR-2026-11-20-007

## Category
[ ] Standard  [X] Normal  [ ] Major  [ ] Emergency
Standard change type: ___________

## Requestor
Name: Alice Andersen
Team: payments
Date: 2026-11-20

## Incident
Reference: ___________
Severity: [ ] P0  [ ] P1

## Description

### Summary
Move the payments API runtime from Node 20 to Node 22.
The container base image and the \`engines\` field change; the code does not.

### Motivation
Node 20 leaves maintenance in April 2026.

### Components Affected
- [X] API Server
- [ ] Database
- [ ] Redis Cache
- [ ] S3 Storage
- [x] Kubernetes Deployment
- [ ] Monitoring/Alerting
- [X] Other: Kafka

## Implementation Details

### Changes
1. Bump the base image to \`node:22-alpine\`.
2. Set \`"engines": { "node": ">=22" }\`.

Redeploy with the usual pipeline.

### Dependencies
The platform team must publish the Node 22 base image first.

### Estimated Duration
45 minutes

### Maintenance Window
Required: [X] Yes  [ ] No
If yes, duration: 30 minutes
Proposed time: Sunday 02:00 UTC

## Planned Window
Start: 2026-12-06T02:00:00Z
End: 2026-12-06T03:00:00Z

## Testing

### Test Plan
Run the full suite on the new image, then soak in staging for a day.

- [X] Unit tests passing
- [X] Integration tests passing
- [ ] Load tests completed
- [X] Chaos tests completed
- [X] Staging deployment successful
- [ ] Smoke tests passing

### Success Criteria
[How do you know the change succeeded?]

1. Error rate below 1%
2. p95 latency under 200 ms

## Risk Assessment

### Likelihood
[ ] Low  [X] Medium  [ ] High

### Impact
[ ] Low  [ ] Medium  [x] High  [ ] Critical

### Risk Level
[ ] Low  [ ] Medium  [X] High  [ ] Critical

### Potential Impacts
Payments could fail to start if a native module does not build on Node 22.

### Mitigation Strategies
Canary at 5% first; watch the error rate for 15 minutes.

## Rollback Plan

### Rollback Procedure
1. Revert the image tag in the deployment.
2. \`kubectl rollout status deploy/payments-api\`.

### Rollback Duration
10 minutes

### Rollback Triggers
[When should you rollback?]

- [X] Error rate > 5%
- [ ] Database errors
- [ ] Critical alerts firing
- [X] Other: p95 latency above 500 ms for 5 minutes

### DR Drill
[Which disaster-recovery drill backs this rollback plan? Required for major changes.]

## Communication

### Stakeholders to Notify
- [X] Engineering team (#engineering)
- [ ] Product team (#product)
- [X] Customer Support (#support)
- [ ] Leadership (#leadership)
- [ ] Customers (via status page)

### Communication Timeline
- T-24h: Notify stakeholders
- T-1h: Final reminder
- T-0: Change begins

## Approval

### Approvers Required
- [X] Tech Lead
- [ ] Engineering Manager
- [ ] CTO (for major changes)

### Sign-off

Name: Tom Tanaka  Date: 2026-11-21  Role: Tech Lead
Name: _______________  Date: _______________  Role: _______________

## Post-Implementation

### Verification Steps
- [ ] Success criteria met
- [ ] Monitoring dashboards show healthy metrics
- [ ] No new errors in logs
- [ ] No customer complaints

### Lessons Learned
[What went well? What could be improved?]

### Documentation Updates
- [ ] Runbooks updated
- [ ] Architecture docs updated
- [ ] README updated
`;

describe('parse: a filled copy of the seed template', () => {
  it('reads every filled field, [X] ticks and "Other:" entries included, and nothing else', () => {
    // Prepare: FILLED above
    // Act
    const parsed = parseChangeMarkdown(FILLED);
    // Assess
    expect(parsed.issues).toEqual([]);
    expect(parsed.content).toStrictEqual({
      title: 'Upgrade the payments API to Node 22',
      category: 'normal',
      description: {
        summary: 'Move the payments API runtime from Node 20 to Node 22.\nThe container base image and the `engines` field change; the code does not.',
        motivation: 'Node 20 leaves maintenance in April 2026.',
        components: ['API Server', 'Kubernetes Deployment'],
        otherComponents: ['Kafka'],
      },
      implementation: {
        changes: '1. Bump the base image to `node:22-alpine`.\n2. Set `"engines": { "node": ">=22" }`.\n\nRedeploy with the usual pipeline.',
        dependencies: 'The platform team must publish the Node 22 base image first.',
        estimatedDuration: '45 minutes',
        maintenanceWindow: { required: true, durationMinutes: 30, proposedTime: 'Sunday 02:00 UTC' },
      },
      plannedWindow: { start: '2026-12-06T02:00:00Z', end: '2026-12-06T03:00:00Z' },
      testing: {
        testPlan: 'Run the full suite on the new image, then soak in staging for a day.',
        checklist: ['unit-tests', 'integration-tests', 'chaos-tests', 'staging-deployment'],
        successCriteria: ['Error rate below 1%', 'p95 latency under 200 ms'],
      },
      risk: {
        likelihood: 'medium',
        impact: 'high',
        declaredLevel: 'high',
        potentialImpacts: 'Payments could fail to start if a native module does not build on Node 22.',
        mitigations: 'Canary at 5% first; watch the error rate for 15 minutes.',
      },
      rollback: {
        procedure: '1. Revert the image tag in the deployment.\n2. `kubectl rollout status deploy/payments-api`.',
        duration: '10 minutes',
        triggers: ['error-rate'],
        otherTriggers: ['p95 latency above 500 ms for 5 minutes'],
      },
      communication: {
        stakeholders: ['engineering', 'support'],
        timeline: ['T-24h: Notify stakeholders', 'T-1h: Final reminder', 'T-0: Change begins'],
      },
    });
  });

  it('the result passes the schema (parseContent)', () => {
    // Prepare, Act
    const content = parseContent(parseChangeMarkdown(FILLED).content);
    // Assess
    expect(content.title).toBe('Upgrade the payments API to Node 22');
  });
});

describe('blank template', () => {
  it('follows the seed: every seed heading, in the seed order', () => {
    // Prepare
    const seedHeadings = [
      '## Change ID',
      '## Category',
      '## Requestor',
      '## Description',
      '### Summary',
      '### Motivation',
      '### Components Affected',
      '## Implementation Details',
      '### Changes',
      '### Dependencies',
      '### Estimated Duration',
      '### Maintenance Window',
      '## Testing',
      '### Test Plan',
      '### Success Criteria',
      '## Risk Assessment',
      '### Risk Level',
      '### Potential Impacts',
      '### Mitigation Strategies',
      '## Rollback Plan',
      '### Rollback Procedure',
      '### Rollback Duration',
      '### Rollback Triggers',
      '## Communication',
      '### Stakeholders to Notify',
      '### Communication Timeline',
      '## Approval',
      '### Approvers Required',
      '### Sign-off',
      '## Post-Implementation',
      '### Verification Steps',
      '### Lessons Learned',
      '### Documentation Updates',
    ];
    // Act
    const lines = blankTemplate().split('\n');
    // Assess
    const positions = seedHeadings.map((h) => lines.indexOf(h));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines[0]).toBe('# Change Request: [Brief Title]');
  });

  it('has the additions: category line, standard type, likelihood, impact, chaos tests, DR drill, planned window, incident', () => {
    // Prepare, Act
    const md = blankTemplate();
    // Assess
    expect(md).toContain('## Category\n[ ] Standard  [ ] Normal  [ ] Major  [ ] Emergency\nStandard change type: ___________\n');
    for (const type of Object.values(STANDARD_CHANGE_TYPES)) expect(md).toContain(type);
    expect(md).toContain('### Likelihood\n[ ] Low  [ ] Medium  [ ] High\n\n### Impact\n[ ] Low  [ ] Medium  [ ] High  [ ] Critical\n\n### Risk Level');
    expect(md).toContain('- [ ] Chaos tests completed');
    expect(md).toContain('- [ ] Other: ___________\n\n### DR Drill\n');
    expect(md).toMatch(/## Implementation Details[\s\S]*## Planned Window\nStart: _+\nEnd: _+\n[\s\S]*## Testing/);
    expect(md).toContain('Reference: ___________\nSeverity: [ ] P0  [ ] P1');
    expect(md).toContain('Required: [ ] Yes  [ ] No\nIf yes, duration: _____ minutes\nProposed time: _____');
  });

  it('lists the configured components, then "Other: ___________"', () => {
    // Prepare
    const components = ['Payments API', 'Ledger DB'];
    // Act
    const md = blankTemplate({ components });
    // Assess
    expect(md).toContain('### Components Affected\n- [ ] Payments API\n- [ ] Ledger DB\n- [ ] Other: ___________\n');
  });

  it('parses to no content fields and one issue: the missing title', () => {
    // Prepare, Act
    const parsed = parseChangeMarkdown(blankTemplate());
    // Assess
    expect(parsed.content).toEqual({});
    expect(parsed.issues).toEqual([{ path: 'content.title', heading: '# Change Request: <title>', message: expect.any(String) }]);
  });
});

describe('structural issues the schema cannot name', () => {
  const filled = renderChangeMarkdown({ content: base });

  it('no "# Change Request: <title>" heading → issue at content.title', () => {
    // Prepare
    const markdown = filled.replace('# Change Request: Rotate the Redis TLS certificate\n', '');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([{ path: 'content.title', heading: '# Change Request: <title>', message: expect.stringContaining('missing') }]);
    expect(parsed.content).toEqual({ category: 'normal' });
  });

  it('two categories ticked → issue at content.category, and no category', () => {
    // Prepare
    const markdown = replaceLine(filled, '[ ] Standard  [x] Normal', '[x] Standard  [x] Normal');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([{ path: 'content.category', heading: '## Category', message: expect.stringContaining('only one') }]);
    expect(parsed.content).toEqual({ title: base.title });
  });

  it('likelihood line with two ticks → issue at content.risk.likelihood', () => {
    // Prepare
    const markdown = replaceLine(filled, '### Likelihood\n[ ] Low  [ ] Medium', '### Likelihood\n[x] Low  [X] Medium');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      { path: 'content.risk.likelihood', heading: '### Likelihood under ## Risk Assessment', message: expect.stringContaining('only one') },
    ]);
  });

  it('impact with an unknown option → issue at content.risk.impact', () => {
    // Prepare
    const markdown = replaceLine(filled, '[ ] High  [ ] Critical\n\n### Risk Level', '[ ] High  [x] Severe\n\n### Risk Level');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      { path: 'content.risk.impact', heading: '### Impact under ## Risk Assessment', message: expect.stringContaining('unknown option "Severe"') },
    ]);
  });

  it('unknown component label → issue at content.description.components (not an "Other" entry)', () => {
    // Prepare
    const markdown = replaceLine(filled, '- [ ] Database\n', '- [ ] Database\n- [x] Postgres\n');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      { path: 'content.description.components', heading: '### Components Affected under ## Description', message: expect.stringContaining('Other: Postgres') },
    ]);
    expect(parsed.content).toEqual(base);
  });

  it('unknown checkbox label in a fixed checklist → issue at its path', () => {
    // Prepare
    const markdown = replaceLine(filled, '- [ ] Smoke tests passing', '- [x] Smoke test passing');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      { path: 'content.testing.checklist', heading: '### Test Plan under ## Testing', message: expect.stringContaining('Smoke test passing') },
    ]);
  });

  it('"Other:" ticked without a name → issue at content.rollback.otherTriggers', () => {
    // Prepare
    const markdown = replaceLine(filled, '- [ ] Critical alerts firing\n- [ ] Other: ___________', '- [ ] Critical alerts firing\n- [x] Other: ___________');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      { path: 'content.rollback.otherTriggers', heading: '### Rollback Triggers under ## Rollback Plan', message: expect.any(String) },
    ]);
  });

  it('several "Other:" lines, ticked or only filled in, are all entries', () => {
    // Prepare
    const markdown = replaceLine(
      filled,
      '- [ ] Other: ___________\n\n## Implementation',
      '- [x] Other: Kafka\n- [ ] Other: Zookeeper\n- [ ] Other: ___\n\n## Implementation',
    );
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([]);
    expect(parsed.content).toEqual({ ...base, description: { otherComponents: ['Kafka', 'Zookeeper'] } });
  });

  it('maintenance duration that is not a number of minutes → issue, key left out', () => {
    // Prepare
    const markdown = replaceLine(filled, 'If yes, duration: _____ minutes', 'If yes, duration: half an hour');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      {
        path: 'content.implementation.maintenanceWindow.durationMinutes',
        heading: 'If yes, duration, ### Maintenance Window under ## Implementation Details',
        message: expect.any(String),
      },
    ]);
    expect(parsed.content).toEqual(base);
  });

  it('unknown section heading → issue at content', () => {
    // Prepare
    const markdown = `${filled}\n## Budget\nLots.\n`;
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([{ path: 'content', message: expect.stringContaining('unknown section "## Budget"') }]);
  });

  it('an unexpected line in a line section → issue at that section', () => {
    // Prepare
    const markdown = replaceLine(filled, 'End: ___________\n', 'End: ___________\nTimezone: UTC\n');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([
      {
        path: 'content.plannedWindow',
        heading: '## Planned Window (or Proposed time under ### Maintenance Window)',
        message: expect.stringContaining('Timezone: UTC'),
      },
    ]);
  });

  it('values the schema can judge are passed through as written (e.g. a bad date-time)', () => {
    // Prepare
    const markdown = replaceLine(filled, 'Start: ___________', 'Start: next Tuesday');
    // Act
    const parsed = parseChangeMarkdown(markdown);
    // Assess
    expect(parsed.issues).toEqual([]);
    expect(parsed.content).toEqual({ ...base, plannedWindow: { start: 'next Tuesday' } });
    expect(ChangeContentSchema.safeParse(parsed.content).success).toBe(false);
  });
});

describe('service-owned parts: rendered from the change request, ignored by parse', () => {
  const cr: Pick<ChangeRequest, 'content'> & Partial<ChangeRequest> = {
    id: 'CR-2026-11-20-007',
    revision: 2,
    requestor: { id: 'alice', name: 'Alice Andersen', email: 'alice@example.com', team: 'payments' },
    createdAt: '2026-11-20T09:30:00.000Z',
    riskLevel: 'high',
    approvalRequirement: {
      route: 'approval',
      slots: [
        { slot: 'tech-lead', minRole: 'tech-lead', reason: 'every normal change' },
        { slot: 'eng-manager', minRole: 'eng-manager', reason: 'high risk' },
      ],
      reasons: ['normal change', 'high risk'],
    },
    approvals: [
      { slot: 'tech-lead', by: 'tom', name: 'Tom Tanaka', role: 'tech-lead', revision: 2, at: '2026-11-21T10:00:00.000Z' },
      { slot: 'eng-manager', by: 'ed', name: 'Ed Edwards', role: 'eng-manager', revision: 1, at: '2026-11-19T10:00:00.000Z' },
    ],
    content: { ...base, risk: { likelihood: 'medium', impact: 'high', declaredLevel: 'medium' } },
  };

  it('shows the id, requestor, date, approvers required and sign-offs of the current revision', () => {
    // Prepare, Act
    const md = renderChangeMarkdown(cr);
    // Assess
    expect(md).toContain('## Change ID\nCR-2026-11-20-007\n');
    expect(md).toContain('## Requestor\nName: Alice Andersen\nTeam: payments\nDate: 2026-11-20\n');
    expect(md).toContain('- [x] Tech Lead or above — every normal change\n- [ ] Engineering Manager or above — high risk');
    expect(md).toContain('Name: Tom Tanaka  Date: 2026-11-21  Role: Tech Lead');
    expect(md).not.toContain('Ed Edwards'); // approved an older revision
    expect(md).toContain('Computed by ChangeFlow: High');
  });

  it('parse returns only the content: the service-owned parts never come from the document', () => {
    // Prepare
    const md = renderChangeMarkdown(cr)
      .replace('CR-2026-11-20-007', 'CR-1999-01-01-001')
      .replace('Name: Alice Andersen', 'Name: Mallory')
      .replace('- [ ] Engineering Manager or above', '- [x] Engineering Manager or above')
      .replace('Computed by ChangeFlow: High', 'Computed by ChangeFlow: Low');
    // Act
    const parsed = parseChangeMarkdown(md);
    // Assess
    expect(parsed.issues).toEqual([]);
    expect(parsed.content).toStrictEqual(cr.content);
  });
});

describe('checklist order', () => {
  it('keeps the template order when the ticked items are in it, and puts them first otherwise', () => {
    // Prepare
    const inOrder: ChangeContent = { ...base, communication: { stakeholders: ['engineering', 'support'] } };
    const reversed: ChangeContent = { ...base, communication: { stakeholders: ['support', 'engineering'] } };
    // Act
    const a = renderChangeMarkdown({ content: inOrder });
    const b = renderChangeMarkdown({ content: reversed });
    // Assess
    expect(a).toContain('### Stakeholders to Notify\n- [x] Engineering team (#engineering)\n- [ ] Product team (#product)\n- [x] Customer Support');
    expect(b).toContain('### Stakeholders to Notify\n- [x] Customer Support (#support)\n- [x] Engineering team (#engineering)\n- [ ] Product team');
    expect(parseChangeMarkdown(b).content).toStrictEqual(reversed);
  });
});
