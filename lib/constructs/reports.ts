/**
 * The monthly reports' bucket (docs/reports.md): versioned, so a regenerated month keeps its
 * earlier versions; encrypted; reachable only over TLS and never public. The files are read
 * through the API (GET /reports/{month}/{file}), whose access log records each read.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ChangeflowFunction } from './function.js';
import { acknowledge } from './nag.js';

export class ChangeflowReports extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A child of the stack, not of this construct: its logical ID stays pinned (test/infra/logical-ids.test.ts).
    this.bucket = new Bucket(Stack.of(this), 'ReportsBucket', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // a report's earlier versions for a year and a bit: as long as the trends compare
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(400), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      'S1',
      'The reports are read through the API (GET /reports/{month}/{file}), whose access log names each read; the bucket takes no requests but from the two functions granted it.',
    );
  }

  /**
   * Reads (GET /reports…) or also writes (the job, POST /reports/{month}) the objects under
   * `reports/`, and lists that prefix: exactly those actions, no wildcard action. REPORTS_BUCKET
   * names the bucket.
   */
  grant(fn: ChangeflowFunction, access: 'read' | 'read-write'): void {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', ...(access === 'read-write' ? ['s3:PutObject'] : [])],
        resources: [this.bucket.arnForObjects('reports/*')],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['reports/*'] } } }),
    );
    acknowledge(
      fn.role,
      `IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/reports/*]`,
      "The wildcard is the reports' own prefix of the reports bucket: one object per month and file, named by the month.",
    );
    fn.addEnvironment('REPORTS_BUCKET', this.bucket.bucketName);
  }
}
