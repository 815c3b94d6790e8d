/**
 * The one Node.js major the project runs on: Lambda's runtime, the esbuild target of every bundle,
 * and the binary the tests and `npm start` run on (package.json pins the official build of the
 * same major from the npm registry, so a machine with an older Node still runs this one).
 */
import { Runtime } from 'aws-cdk-lib/aws-lambda';

export const NODE_MAJOR = 24;
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
/** esbuild's target for the Lambda bundles. */
export const BUNDLE_TARGET = `node${NODE_MAJOR}`;
