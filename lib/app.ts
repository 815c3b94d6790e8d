/**
 * Builds the ChangeFlow CDK app from context: used by `bin/app.ts` and by the infra tests, so the
 * tests check the app exactly as `cdk synth` builds it (cdk-nag included). The context keys are
 * those of SETTINGS in lib/settings.ts (`-c key=value` or `cdk.json`), plus `stackName`; unset
 * keys fall back to the stack's defaults.
 */
import { type App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChangeflowStack } from './changeflow-stack.js';
import { propsFromContext } from './settings.js';

/** Context key of the stack's name: give a second copy of the stack (staging) its own. */
export const STACK_NAME_CONTEXT_KEY = 'stackName';

export function buildChangeflowApp(app: App, env?: Environment): ChangeflowStack {
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const stackName = context(STACK_NAME_CONTEXT_KEY);
  const stack = new ChangeflowStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : 'ChangeFlow', {
    env,
    description: 'ChangeFlow: change management as a service (API, functions, scheduled jobs, workflows, event bus, table)',
    ...propsFromContext(context),
  });

  // AWS Solutions checks: any unacknowledged error stops the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
