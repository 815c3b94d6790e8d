/**
 * Infra assertions on the synthesised ChangeFlow stack: the properties that matter for the data
 * model, least privilege, authentication and observability. Bundling is skipped (context
 * `aws:cdk:bundling-stacks: []`), so these tests never run esbuild.
 */
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDirectory } from '../../functions/adapters/dynamodb/directory.js';
import { TABLE_KEYS } from '../../functions/adapters/dynamodb/table.js';
import { SCHEDULED_JOBS } from '../../functions/jobs/schedules.js';
import { ROUTE_GROUPS } from '../../functions/routes.js';
import { buildChangeflowApp } from '../../lib/app.js';
import { ChangeflowStack, type ChangeflowStackProps } from '../../lib/changeflow-stack.js';
import { DIRECTORY_KEY_PREFIXES, GSI_NAMES } from '../../lib/constructs/data.js';
import { WORKER_FUNCTIONS } from '../../lib/constructs/function.js';
import { ISSUER, SKIP_BUNDLING, synth as synthStack, type Statement } from './synth.js';

const AUDIENCE = ['client-one', 'client-two'];
const synth = (props: ChangeflowStackProps = {}) => synthStack({ ...props, identity: { audiences: AUDIENCE, ...props.identity } });

/** Every Allow action of the inline policies attached to a group's role. */
function allowedActions(stack: ChangeflowStack, template: Template, group: string): string[] {
  const role = stack.functions.get(group)?.role;
  if (!role) throw new Error(`no function for group ${group}`);
  const roleId = stack.getLogicalId(role.node.defaultChild as CfnRole);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
  );
}

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

