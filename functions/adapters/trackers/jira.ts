/**
 * Jira Cloud's REST API v3 (developer.atlassian.com/cloud/jira/platform/rest/v3): basic auth with
 * an account's email and API token. The issue of a change carries the labels `changeflow` and the
 * change id, so a create retried after a lost answer finds the issue it made (JQL search).
 * Descriptions and comments are Atlassian Document Format, one paragraph per line.
 */
import type { IssueRef, TeamMirror } from '../../core/tracker-mirror.js';
import type { IssueTracker } from '../../ports.js';
import { trackerCall } from './http.js';

const adf = (lines: string[]) => ({
  type: 'doc',
  version: 1,
  content: lines.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
});

export class JiraTracker implements IssueTracker {
  readonly tracker = 'jira' as const;

  constructor(
    /** `https://<site>.atlassian.net` */
    private readonly baseUrl: string,
    private readonly credentials: () => Promise<{ email: string; apiToken: string }>,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { email, apiToken } = await this.credentials();
    return trackerCall<T>('Jira', `${this.baseUrl.replace(/\/$/, '')}/rest/api/3${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}` },
      body,
    });
  }

  private ref(issue: { id: string; key: string }): IssueRef {
    return { id: issue.id, key: issue.key, url: `${this.baseUrl.replace(/\/$/, '')}/browse/${issue.key}` };
  }

  async find(changeId: string, where: TeamMirror): Promise<IssueRef | null> {
    const project = where.tracker === 'jira' ? where.project : '';
    const out = await this.call<{ issues?: { id: string; key: string }[] }>('POST', '/search/jql', {
      jql: `project = "${project}" AND labels = "${changeId}"`,
      fields: ['summary'],
      maxResults: 1,
    });
    const found = out.issues?.[0];
    return found ? this.ref(found) : null;
  }

  async create(input: { changeId: string; title: string; description: string[] }, where: TeamMirror): Promise<IssueRef> {
    if (where.tracker !== 'jira') throw new Error('not a Jira mirror');
    const out = await this.call<{ id: string; key: string }>('POST', '/issue', {
      fields: {
        project: { key: where.project },
        issuetype: { name: where.issueType ?? 'Task' },
        summary: input.title,
        labels: ['changeflow', input.changeId],
        description: adf(input.description),
      },
    });
    return this.ref(out);
  }

  async setStatus(issue: IssueRef, status: string): Promise<boolean> {
    const now = await this.call<{ fields?: { status?: { name?: string } } }>('GET', `/issue/${issue.key}?fields=status`);
    if (now.fields?.status?.name?.toLowerCase() === status.toLowerCase()) return true;
    const { transitions = [] } = await this.call<{ transitions?: { id: string; name: string; to?: { name?: string } }[] }>(
      'GET',
      `/issue/${issue.key}/transitions`,
    );
    const way = transitions.find((t) => t.to?.name?.toLowerCase() === status.toLowerCase());
    if (!way) return false;
    await this.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: way.id } });
    return true;
  }

  async setTitle(issue: IssueRef, title: string): Promise<void> {
    await this.call('PUT', `/issue/${issue.key}`, { fields: { summary: title } });
  }

  async comment(issue: IssueRef, text: string): Promise<void> {
    await this.call('POST', `/issue/${issue.key}/comment`, { body: adf([text]) });
  }
}
