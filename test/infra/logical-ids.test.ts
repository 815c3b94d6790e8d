/**
 * The logical IDs a deployed stack depends on. CloudFormation matches resources by logical ID: a
 * resource whose ID changes is created anew and the old one deleted, so a table, a secret, an
 * archive, a log group or a dead-letter queue would lose what it holds, and a named bus, the
 * `$default` stage or a route key would collide with the one still in place. These IDs were read from a synth of the stack before
 * it was split into constructs (lib/constructs/); any change to them is a migration, not a refactor.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { synth } from './synth.js';

/** The resources that hold data (or, for log groups, history): replacing one loses it. */
const STATEFUL: Record<string, string> = {
  TableCD117FA1: 'AWS::DynamoDB::Table',
  CalendarFeedKey086755B3: 'AWS::SecretsManager::Secret',
  ApprovalLinkKeyFBCEDBCA: 'AWS::SecretsManager::Secret',
  CursorKey255E8F8A: 'AWS::SecretsManager::Secret',
  WebhookSecretsC35BAB69: 'AWS::SecretsManager::Secret',
  OutboundSecrets094EF7C4: 'AWS::SecretsManager::Secret',
  ReportsBucket4E7C5994: 'AWS::S3::Bucket',
  EventBus7B8748AA: 'AWS::Events::EventBus',
  EventArchive336EADAF: 'AWS::Events::Archive',
  ApprovalWorkflow30253A34: 'AWS::StepFunctions::StateMachine',
  EmergencyWorkflow4236E3DF: 'AWS::StepFunctions::StateMachine',
  MonitoringWorkflow2825CF64: 'AWS::StepFunctions::StateMachine',
  // the state machines' execution logs
  ApprovalWorkflowLogs590EB25D: 'AWS::Logs::LogGroup',
  EmergencyWorkflowLogsC840C2CC: 'AWS::Logs::LogGroup',
  MonitoringWorkflowLogs811D61E1: 'AWS::Logs::LogGroup',
  // the API's access logs
  ApiAccessLogsE9DF007D: 'AWS::Logs::LogGroup',
  // each function's log group: the route groups, the scheduled jobs, the workers
  MetaLogsE2F6C92B: 'AWS::Logs::LogGroup',
  ChangesReadLogsD86AE50D: 'AWS::Logs::LogGroup',
  DeployGateLogsEEA35C91: 'AWS::Logs::LogGroup',
  ApprovalLinksLogs40DDA1F5: 'AWS::Logs::LogGroup',
  CalendarLogs49DDC4A8: 'AWS::Logs::LogGroup',
  FreezesLogs3B6F2F1B: 'AWS::Logs::LogGroup',
  ChangesWriteLogsDCD7168A: 'AWS::Logs::LogGroup',
  ChangesTransitionLogs71E28A38: 'AWS::Logs::LogGroup',
  ApprovalSweepLogs7EFA02CE: 'AWS::Logs::LogGroup',
  BlackoutCheckLogs2D6BCFB5: 'AWS::Logs::LogGroup',
  TimelineNotificationsLogsFCA94BA5: 'AWS::Logs::LogGroup',
  WorkflowTasksLogs4CF9E090: 'AWS::Logs::LogGroup',
  NotificationsLogs52294082: 'AWS::Logs::LogGroup',
  WorkflowReconcileLogs64DA96A4: 'AWS::Logs::LogGroup',
  EventRelayLogs0B65577F: 'AWS::Logs::LogGroup',
  WorkflowDriverLogs5B1D9AC0: 'AWS::Logs::LogGroup',
  WebhookProcessorLogsFDE74AD2: 'AWS::Logs::LogGroup',
  WebhooksLogs9743DB56: 'AWS::Logs::LogGroup',
  OutboundLogs5D6F8AF2: 'AWS::Logs::LogGroup',
  SubscriptionsLogs090F0305: 'AWS::Logs::LogGroup',
  ReportsLogs9113F99B: 'AWS::Logs::LogGroup',
  MonthlyReportLogs96D829BD: 'AWS::Logs::LogGroup',
};

/**
 * The dead-letter queues: a replaced queue is deleted with the failed runs and notifications that
 * wait in it for a person to look at them and replay them.
 */