const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('ChangeflowStack', () => {
  let stack: ChangeflowStack;
  let template: Template;
  let tableId: string;

  beforeAll(() => {
    ({ stack, template } = synth());
    tableId = stack.getLogicalId(stack.table.node.defaultChild as CfnTable);
  });

  describe('table (docs/data-model.md)', () => {
    it('has string keys pk/sk, the GSIs of TABLE_KEYS projecting ALL, on-demand billing, PITR and TTL on expiresAt', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      const gsiKeys = GSI_NAMES.flatMap((g) => [`${g}pk`, `${g}sk`]);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals(['pk', 'sk', ...gsiKeys].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: GSI_NAMES.map((g) => ({
          IndexName: g,
          KeySchema: [
            { AttributeName: `${g}pk`, KeyType: 'HASH' },
            { AttributeName: `${g}sk`, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      });
    });

    it('has exactly the six indexes of TABLE_KEYS.indexes, the ones DynamoDB Local gets too', () => {
      expect(TABLE_KEYS.indexes).toHaveLength(6);
      const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!.Properties;
      expect(
        table.GlobalSecondaryIndexes.map((g: { IndexName: string; KeySchema: { AttributeName: string }[] }) => [
          g.IndexName,
          ...g.KeySchema.map((k) => k.AttributeName),
        ]),
      ).toEqual(TABLE_KEYS.indexes.map((i) => [i.name, i.partitionKey, i.sortKey]));
    });

    it('is retained when the stack is deleted, by default', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('takes its removal policy from props', () => {
      const { template: t } = synth({ tableRemovalPolicy: RemovalPolicy.DESTROY });
      t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    });
  });

  describe('functions', () => {
    it('has one function per route group, one per scheduled job, and the workers (WorkflowTasks, EventRelay, Notifications, WorkflowDriver, WebhookProcessor, Outbound)', () => {
      template.resourceCountIs('AWS::Lambda::Function', ROUTE_GROUPS.length + SCHEDULED_JOBS.length + 6);
      expect([...stack.functions.keys()]).toEqual(ROUTE_GROUPS.map((g) => g.name));
      expect([...stack.jobs.keys()]).toEqual(SCHEDULED_JOBS.map((j) => j.name));
      expect([...stack.workers.keys()].sort()).toEqual(Object.keys(WORKER_FUNCTIONS).sort());
    });

    it('runs every function on nodejs24.x, arm64, with active tracing, explicit memory and timeout, and the settings the code reads', () => {
      const timeouts = new Map<string, number>([
        ...[...stack.functions.values()].map(({ fn }) => [stack.getLogicalId(fn.node.defaultChild as CfnFunction), 10] as const),
        // jobs are not bound by the API's 30 s and send several emails per run
        // (the monthly report's is 15 minutes, for a month of 100,000 changes)
        ...[...stack.jobs.entries()].map(
          ([name, { fn }]) => [stack.getLogicalId(fn.node.defaultChild as CfnFunction), name === 'MonthlyReport' ? 900 : 60] as const,
        ),
        // nobody waits on the workers over HTTP either
        ...[...stack.workers.values()].map(({ fn }) => [stack.getLogicalId(fn.node.defaultChild as CfnFunction), 60] as const),
      ]);
      const fns = template.findResources('AWS::Lambda::Function');
      const monthlyReport = stack.getLogicalId(stack.jobs.get('MonthlyReport')!.fn.node.defaultChild as CfnFunction);
      expect(Object.keys(fns).sort()).toEqual([...timeouts.keys()].sort());
      for (const [id, fn] of Object.entries(fns)) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          MemorySize: id === monthlyReport ? 1024 : 512,
          Timeout: timeouts.get(id),
          Handler: 'index.handler',
          Environment: {
            Variables: {
              TABLE_NAME: { Ref: tableId },
              ORG_TIMEZONE: 'America/New_York',
              ROLES_CLAIM: 'roles',
              TEAM_CLAIM: 'team',
              MAIL_FROM: 'ChangeFlow <changeflow@example.com>',
              STAKEHOLDER_EMAILS: expect.stringContaining('engineering=engineering@example.com'),
              HOLIDAY_COUNTRY: 'US',
              FRIDAY_CUTOFF: '14:00',
              POWERTOOLS_SERVICE_NAME: 'changeflow',
              POWERTOOLS_METRICS_NAMESPACE: 'ChangeFlow',
              NODE_OPTIONS: '--enable-source-maps',
            },
          },
        });
        expect(fn.Properties.Environment.Variables.HOLIDAY_REGION).toBeUndefined();
        expect(fn.Properties.Environment.Variables.SES_CONFIGURATION_SET).toBeUndefined();
      }
    });

    it('takes the time zone and claim names from props', () => {
      const { template: t } = synth({ calendar: { timeZone: 'Europe/Berlin' }, identity: { rolesClaim: 'cognito:groups', teamClaim: 'custom:team' } });
      t.allResourcesProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ ORG_TIMEZONE: 'Europe/Berlin', ROLES_CLAIM: 'cognito:groups', TEAM_CLAIM: 'custom:team' }) },
      });
    });

    it('gives every function its own log group with a retention', () => {
      for (const { fn } of [...stack.functions.values(), ...stack.jobs.values(), ...stack.workers.values()]) {
        const fnProps = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)].Properties;
        const logGroupId: string = fnProps.LoggingConfig.LogGroup.Ref;
        expect(template.toJSON().Resources[logGroupId]).toMatchObject({
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30 },
        });
      }
    });

    it('gives every function its own role without AWS managed policies (cdk-nag IAM4)', () => {
      const roleIds = new Set<string>();
      for (const { fn } of [...stack.functions.values(), ...stack.jobs.values(), ...stack.workers.values()]) {
        const fnProps = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)].Properties;
        roleIds.add(fnProps.Role['Fn::GetAtt'][0]);
      }
      expect(roleIds.size).toBe(ROUTE_GROUPS.length + SCHEDULED_JOBS.length + stack.workers.size);
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('least privilege on the table (tableAccess of ROUTE_GROUPS)', () => {
    it.each(ROUTE_GROUPS.filter((g) => g.tableAccess === 'read').map((g) => g.name))('read-only function %s may read but has no write action', (name) => {
      const actions = allowedActions(stack, template, name);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(actions.filter((a) => WRITE_ACTIONS.includes(a))).toEqual([]);
    });

    it.each(ROUTE_GROUPS.filter((g) => g.tableAccess === 'read-write').map((g) => g.name))(
      'read-write function %s may query and write with conditions (transactions need Put/Update/ConditionCheck)',
      (name) => {
        const actions = allowedActions(stack, template, name);
        expect(actions).toEqual(
          expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']),
        );
        expect(actions).not.toContain('dynamodb:*');
      },
    );

    it.each(ROUTE_GROUPS.map((g) => g.name))('function %s may not Scan the table (request paths Query indexes)', (name) => {
      const actions = allowedActions(stack, template, name);
      expect(actions.filter((a) => a === 'dynamodb:Scan' || a === 'dynamodb:*')).toEqual([]);
    });

    it.each(ROUTE_GROUPS.filter((g) => !g.tableDelete).map((g) => g.name))('function %s may not delete items (its group has no tableDelete)', (name) => {
      const actions = allowedActions(stack, template, name);
      expect(actions.filter((a) => a === 'dynamodb:DeleteItem' || a === 'dynamodb:BatchWriteItem' || a === 'dynamodb:PartiQLDelete')).toEqual([]);
    });

    it.each(ROUTE_GROUPS.filter((g) => g.tableDelete).map((g) => g.name))('function %s may delete items (its group has tableDelete)', (name) => {
      expect(allowedActions(stack, template, name)).toContain('dynamodb:DeleteItem');
    });

    it.each(ROUTE_GROUPS.filter((g) => g.tableAccess === 'none').map((g) => g.name))('function %s has no DynamoDB permission at all', (name) => {
      const actions = allowedActions(stack, template, name);
      expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    });

    it('the Meta function has no DynamoDB permission', () => {
      expect(ROUTE_GROUPS.find((g) => g.name === 'Meta')?.tableAccess).toBe('none');
      const actions = allowedActions(stack, template, 'Meta');
      expect(actions.length).toBeGreaterThan(0); // it does have its log and trace permissions
      expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    });

    it('no function may write logs outside its own log group', () => {
      for (const { role, fn } of [...stack.functions.values(), ...stack.jobs.values(), ...stack.workers.values()]) {
        const roleId = stack.getLogicalId(role.node.defaultChild as CfnRole);
        const fnProps = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)].Properties;
        const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
        const logStatements = Object.values(policies)
          .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
          .filter((s) => [s.Action].flat().some((a) => a.startsWith('logs:')));
        expect(logStatements).toEqual([
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [fnProps.LoggingConfig.LogGroup.Ref, 'Arn'] } },
        ]);
      }
    });
  });

  describe('the people directory (USER#…, ROLE#…), which no function writes', () => {
    /** Every statement, Allow and Deny, of the policies attached to a role. */
    const statementsOfRole = (role: { node: { defaultChild?: unknown } }) =>
      Object.values(
        template.findResources('AWS::IAM::Policy', {
          Properties: { Roles: Match.arrayWith([{ Ref: stack.getLogicalId(role.node.defaultChild as CfnRole) }]) },
        }),
      ).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const everyFunction = () => [
      ...[...stack.functions.values()].map((f) => ({ name: f.group.name, role: f.role })),
      ...[...stack.jobs.values()].map((j) => ({ name: j.job.name, role: j.role })),
      ...[...stack.workers.values()].map((w) => ({ name: w.name as string, role: w.role })),
    ];

    it('every role that may write the table is refused writes to the directory, explicitly; the others have no Deny to carry', () => {
      const deny = {
        Effect: 'Deny',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['USER#*', 'ROLE#*', 'EMAIL#*'] } },
      };
      const writers: string[] = [];
      for (const { name, role } of everyFunction()) {
        const statements = statementsOfRole(role);
        const writes = statements.filter((s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => WRITE_ACTIONS.includes(a)));
        const denies = statements.filter((s) => s.Effect === 'Deny');
        if (writes.length > 0) writers.push(name);
        expect(denies, name).toEqual(writes.length > 0 ? [deny] : []);
      }
      // the table's writers: the route groups and jobs that write, the task function, Notifications (its dedupe records), the webhook processor
      expect(writers.sort()).toEqual(
        [
          ...ROUTE_GROUPS.filter((g) => g.tableAccess === 'read-write').map((g) => g.name),
          ...SCHEDULED_JOBS.filter((j) => j.needs.writeTable).map((j) => j.name),
          'WorkflowTasks',
          'Notifications',
          'WebhookProcessor',
          'Outbound',
        ].sort(),
      );
    });

    it('those prefixes are the partition keys the directory adapter writes, profiles, email lookups and role memberships alike', async () => {
      const written: string[] = [];
      const db = {
        send: async (command: { input: { TransactItems?: { Put?: { Item: { pk: string } }; Delete?: { Key: { pk: string } } }[] } }) => {
          for (const item of command.input.TransactItems ?? []) written.push(item.Put?.Item.pk ?? item.Delete?.Key.pk ?? '');
          return {};
        },
      };
      await new DynamoDbDirectory(db as never, 'changeflow').put({ id: 'u1', name: 'Dana Lee', email: 'dana@example.com', roles: ['tech-lead', 'cto'] });
      expect(written).toEqual(['USER#u1', 'EMAIL#dana@example.com', 'ROLE#tech-lead', 'ROLE#cto']);
      expect(new Set(written.map((pk) => `${pk.split('#')[0]}#`))).toEqual(new Set(DIRECTORY_KEY_PREFIXES));
    });
  });

  describe('HTTP API', () => {
    const routes = () => Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);

    it('has exactly the route keys of ROUTE_GROUPS, no more, no fewer', () => {
      const expected = ROUTE_GROUPS.flatMap((g) => g.routes.map(routeKey)).sort();
      expect(
        routes()
          .map((r) => r.RouteKey)
          .sort(),
      ).toEqual(expected);
    });

    it('protects every non-public route with the JWT authorizer and leaves only the public ones open', () => {
      const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
      expect(Object.keys(authorizers)).toHaveLength(1);
      const authorizerId = Object.keys(authorizers)[0];
      const byKey = new Map(routes().map((r) => [r.RouteKey as string, r]));
      for (const route of ROUTE_GROUPS.flatMap((g) => g.routes)) {
        const r = byKey.get(routeKey(route));
        if (route.public) {
          expect(r, routeKey(route)).toMatchObject({ AuthorizationType: 'NONE' });
          expect(r?.AuthorizerId, routeKey(route)).toBeUndefined();
        } else {
          expect(r, routeKey(route)).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
        }
      }
    });

    it("sends each route to its own group's function", () => {
      const resources = template.toJSON().Resources;
      const byKey = new Map(routes().map((r) => [r.RouteKey as string, r]));
      for (const group of ROUTE_GROUPS) {
        const fnId = stack.getLogicalId(stack.functions.get(group.name)!.fn.node.defaultChild as CfnFunction);
        for (const route of group.routes) {
          const target = byKey.get(routeKey(route))?.Target;
          const integrationId: string = target['Fn::Join'][1][1].Ref;
          expect(resources[integrationId].Properties, routeKey(route)).toMatchObject({
            IntegrationType: 'AWS_PROXY',
            IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
            PayloadFormatVersion: '2.0',
          });
        }
      }
    });

    it('takes the JWT issuer and audience from props', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: ISSUER, Audience: AUDIENCE },
      });
    });

    it('refuses an issuer that is not https, an empty audience and an unknown time zone', () => {
      const app = new App({ context: SKIP_BUNDLING });
      expect(() => new ChangeflowStack(app, 'A', { identity: { issuer: 'http://idp.example.com/' } })).toThrow(
        /identity\.issuer \(-c jwtIssuer, JWT_ISSUER\): must be an https URL/,
      );
      expect(() => new ChangeflowStack(app, 'B', { identity: { audiences: [] } })).toThrow(
        /identity\.audiences \(-c jwtAudience, JWT_AUDIENCES\): must list at least one/,
      );
      expect(() => new ChangeflowStack(app, 'C', { calendar: { timeZone: 'Mars/Olympus' } })).toThrow(
        /calendar\.timeZone \(-c orgTimezone, ORG_TIMEZONE\): must be an IANA time zone/,
      );
      expect(() => new ChangeflowStack(app, 'D', { identity: { rolesClaim: ' ' } })).toThrow(
        /identity\.rolesClaim \(-c rolesClaim, ROLES_CLAIM\): must name a JWT claim/,
      );
    });

    it('logs every request of the default stage as JSON to a log group with a retention, and throttles it', () => {
      const stages = template.findResources('AWS::ApiGatewayV2::Stage');
      expect(Object.keys(stages)).toHaveLength(1);
      const stage = Object.values(stages)[0]!.Properties;
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      const logGroupId: string = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      const format = JSON.parse(stage.AccessLogSettings.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    });
    it('throttles each public route on its own, below the stage default; the authorised routes keep the stage default', () => {
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      const { DefaultRouteSettings: stageDefault, RouteSettings: perRoute } = stage!.Properties;
      const all = ROUTE_GROUPS.flatMap((g) => g.routes);
      const publicKeys = all
        .filter((r) => r.public)
        .map(routeKey)
        .sort();
      expect(publicKeys).toEqual(expect.arrayContaining(['GET /approvals/decide', 'POST /approvals/decide', 'GET /calendar.ics']));
      expect(Object.keys(perRoute).sort()).toEqual(publicKeys);
      for (const key of publicKeys) {
        expect(perRoute[key], key).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
        expect(perRoute[key].ThrottlingRateLimit, key).toBeLessThan(stageDefault.ThrottlingRateLimit);
        expect(perRoute[key].ThrottlingBurstLimit, key).toBeLessThan(stageDefault.ThrottlingBurstLimit);
      }
      for (const route of all.filter((r) => !r.public)) expect(perRoute[routeKey(route)], routeKey(route)).toBeUndefined();
      // CloudFormation refuses settings for a route key that does not exist yet: the stage comes after those routes
      const routeIds = new Map(Object.entries(template.findResources('AWS::ApiGatewayV2::Route')).map(([id, r]) => [r.Properties.RouteKey as string, id]));
      expect(stage!.DependsOn).toEqual(expect.arrayContaining(publicKeys.map((k) => routeIds.get(k))));
    });

    it('takes the limits from props and refuses public limits above the others', () => {
      const { template: t } = synth({ throttling: { rateLimit: 200, burstLimit: 400, publicRateLimit: 5, publicBurstLimit: 8 } });
      const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties;
      expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
      expect(stage.RouteSettings['GET /calendar.ics']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 8 });
      const app = new App({ context: SKIP_BUNDLING });
      expect(() => new ChangeflowStack(app, 'A', { throttling: { publicRateLimit: 60 } })).toThrow(
        /throttling\.publicRateLimit: must not exceed throttling\.rateLimit \(50\).*got 60; lower it, or raise rateLimit/,
      );
      expect(() => new ChangeflowStack(app, 'B', { throttling: { burstLimit: 10 } })).toThrow(
        /throttling\.publicBurstLimit: must not exceed throttling\.burstLimit \(10\)/,
      );
      expect(() => new ChangeflowStack(app, 'C', { throttling: { publicRateLimit: 0 } })).toThrow(
        /throttling\.publicRateLimit: must be a positive number, got 0/,
      );
    });
  });

  describe('alarms', () => {
    it("alarms on each function's Errors, each job's dead-letter queue, the notifications' dead-letter queue, each workflow's failed executions and the API's 5xx, each pointing to its runbook", () => {
      // per function its errors; per job, bus consumer and the relay a dead-letter queue; per workflow its failures; the API's 5xx
      template.resourceCountIs('AWS::CloudWatch::Alarm', ROUTE_GROUPS.length + 1 + 2 * SCHEDULED_JOBS.length + stack.workers.size + 5 + stack.workflows.size);
      const workerRunbooks = {
        WorkflowTasks: 'workflow-failed',
        EventRelay: 'event-relay-dlq',
        Notifications: 'notifications-dlq',
        WorkflowDriver: 'workflow-driver-dlq',
        WebhookProcessor: 'webhook-processor-dlq',
        Outbound: 'outbound-dlq',
      } as const;
      for (const { name, fn } of stack.workers.values()) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: stack.getLogicalId(fn.node.defaultChild as CfnFunction) } }],
          AlarmDescription: Match.stringLikeRegexp(`docs/runbooks/${workerRunbooks[name]}\\.md`),
        });
      }
      for (const { fn } of stack.jobs.values()) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: stack.getLogicalId(fn.node.defaultChild as CfnFunction) } }],
          AlarmDescription: Match.stringLikeRegexp('docs/runbooks/scheduled-job-dlq\\.md'),
        });
      }
      for (const { fn } of stack.functions.values()) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: stack.getLogicalId(fn.node.defaultChild as CfnFunction) } }],
          AlarmDescription: Match.stringLikeRegexp('docs/runbooks/api-5xx\\.md'),
        });
      }
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        AlarmDescription: Match.stringLikeRegexp('docs/runbooks/api-5xx\\.md'),
      });
    });

    it('notifies the alarm topic when one is given', () => {
      const topic = 'arn:aws:sns:eu-west-1:123456789012:on-call';
      const { template: t } = synth({ alarmTopicArn: topic });
      t.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topic] });
    });
  });
});

