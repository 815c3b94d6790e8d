/**
 * Builds the ChangeFlow CDK app from context: used by `bin/app.ts` and by the infra tests, so the
 * tests check the app exactly as `cdk synth` builds it (cdk-nag included). The context keys are
 * those of SETTINGS in lib/settings.ts (`-c key=value` or `cdk.json`), plus `stackName`; unset
 * keys fall back to the stack's defaults.
 */
import { type App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolve } from 'node:path';
import { DEFAULT_COMPONENTS } from '../functions/core/vocabulary.js';
import { ChangeflowStack } from './changeflow-stack.js';
import { ChangeflowConsoleStack } from './console-stack.js';
import { propsFromContext, resolveSettings } from './settings.js';

/** Context key of the stack's name: give a second copy of the stack (staging) its own. */
export const STACK_NAME_CONTEXT_KEY = 'stackName';

/** Context key that leaves the console's stack out (`-c console=false`): the API alone. */
export const CONSOLE_CONTEXT_KEY = 'console';

export function buildChangeflowApp(app: App, env?: Environment): ChangeflowStack {
  return buildChangeflowStacks(app, env).service;
}

/** The service's stack and, unless `-c console=false`, the console's (`<stackName>-Console`). */
export function buildChangeflowStacks(app: App, env?: Environment): { service: ChangeflowStack; console: ChangeflowConsoleStack | undefined } {
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const stackName = context(STACK_NAME_CONTEXT_KEY);
  const name = typeof stackName === 'string' && stackName !== '' ? stackName : 'ChangeFlow';
  const props = propsFromContext(context);
  const stack = new ChangeflowStack(app, name, {
    env,
    description: 'ChangeFlow: change management as a service (API, functions, scheduled jobs, workflows, event bus, table)',
    ...props,
  });
  let consoleStack: ChangeflowConsoleStack | undefined;
  if (String(context(CONSOLE_CONTEXT_KEY) ?? 'true') !== 'false') {
    const settings = resolveSettings(props);
    consoleStack = new ChangeflowConsoleStack(app, `${name}-Console`, {
      env,
      description: 'ChangeFlow: the web console (S3 behind CloudFront with origin access control, the API on the same origin)',
      api: stack.api,
      distDir: resolve(import.meta.dirname, '../console/dist'),
      config: {
        issuer: settings.identity.issuer,
        clientId: settings.identity.consoleClientId,
        scope: 'openid email profile',
        timeZone: settings.timeZone,
        components: (settings.environment.COMPONENTS ?? DEFAULT_COMPONENTS.join(','))
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      },
    });
  }

  // AWS Solutions checks: any unacknowledged error stops the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { service: stack, console: consoleStack };
}