const QUEUES: Record<string, string> = {
  ApprovalSweepDeadLetterQueueE863AF1B: 'AWS::SQS::Queue',
  BlackoutCheckDeadLetterQueueEE2FB433: 'AWS::SQS::Queue',
  TimelineNotificationsDeadLetterQueue7F860E75: 'AWS::SQS::Queue',
  NotificationsDeadLetterQueueEA018ACF: 'AWS::SQS::Queue',
  WorkflowReconcileDeadLetterQueue1937672A: 'AWS::SQS::Queue',
  EventRelayDeadLetterQueue64410756: 'AWS::SQS::Queue',
  WorkflowDriverDeadLetterQueue77263A10: 'AWS::SQS::Queue',
  WebhookProcessorDeadLetterQueue65277D6D: 'AWS::SQS::Queue',
  OutboundDeadLetterQueueA5A356DD: 'AWS::SQS::Queue',
  MonthlyReportDeadLetterQueue618E5886: 'AWS::SQS::Queue',
};

/**
 * Not data, but the API's address and its route keys: a new API has a new URL (every approval link
 * in a mailbox and every subscribed calendar would break), and a new stage or route would be
 * created while the old one still holds the `$default` name or the route key, which API Gateway refuses.
 */
const API: Record<string, string> = {
  HttpApiF5A9A8A7: 'AWS::ApiGatewayV2::Api',
  DefaultStageEE28A986: 'AWS::ApiGatewayV2::Stage',
  HttpApiJwtAuthorizer14F16BDB: 'AWS::ApiGatewayV2::Authorizer',
  HttpApiGEThealthAB1F4856: 'AWS::ApiGatewayV2::Route',
  HttpApiGETtemplateschangerequestmd9D0E6C5C: 'AWS::ApiGatewayV2::Route',
  HttpApiGETopenapijsonF2409AE2: 'AWS::ApiGatewayV2::Route',
  HttpApiGETchanges0E1E89A4: 'AWS::ApiGatewayV2::Route',
  HttpApiGETchangesid7193A560: 'AWS::ApiGatewayV2::Route',
  HttpApiGETchangesidgate890D142D: 'AWS::ApiGatewayV2::Route',
  HttpApiGETchangesidslotsCABA6834: 'AWS::ApiGatewayV2::Route',
  HttpApiGETapprovalsdecide6A37C977: 'AWS::ApiGatewayV2::Route',
  HttpApiPOSTapprovalsdecide9ED163F6: 'AWS::ApiGatewayV2::Route',
  HttpApiGETcalendarE2DC3879: 'AWS::ApiGatewayV2::Route',
  HttpApiGETcalendarstate9640D36E: 'AWS::ApiGatewayV2::Route',
  HttpApiGETcalendarics9631089C: 'AWS::ApiGatewayV2::Route',
  HttpApiPOSTcalendareventsE282FE0F: 'AWS::ApiGatewayV2::Route',
  HttpApiDELETEcalendareventsid382B0995: 'AWS::ApiGatewayV2::Route',
  HttpApiPOSTchanges5D62875B: 'AWS::ApiGatewayV2::Route',
  HttpApiPATCHchangesid031FF3ED: 'AWS::ApiGatewayV2::Route',
  HttpApiPOSTchangesidaction7EECF74C: 'AWS::ApiGatewayV2::Route',
};

describe('logical IDs a deployed stack keeps', () => {
  let resources: Record<string, { Type: string }>;

  beforeAll(() => {
    resources = synth().template.toJSON().Resources;
  });

  const idsOfTypes = (pinned: Record<string, string>) => {
    const types = new Set(Object.values(pinned));
    return Object.entries(resources)
      .filter(([, r]) => types.has(r.Type))
      .map(([id]) => id)
      .sort();
  };

  it.each(Object.entries({ ...STATEFUL, ...QUEUES, ...API }))('%s is still a %s', (id, type) => {
    expect(resources[id]?.Type).toBe(type);
  });

  it('the stateful resources of the stack are exactly these: a new one gets its pin here, deliberately', () => {
    expect(idsOfTypes(STATEFUL)).toEqual(Object.keys(STATEFUL).sort());
  });

  it('so are the dead-letter queues', () => {
    expect(idsOfTypes(QUEUES)).toEqual(Object.keys(QUEUES).sort());
  });

  it('so are the API, its stage and its authorizer; the routes it had keep their ids (new routes are added beside them)', () => {
    const kept = idsOfTypes(API);
    expect(kept).toEqual(expect.arrayContaining(Object.keys(API).sort()));
    expect(kept.filter((id) => resources[id]!.Type !== 'AWS::ApiGatewayV2::Route')).toEqual(
      Object.keys(API)
        .filter((id) => API[id] !== 'AWS::ApiGatewayV2::Route')
        .sort(),
    );
  });
});