describe('the app (bin/app.ts)', () => {
  it('reads the mail, stakeholder and calendar settings from context', () => {
    const app = new App({
      context: {
        ...SKIP_BUNDLING,
        mailFrom: 'Change Desk <changes@corp.example>',
        sesIdentity: 'corp.example',
        sesConfigurationSet: 'changeflow-events',
        stakeholderEmails: 'engineering=eng@corp.example',
        holidayCountry: 'DE',
        holidayRegion: 'BY',
        fridayCutoff: '12:30',
      },
    });
    const template = Template.fromStack(buildChangeflowApp(app));
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MAIL_FROM: 'Change Desk <changes@corp.example>',
          SES_CONFIGURATION_SET: 'changeflow-events',
          STAKEHOLDER_EMAILS: 'engineering=eng@corp.example',
          HOLIDAY_COUNTRY: 'DE',
          HOLIDAY_REGION: 'BY',
          FRIDAY_CUTOFF: '12:30',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ses:SendEmail', Resource: Match.arrayWith([{ 'Fn::Join': ['', Match.arrayWith([':identity/corp.example'])] }]) }),
        ]),
      },
    });
  });

  it('reads the issuer, audiences, time zone and claim names from context', () => {
    const app = new App({
      context: {
        ...SKIP_BUNDLING,
        jwtIssuer: 'https://example.okta.com/oauth2/default',
        jwtAudience: 'api://changeflow, second',
        orgTimezone: 'Asia/Tokyo',
        rolesClaim: 'groups',
      },
    });
    const stack = buildChangeflowApp(app);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://example.okta.com/oauth2/default', Audience: ['api://changeflow', 'second'] },
    });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ORG_TIMEZONE: 'Asia/Tokyo', ROLES_CLAIM: 'groups', TEAM_CLAIM: 'team' }) },
    });
  });
});

