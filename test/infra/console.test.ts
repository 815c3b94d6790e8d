/**
 * The console's stack: a private bucket behind CloudFront with origin access control, the API behind
 * the same distribution on every top-level path of the route table, the console's CSP, and the OIDC
 * client the page signs in with.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/routes.js';
import { buildChangeflowStacks } from '../../lib/app.js';
import { ISSUER, SKIP_BUNDLING } from './synth.js';

function build(context: Record<string, string> = {}) {
  const app = new App({ context: { ...SKIP_BUNDLING, jwtIssuer: ISSUER, jwtAudience: 'aud-api,aud-other', ...context } });
  return buildChangeflowStacks(app);
}

const { console: consoleStack } = build();
const template = Template.fromStack(consoleStack!);
const distribution = () => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

/** CloudFront's path pattern match: `*` any run of characters, `?` one. */
const matches = (pattern: string, path: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(path);

describe('the console stack', () => {
  it('keeps the files in a bucket no one reaches but CloudFront, through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: Match.objectLike({ StringEquals: Match.anyValue() }),
          }),
        ]),
      },
    });
    const d = distribution();
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(d.Logging).toBeDefined();
  });

  it('sends every route of the API to the API, uncached and with every header but Host, and nothing of the console', () => {
    const behaviours = distribution().CacheBehaviors as {
      PathPattern: string;
      AllowedMethods: string[];
      CachePolicyId: string;
      OriginRequestPolicyId: string;
    }[];
    const paths = ROUTE_GROUPS.flatMap((g) => g.routes.map((r) => r.path.replace(/\{[^}]+\}/g, 'x')));
    for (const path of paths)
      expect(
        behaviours.some((b) => matches(b.PathPattern, path)),
        path,
      ).toBe(true);
    for (const path of ['/', '/index.html', '/assets/index-abc.js', '/console-config.json'])
      expect(
        behaviours.some((b) => matches(b.PathPattern, path)),
        path,
      ).toBe(false);
    for (const b of behaviours) {
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
      // AWS's managed CachingDisabled and AllViewerExceptHostHeader policies
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      expect(b.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    }
  });

  it('serves the page with a CSP that allows no inline script or style, and connects only to itself and the identity provider', () => {
    const policy = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties.ResponseHeadersPolicyConfig;
    const csp: string = policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(policy.SecurityHeadersConfig.StrictTransportSecurity.Override).toBe(true);
  });

  it("tells the page to sign in with the API's issuer, as the first audience unless consoleClientId says otherwise", () => {
    expect(consoleStack!.console.pageConfig).toMatchObject({
      auth: 'oidc',
      oidc: { issuer: ISSUER, clientId: 'aud-api', scope: 'openid email profile' },
      timeZone: 'America/New_York',
    });
    const other = build({ consoleClientId: 'aud-other' }).console!;
    expect(other.console.pageConfig).toMatchObject({ oidc: { clientId: 'aud-other' } });
  });

  it('is left out with -c console=false', () => {
    expect(build({ console: 'false' }).console).toBeUndefined();
  });
});

describe('the email links sign-in, in AWS', () => {
  it('gives the link function the issuer and audiences to check a signed-in approver with, and the LINK_SIGN_IN setting', () => {
    const { service } = build({ linkSignIn: 'always' });
    const t = Template.fromStack(service);
    const fn = t.findResources('AWS::Lambda::Function')[service.getLogicalId(service.functions.get('ApprovalLinks')!.fn.node.defaultChild as never)]!;
    expect(fn.Properties.Environment.Variables).toMatchObject({ JWT_ISSUER: ISSUER, JWT_AUDIENCES: 'aud-api,aud-other', LINK_SIGN_IN: 'always' });
    expect(() => build({ linkSignIn: 'sometimes' })).toThrow(/LINK_SIGN_IN/);
  });
});
