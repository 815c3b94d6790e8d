/**
 * The console's Content-Security-Policy, one definition for both places that serve the page: the
 * local server (local/console.ts) and CloudFront's response headers policy (lib/constructs/console.ts).
 * No inline script or style; connections to the page's own origin (the API) and to whatever the
 * sign-in needs besides (in AWS, the identity provider's origin).
 */
export function consoleCsp(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${connect.length ? ` ${connect.join(' ')}` : ''}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