describe('the GitHub App (integrations.githubApp)', () => {
  const envOf = (fn: { node: { defaultChild?: unknown } }, stack: ChangeflowStack, template: Template) =>
    template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)].Properties.Environment.Variables as Record<string, unknown>;
  it('off by default: no credentials secret, and no function is told of one', () => {
    const { stack, template } = synth();
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).some((id) => id.startsWith('GitHubAppCredentials'))).toBe(false);
    for (const { fn } of stack.workers.values()) expect(envOf(fn, stack, template).GITHUB_APP_SECRET_ID).toBeUndefined();
  });
  it('on: one secret, read by the webhook processor only, named in its environment', () => {
    const { stack, template } = synth({ integrations: { githubApp: true } });
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('GitHubAppCredentials'));
    expect(secrets).toHaveLength(1);
    const told = [...stack.workers.values(), ...stack.functions.values()].filter((f) => envOf(f.fn, stack, template).GITHUB_APP_SECRET_ID !== undefined);
    expect(told.map((f) => ('name' in f ? f.name : f.group.name))).toEqual(['WebhookProcessor']);
    expect(envOf(stack.workers.get('WebhookProcessor')!.fn, stack, template).GITHUB_APP_SECRET_ID).toEqual({ Ref: secrets[0] });
  });
});

