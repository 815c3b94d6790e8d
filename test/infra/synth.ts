/** What the infra tests share: synthesising the stack without bundling, and reading IAM statements. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChangeflowStack, type ChangeflowStackProps } from '../../lib/changeflow-stack.js';

/** Infra tests check the template, not the bundles: skip esbuild. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
export const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool';

export function synth(props: ChangeflowStackProps = {}): { stack: ChangeflowStack; template: Template } {
  const app = new App({ context: SKIP_BUNDLING });
  const stack = new ChangeflowStack(app, 'Test', { ...props, identity: { issuer: ISSUER, ...props.identity } });
  return { stack, template: Template.fromStack(stack) };
}

export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
export const actionsOf = (s: Statement) => [s.Action].flat();
export const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
