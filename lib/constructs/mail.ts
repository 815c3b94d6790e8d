/** Who may send email, and as which SES identity: no resource, only the scope of ses:SendEmail. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ChangeflowFunction } from './function.js';

export interface ChangeflowMailProps {
  /** The domain or address the senders send as. */
  readonly sesIdentity: string;
  /**
   * The configuration set every email goes through.
   *
   * @default - none
   */
  readonly configurationSet?: string;
}

export class ChangeflowMail extends Construct {
  /** What ses:SendEmail is allowed on: the identity, and the configuration set if there is one. */
  readonly sendResources: readonly string[];

  constructor(scope: Construct, id: string, props: ChangeflowMailProps) {
    super(scope, id);
    const arn = (resource: string, resourceName: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.sendResources = [
      arn('identity', props.sesIdentity),
      ...(props.configurationSet !== undefined ? [arn('configuration-set', props.configurationSet)] : []),
    ];
  }

  /** ses:SendEmail as the sending identity only, never on "*" (which would send as any verified identity). */
  grantSend(fn: ChangeflowFunction): void {
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [...this.sendResources] }));
  }
}