describe('the Slack app (integrations.slackApp)', () => {
  const envOf = (fn: { node: { defaultChild?: unknown } }, stack: ChangeflowStack, template: Template) =>
    template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)].Properties.Environment.Variables as Record<string, unknown>;
  const told = (stack: ChangeflowStack, template: Template) =>
    [...stack.workers.values(), ...stack.functions.values()]
      .filter((f) => envOf(f.fn, stack, template).SLACK_APP_SECRET_ID !== undefined)
      .map((f) => ('name' in f ? f.name : f.group.name))
      .sort();
  it('off by default: no credentials secret, and no function is told of one', () => {
    const { stack, template } = synth();
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).some((id) => id.startsWith('SlackAppCredentials'))).toBe(false);
    expect(told(stack, template)).toEqual([]);
  });
  it('on: one secret, read by the webhooks function (the reason dialog), the webhook processor (the decisions) and Notifications (the messages) only', () => {
    const { stack, template } = synth({ integrations: { slackApp: true } });
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('SlackAppCredentials'));
    expect(secrets).toHaveLength(1);
    expect(told(stack, template)).toEqual(['Notifications', 'WebhookProcessor', 'Webhooks']);
    expect(envOf(stack.workers.get('Notifications')!.fn, stack, template).SLACK_APP_SECRET_ID).toEqual({ Ref: secrets[0] });
    const readers = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).some(
        (st) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource) === JSON.stringify({ Ref: secrets[0] }),
      ),
    );
    expect(readers).toHaveLength(3);
  });
});

describe('the bus rules', () => {
  it("each rule's event pattern is within EventBridge's default 2,048 characters (the outbound rule lists every event type)", () => {
    const { template } = synth();
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as { Properties: { EventPattern?: unknown } }[];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(2048);
  });
});
