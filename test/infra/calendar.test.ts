/**
 * Infra assertions for the change calendar (issue 4, section 4): the scheduled jobs and their
 * EventBridge Scheduler schedules, dead-letter queues and alarms, who may delete, who may send
 * email and as whom, and the iCalendar feed key. Bundling is skipped, as in stack.test.ts.
 */
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbOnce } from '../../functions/adapters/dynamodb/once.js';
import { loadConfig } from '../../functions/config.js';
import { SCHEDULED_JOBS } from '../../functions/jobs/schedules.js';
import { ROUTE_GROUPS } from '../../functions/routes.js';
import { ChangeflowStack } from '../../lib/changeflow-stack.js';
import { CALENDAR_FEED_PATH, PUBLIC_ROUTE_REASONS } from '../../lib/constructs/api.js';
import { IDEMPOTENCY_KEY_PREFIX } from '../../lib/constructs/data.js';
import { mailAddressOf } from '../../lib/settings.js';
import { actionsOf, resourcesOf, SKIP_BUNDLING, synth, type Statement } from './synth.js';

const logicalId = (stack: ChangeflowStack, c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnRole | CfnFunction | CfnQueue | CfnSecret | CfnTable);

/** Every Allow statement of the inline policies attached to a role. */
function statementsOf(stack: ChangeflowStack, template: Template, role: { node: { defaultChild?: unknown } }): Statement[] {
  const roleId = logicalId(stack, role);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies)
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow');
}

/** Every function of the stack, route, job or worker (WorkflowTasks, Notifications), by name, with its role. */
function allFunctions(stack: ChangeflowStack) {
  return [
    ...[...stack.functions.values()].map((f) => ({ name: f.group.name as string, kind: 'route' as const, fn: f.fn, role: f.role })),
    ...[...stack.jobs.values()].map((j) => ({ name: j.job.name as string, kind: 'job' as const, fn: j.fn, role: j.role })),
    ...[...stack.workers.values()].map((w) => ({ name: w.name as string, kind: 'worker' as const, fn: w.fn, role: w.role })),
  ];
}

/** `arn:${partition}:ses:${region}:${account}:<resource>` as the template renders it. */
const sesArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});

/** Every action that writes or deletes an item, one by one, in batches, transactions or PartiQL. */
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:*',
];

