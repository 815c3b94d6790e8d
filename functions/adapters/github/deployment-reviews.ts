/**
 * GitHubDeployments as a GitHub App: `@octokit/app` signs the app's JWT, which asks for an
 * installation token narrowed to the one repository and `deployments: write`
 * (`POST /app/installations/{id}/access_tokens`); the token posts the review or the status report to
 * the run's `deployment_callback_url` (integrations.md §1.3). The token goes to the GitHub API's
 * own host only: a callback URL elsewhere is refused.
 */
import { App } from '@octokit/app';
import { Octokit } from '@octokit/core';
import type { GitHubDeployments, ProtectionRequest } from '../../ports.js';

export interface GitHubAppCredentials {
  appId: string;
  privateKey: string;
}

export class GitHubAppDeployments implements GitHubDeployments {
  private app: Promise<App> | undefined;

  constructor(
    private readonly credentials: () => Promise<GitHubAppCredentials>,
    /** https://api.github.com, or a GitHub Enterprise Server's `https://<host>/api/v3`. */
    private readonly apiUrl: string,
  ) {}

  async review(request: ProtectionRequest, answer: { state?: 'approved' | 'rejected' | undefined; comment: string }): Promise<void> {
    if (new URL(request.callbackUrl).origin !== new URL(this.apiUrl).origin) {
      throw new Error(`the callback ${request.callbackUrl} is not on ${this.apiUrl}: no installation token is sent there`);
    }
    const app = await this.appOf();
    const { data } = await app.octokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: request.installationId,
      ...(request.repositoryId ? { repository_ids: [request.repositoryId] } : {}),
      permissions: { deployments: 'write' },
    });
    const installation = new Octokit({ auth: data.token, baseUrl: this.apiUrl });
    await installation.request(`POST ${request.callbackUrl}`, {
      environment_name: request.environment,
      comment: answer.comment,
      ...(answer.state ? { state: answer.state } : {}),
      headers: { 'x-github-api-version': '2022-11-28' },
    });
  }

  private appOf(): Promise<App> {
    this.app ??= this.credentials()
      .then(({ appId, privateKey }) => new App({ appId, privateKey, Octokit: Octokit.defaults({ baseUrl: this.apiUrl }) }))
      .catch((err: unknown) => {
        // the secret could not be read: the next delivery tries again
        this.app = undefined;
        throw err;
      });
    return this.app;
  }
}
