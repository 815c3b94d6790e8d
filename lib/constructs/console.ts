/**
 * The web console in AWS: the built files (console/dist) in a private bucket, served by CloudFront
 * through origin access control, and the API behind the same distribution (one behaviour per
 * top-level path of the route table), so the console calls the API on its own origin: no CORS, one
 * Content-Security-Policy. console-config.json tells the page to sign in with the OIDC provider the
 * API's JWT authorizer trusts (authorization code with PKCE).
 */
import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { consoleCsp } from '../../console/security.js';
import { ROUTE_GROUPS } from '../../functions/routes.js';
import { acknowledge } from './nag.js';

export interface ChangeflowConsoleProps {
  api: HttpApi;
  /** The built console (console/dist). */
  distDir: string;
  /** What console-config.json says: the OIDC issuer and client, the organisation's time zone, the components. */
  config: { issuer: string; clientId: string; scope: string; timeZone: string; components: readonly string[] };
}

/** The API's top-level paths, from the one route table: `/changes*`, `/calendar*`, … (CloudFront path patterns). */
export function apiPathPatterns(): string[] {
  const firsts = new Set(ROUTE_GROUPS.flatMap((g) => g.routes.map((r) => r.path.split('/')[1]!.split('.')[0]!)));
  return [...firsts].sort().map((p) => `/${p}*`);
}

export class ChangeflowConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** What console-config.json holds. */
  readonly pageConfig: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ChangeflowConsoleProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // the files are rebuilt from the repository at every deploy
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    acknowledge(this.bucket, 'S1', "The console's built files, replaced at every deploy; CloudFront's access log records each request for them.");

    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logging writes with an ACL
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(logs, 'S1', 'This is the access-log bucket itself: logging it into itself would loop.');

    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleCsp([new URL(props.config.issuer).origin]), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    const apiBehavior: BehaviorOptions = {
      origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // every request reaches the API as sent (the Authorization header, the query, the body a signature covers)
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'ChangeFlow console and API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns().map((p) => [p, apiBehavior])),
    });
    acknowledge(this.distribution, 'CFR1', 'Change management is used wherever the team works; no country is to be refused.');
    acknowledge(
      this.distribution,
      'CFR2',
      'The API behind it has its own throttling and JWT authorizer; a WAF web ACL is for the team to add with its own rules (docs/deploy.md).',
    );
    acknowledge(
      this.distribution,
      'CFR4',
      "The default *.cloudfront.net certificate allows TLS 1.0 for old viewers; a team's own domain and certificate set TLSv1.2_2021 (docs/deploy.md).",
    );

    this.pageConfig = {
      auth: 'oidc',
      timeZone: props.config.timeZone,
      components: [...props.config.components],
      oidc: { issuer: props.config.issuer, clientId: props.config.clientId, scope: props.config.scope },
    };
    new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [Source.asset(props.distDir), Source.jsonData('console-config.json', this.pageConfig)],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/console-config.json'],
      prune: true,
      memoryLimit: 256,
    });
    // the CDK's own deployment function (one per stack, Python, managed by the CDK)
    const provider = Stack.of(this)
      .node.children.filter((c: IConstruct) => c.node.id.startsWith('Custom::CDKBucketDeployment'))
      .at(0);
    if (provider) {
      const cdkOwn = "The CDK's BucketDeployment function, which runs only during a deploy";
      acknowledge(provider, 'L1', `${cdkOwn}, runs the runtime the CDK release pins.`);
      acknowledge(
        provider,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${cdkOwn}, writes its own logs with AWS's basic execution role.`,
      );
      const stack = Stack.of(this);
      const files = `<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`;
      // cdk-nag names the bootstrap assets bucket with the account and region when they are known
      const known = (v: string, placeholder: string) => (Token.isUnresolved(v) ? placeholder : v);
      const assets = `cdk-hnb659fds-assets-${known(stack.account, '<AWS::AccountId>')}-${known(stack.region, '<AWS::Region>')}`;
      for (const finding of [
        'Resource::*',
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::arn:<AWS::Partition>:s3:::${assets}/*`,
        `Resource::${files}`,
      ]) {
        acknowledge(
          provider,
          `IAM5[${finding}]`,
          `${cdkOwn}, copies the console's files from the CDK's assets bucket into its own bucket and invalidates the distribution.`,
        );
      }
    }
  }
}
