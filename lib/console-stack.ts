/**
 * The web console's stack: its own, beside the API's, so the service's stack stays what its tests
 * pin (its functions, roles and alarms) and a team may deploy the API without the console. It takes
 * the API from the ChangeFlow stack (a cross-stack reference) and puts both behind one CloudFront
 * distribution (lib/constructs/console.ts).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { ChangeflowConsole, type ChangeflowConsoleProps } from './constructs/console.js';

export interface ChangeflowConsoleStackProps extends StackProps {
  api: HttpApi;
  distDir: string;
  config: ChangeflowConsoleProps['config'];
}

export class ChangeflowConsoleStack extends Stack {
  readonly console: ChangeflowConsole;

  constructor(scope: Construct, id: string, props: ChangeflowConsoleStackProps) {
    super(scope, id, props);
    this.console = new ChangeflowConsole(this, 'Console', { api: props.api, distDir: props.distDir, config: props.config });
    new CfnOutput(this, 'ConsoleUrl', {
      description: 'The web console, with the API on the same origin (docs/console.md); register <ConsoleUrl> as a redirect URI of the OIDC client',
      value: `https://${this.console.distribution.distributionDomainName}/`,
    });
    new CfnOutput(this, 'ConsoleBucketName', { description: "The console's files (replaced at every deploy)", value: this.console.bucket.bucketName });
  }
}