describe('the change calendar in the stack', () => {
  let stack: ChangeflowStack;
  let template: Template;
  let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  let tableArn: unknown;
  /** What Once does with its records (claim, complete, release), on those records only. */
  let idempotencyOnly: Statement;
  let communicationLogOnly: Statement;

  beforeAll(() => {
    ({ stack, template } = synth());
    resources = template.toJSON().Resources;
    tableArn = { 'Fn::GetAtt': [logicalId(stack, stack.table), 'Arn'] };
    idempotencyOnly = {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: tableArn,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${IDEMPOTENCY_KEY_PREFIX}*`] } },
    };
    // the communication log's own partitions (COMM#<change id>): a put, never a change's item
    communicationLogOnly = {
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: tableArn,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COMM#*'] } },
    };
  });

  describe('deleting items', () => {
    it('is declared by the Calendar group (it deletes calendar events) and the Subscriptions group (it removes a subscription) only', () => {
      expect(ROUTE_GROUPS.filter((g) => g.tableDelete).map((g) => g.name)).toEqual(['Calendar', 'Subscriptions']);
    });

    it('the Calendar and Subscriptions functions may DeleteItem; no other route function may', () => {
      for (const { name, kind, role } of allFunctions(stack).filter((f) => f.kind === 'route')) {
        const deletes = statementsOf(stack, template, role).filter((s) => actionsOf(s).includes('dynamodb:DeleteItem'));
        expect(deletes.length > 0, `${kind} ${name}`).toBe(name === 'Calendar' || name === 'Subscriptions');
      }
    });

    it("no job may delete anything: a job keeps no dedupe records (the emails are the notifications consumer's), and never deletes a change or an event", () => {
      for (const { name, role } of allFunctions(stack).filter((f) => f.kind === 'job')) {
        const deletes = statementsOf(stack, template, role).filter((s) =>
          actionsOf(s).some((a) => /^dynamodb:(DeleteItem|BatchWriteItem|PartiQLDelete|\*)$/.test(a)),
        );
        expect(deletes, name).toEqual([]);
      }
    });

    it('the prefix the jobs may delete under is the partition key Once writes its claims to', () => {
      const once = new DynamoDbOnce('changeflow', { region: 'eu-west-1' }) as unknown as { layer(scope: string): { staticPkValue: string } };
      expect(once.layer('timeline').staticPkValue).toBe(`${IDEMPOTENCY_KEY_PREFIX}timeline`);
    });

    it('no function, route or job, may Scan the table or use dynamodb:*', () => {
      for (const { name, role } of allFunctions(stack)) {
        const actions = statementsOf(stack, template, role).flatMap(actionsOf);
        expect(
          actions.filter((a) => a === 'dynamodb:Scan' || a === 'dynamodb:*'),
          name,
        ).toEqual([]);
      }
    });

    it('the monthly report job has 1024 MB and 15 minutes (a month of 100,000 changes); every other job the defaults', () => {
      const fns = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      const of = (name: string) => fns.find((f) => String(f.Properties.Description).startsWith(`ChangeFlow ${name}: scheduled job`))!.Properties;
      expect(of('MonthlyReport')).toMatchObject({ MemorySize: 1024, Timeout: 900 });
      for (const job of SCHEDULED_JOBS.filter((j) => j.name !== 'MonthlyReport'))
        expect(of(job.name), job.name).toMatchObject({ MemorySize: 512, Timeout: 60 });
    });

    it('a job that writes change requests may read, Put and Update the table', () => {
      const writers = SCHEDULED_JOBS.filter((j) => j.needs.writeTable === true).map((j) => j.name);
      expect(writers).toEqual(['ApprovalSweep', 'BlackoutCheck', 'TimelineNotifications', 'MonthlyReport']);
      for (const name of writers) {
        const statements = statementsOf(stack, template, stack.jobs.get(name)!.role);
        const onAnyItem = statements.filter((s) => s.Condition === undefined).flatMap(actionsOf);
        expect(onAnyItem, name).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
      }
    });

    it('the function that writes only its idempotency records and communication log entries (Notifications) may read, and write nothing else', () => {
      const recordWriters = [{ name: 'Notifications', role: stack.workers.get('Notifications')!.role }];
      for (const { name, role } of recordWriters) {
        const statements = statementsOf(stack, template, role);
        expect(statements.flatMap(actionsOf), name).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
        const writes = statements.filter((s) => actionsOf(s).some((a) => WRITE_ACTIONS.includes(a)));
        expect(writes, name).toEqual([idempotencyOnly, communicationLogOnly]);
      }
    });
  });

  describe('sending email (SES)', () => {
    it('only the Notifications function may send email (the jobs record, their events email), and only as the sending identity, never on "*"', () => {
      expect(SCHEDULED_JOBS.filter((j) => j.needs.sendEmail).map((j) => j.name)).toEqual([]);
      for (const { name, kind, role } of allFunctions(stack)) {
        const ses = statementsOf(stack, template, role).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
        const sends = (kind === 'job' && SCHEDULED_JOBS.find((j) => j.name === name)!.needs.sendEmail) || (kind === 'worker' && name === 'Notifications');
        expect(ses, `${kind} ${name}`).toEqual(
          sends ? [{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: sesArn('identity/changeflow@example.com') }] : [],
        );
      }
    });

    it('derives the identity from the address of mailFrom, takes a domain identity and a configuration set from props', () => {
      expect(mailAddressOf('ChangeFlow <changeflow@example.com>')).toBe('changeflow@example.com');
      expect(mailAddressOf('changes@corp.example')).toBe('changes@corp.example');

      const derived = synth({ mail: { from: 'Change Desk <changes@corp.example>' } });
      const domain = synth({ mail: { sesIdentity: 'corp.example', configurationSet: 'changeflow-events' } });
      for (const { stack: st, template: t, expected } of [
        { ...derived, expected: [sesArn('identity/changes@corp.example')] },
        { ...domain, expected: [sesArn('identity/corp.example'), sesArn('configuration-set/changeflow-events')] },
      ]) {
        for (const { job, role } of st.jobs.values()) {
          const ses = statementsOf(st, t, role).filter((s) => actionsOf(s).includes('ses:SendEmail'));
          expect(ses.flatMap(resourcesOf), job.name).toEqual(job.needs.sendEmail ? expected : []);
        }
        const notifications = statementsOf(st, t, st.workers.get('Notifications')!.role).filter((s) => actionsOf(s).includes('ses:SendEmail'));
        expect(notifications.flatMap(resourcesOf), 'Notifications').toEqual(expected);
      }
      domain.template.allResourcesProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SES_CONFIGURATION_SET: 'changeflow-events' }) },
      });
    });

    it('refuses a From without an address and an identity that is a wildcard', () => {
      const app = new App({ context: SKIP_BUNDLING });
      expect(() => new ChangeflowStack(app, 'A', { mail: { from: 'ChangeFlow' } })).toThrow(/mail\.from \(-c mailFrom, MAIL_FROM\): must be an address/);
      expect(() => new ChangeflowStack(app, 'B', { mail: { sesIdentity: '*' } })).toThrow(/mail\.sesIdentity \(-c sesIdentity\): must be a domain/);
    });
  });

  describe('settings the functions read', () => {
    it('defaults the settings the functions read to the defaults of functions/config.ts (MAIL_FROM aside: AWS needs a real sender)', () => {
      const local = loadConfig({});
      for (const { name, fn } of allFunctions(stack)) {
        // the literal values only: the table name and the ARNs are CloudFormation references
        const literal = Object.entries(resources[logicalId(stack, fn)]!.Properties.Environment.Variables).filter(([, v]) => typeof v === 'string');
        const deployed = loadConfig(Object.fromEntries(literal) as Record<string, string>);
        for (const key of ['ORG_TIMEZONE', 'ROLES_CLAIM', 'TEAM_CLAIM', 'HOLIDAY_COUNTRY', 'FRIDAY_CUTOFF', 'STAKEHOLDER_EMAILS'] as const) {
          expect(deployed[key], `${name} ${key}`).toEqual(local[key]);
        }
        expect(deployed.timers, name).toEqual(local.timers);
        expect(deployed.MAIL_FROM, name).toBe('ChangeFlow <changeflow@example.com>');
      }
    });

    it('stops the synth on a value the functions would refuse at start, naming the setting', () => {
      const app = new App({ context: SKIP_BUNDLING });
      expect(() => new ChangeflowStack(app, 'A', { calendar: { holidayCountry: 'usa' } })).toThrow(
        /calendar\.holidayCountry \(-c holidayCountry, HOLIDAY_COUNTRY\): must be an ISO 3166 country code such as US, got "usa"/,
      );
      expect(() => new ChangeflowStack(app, 'B', { calendar: { fridayCutoff: '2pm' } })).toThrow(
        /calendar\.fridayCutoff \(-c fridayCutoff, FRIDAY_CUTOFF\): must be HH:MM/,
      );
      expect(() => new ChangeflowStack(app, 'C', { mail: { stakeholderEmails: 'engineering' } })).toThrow(
        /mail\.stakeholderEmails \(-c stakeholderEmails, STAKEHOLDER_EMAILS\)/,
      );
    });

    it("writes the configured country's and region's holidays into the bundles, not the default country's", () => {
      const { stack } = synth({ calendar: { holidayCountry: 'DE', holidayRegion: 'BY' } });
      const table = stack.holidayTable;
      expect([table.country, table.region]).toEqual(['DE', 'BY']);
      // Epiphany (6 January) is a public holiday in Bavaria, not in Germany as a whole
      const y2027 = (table.years['2027'] ?? []).map(([date, , , name]) => `${date} ${table.names[name]}`);
      expect(y2027).toContain('2027-01-06 Epiphany');
      expect(synth().stack.holidayTable.country).toBe('US');
    });

    it('passes HOLIDAY_REGION only when one is given', () => {
      const { template: t } = synth({ calendar: { holidayCountry: 'DE', holidayRegion: 'BY' } });
      t.allResourcesProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ HOLIDAY_COUNTRY: 'DE', HOLIDAY_REGION: 'BY' }) },
      });
    });
  });

  describe('schedules (EventBridge Scheduler)', () => {
    const schedules = () =>
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
        .map((r) => r.Properties);

    it('has one schedule per SCHEDULED_JOBS entry and no scheduled EventBridge rule (rules are UTC only)', () => {
      expect(schedules()).toHaveLength(SCHEDULED_JOBS.length);
      const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
      // the only rules are the bus consumers' (notifications, workflow driver, webhook processor, outbound), matching events, not time
      expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(rules.map(() => undefined));
      expect(rules).toHaveLength(4);
      for (const rule of rules) expect(rule.Properties.EventPattern).toBeDefined();
    });

    it.each(SCHEDULED_JOBS.map((j) => j.name))(
      '%s runs on its expression in the org zone, on time, retried twice within an hour, then into its dead-letter queue, targeting its function',
      (name) => {
        const job = SCHEDULED_JOBS.find((j) => j.name === name)!;
        const built = stack.jobs.get(name)!;
        const target = (s: Record<string, any>) => s.Target.Arn['Fn::GetAtt']?.[0];
        const mine = schedules().filter((s) => target(s) === logicalId(stack, built.fn));
        expect(mine).toHaveLength(1);
        expect(mine[0]).toMatchObject({
          ScheduleExpression: job.schedule,
          ScheduleExpressionTimezone: 'America/New_York',
          FlexibleTimeWindow: { Mode: 'OFF' },
          State: 'ENABLED',
          Target: {
            Arn: { 'Fn::GetAtt': [logicalId(stack, built.fn), 'Arn'] },
            RoleArn: { 'Fn::GetAtt': [logicalId(stack, built.schedulerRole), 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack, built.deadLetterQueue), 'Arn'] } },
          },
        });
        expect(JSON.parse(mine[0]!.Target.Input)).toEqual({ job: name, scheduledTime: '<aws.scheduler.scheduled-time>' });
      },
    );

    it('takes the zone from orgTimezone', () => {
      const { template: t } = synth({ calendar: { timeZone: 'Europe/Berlin' } });
      t.allResourcesProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'Europe/Berlin' });
    });

    it.each(SCHEDULED_JOBS.map((j) => j.name))('the scheduler role of %s may invoke that function only, and drop into its queue', (name) => {
      const built = stack.jobs.get(name)!;
      const fnArn = { 'Fn::GetAtt': [logicalId(stack, built.fn), 'Arn'] };
      expect(resources[logicalId(stack, built.schedulerRole)]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
      expect(statementsOf(stack, template, built.schedulerRole)).toEqual([
        // the function and its versions/aliases, nothing else
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fnArn, { 'Fn::Join': ['', [fnArn, ':*']] }] },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalId(stack, built.deadLetterQueue), 'Arn'] } },
      ]);
    });

    it('no role other than its scheduler role may invoke a job function', () => {
      for (const { job, fn } of stack.jobs.values()) {
        const fnId = logicalId(stack, fn);
        const invokers = Object.entries(template.findResources('AWS::IAM::Policy'))
          .filter(([, p]) =>
            (p.Properties.PolicyDocument.Statement as Statement[]).some(
              (s) => actionsOf(s).includes('lambda:InvokeFunction') && JSON.stringify(s.Resource).includes(`"${fnId}"`),
            ),
          )
          .flatMap(([, p]) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref));
        expect(invokers, job.name).toEqual([logicalId(stack, stack.jobs.get(job.name)!.schedulerRole)]);
      }
    });
  });

  describe('dead-letter queues', () => {
    it.each(SCHEDULED_JOBS.map((j) => j.name))('the queue of %s is encrypted, refuses plain HTTP and keeps messages 14 days', (name) => {
      const queueId = logicalId(stack, stack.jobs.get(name)!.deadLetterQueue);
      expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    });

    it.each(SCHEDULED_JOBS.map((j) => j.name))(
      'a run of %s that fails inside the function lands in the same queue after Lambda retried it (Scheduler invokes asynchronously)',
      (name) => {
        const built = stack.jobs.get(name)!;
        template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: logicalId(stack, built.fn) },
          MaximumRetryAttempts: 2,
          MaximumEventAgeInSeconds: 3600,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack, built.deadLetterQueue), 'Arn'] } } },
        });
      },
    );

    it.each(SCHEDULED_JOBS.map((j) => j.name))('an alarm fires on the first message in the queue of %s, pointing to its runbook', (name) => {
      const queueId = logicalId(stack, stack.jobs.get(name)!.deadLetterQueue);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/scheduled-job-dlq\\.md'),
      });
    });
  });

  describe('the iCalendar feed key', () => {
    let secretId: string;
    const feedGroup = () => ROUTE_GROUPS.find((g) => g.routes.some((r) => r.path === CALENDAR_FEED_PATH))!;

    beforeAll(() => {
      secretId = logicalId(stack, stack.calendarFeedSecret);
    });

    it('is served by the Calendar group, public at the gateway with a written reason', () => {
      expect(feedGroup().name).toBe('Calendar');
      expect(feedGroup().routes.find((r) => r.path === CALENDAR_FEED_PATH)?.public).toBe(true);
      for (const route of ROUTE_GROUPS.flatMap((g) => g.routes).filter((r) => r.public)) {
        expect(PUBLIC_ROUTE_REASONS[`${route.method} ${route.path}`], `${route.method} ${route.path}`).toBeDefined();
      }
    });

    it('is one generated secret, 32+ letters and digits (no punctuation, so it goes into a URL as is)', () => {
      // five secrets in the stack: this key, the approval link key (workflows.test.ts), the cursor key, the webhook and the outbound secrets
      template.resourceCountIs('AWS::SecretsManager::Secret', 5);
      const gen = resources[secretId]!.Properties.GenerateSecretString;
      expect(gen).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false });
      expect(gen.PasswordLength).toBeGreaterThanOrEqual(32);
    });

    it('is readable by the Calendar function only', () => {
      const readers = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(`"${secretId}"`))
        .flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref));
      expect(readers).toEqual([logicalId(stack, stack.functions.get('Calendar')!.role)]);
      const calendar = statementsOf(stack, template, stack.functions.get('Calendar')!.role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(calendar).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: secretId } }]);
    });

    it('is named in the Calendar function environment (CALENDAR_FEED_SECRET_ID) and nowhere else', () => {
      for (const { name, fn } of allFunctions(stack)) {
        const env = resources[logicalId(stack, fn)]!.Properties.Environment.Variables;
        if (name === 'Calendar') expect(env.CALENDAR_FEED_SECRET_ID).toEqual({ Ref: secretId });
        else expect(env.CALENDAR_FEED_SECRET_ID, name).toBeUndefined();
        expect(env.CALENDAR_FEED_KEY, name).toBeUndefined(); // the key itself never sits in an environment
      }
    });

    it('has its name as a stack output, to fetch the key with aws secretsmanager get-secret-value', () => {
      const output = template.toJSON().Outputs.CalendarFeedSecretName;
      expect(JSON.stringify(output.Value)).toContain(`"Ref":"${secretId}"`);
      expect(output.Description).toMatch(/calendar\.ics\?key=/);
    });

    it('a public route without a written reason stops the synth', () => {
      const meta = ROUTE_GROUPS.find((g) => g.name === 'Meta')!;
      meta.routes.push({ method: 'GET', path: '/open-by-mistake', public: true });
      try {
        expect(() => synth()).toThrow(/GET \/open-by-mistake is public but PUBLIC_ROUTE_REASONS/);
      } finally {
        meta.routes.pop();
      }
    });
  });
});
