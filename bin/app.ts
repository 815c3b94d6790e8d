#!/usr/bin/env node
/**
 * The ChangeFlow CDK app (`npx cdk synth`, `npx cdk deploy`). Settings come from context; see
 * docs/deploy.md and SETTINGS in lib/settings.ts.
 */
import { App } from 'aws-cdk-lib';
import { buildChangeflowApp } from '../lib/app.js';
import { buildConsole } from '../local/console.js';

// the console's files are an asset of the stack: built first (Vite), when its sources changed
await buildConsole();
const app = new App();
buildChangeflowApp(app, { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION });
