/**
 * Linear's GraphQL API (linear.app/developers/graphql): an API key in `Authorization`. The issue of
 * a change gets its id from ChangeFlow (core/tracker-mirror.ts `linearIssueId`: Linear takes a
 * client's UUID), so a create retried after a lost answer finds the issue it made. Plain queries,
 * not @linear/sdk: the SDK bundles to 1.6 MB, past the functions' 600 KB.
 */
import { type IssueRef, linearIssueId, type TeamMirror } from '../../core/tracker-mirror.js';
import { type IssueTracker, TrackerError } from '../../ports.js';
import { trackerCall } from './http.js';

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; type?: string } }[];
}

export class LinearTracker implements IssueTracker {
  readonly tracker = 'linear' as const;
  /** Workflow state ids by team and name, read once per process. */
  private readonly states = new Map<string, string | null>();

  constructor(
    private readonly apiKey: () => Promise<string>,
    private readonly apiUrl = 'https://api.linear.app/graphql',
  ) {}

  private async post<T>(query: string, variables: Record<string, unknown>): Promise<Answer<T>> {
    return trackerCall<Answer<T>>('Linear', this.apiUrl, { method: 'POST', headers: { authorization: await this.apiKey() }, body: { query, variables } });
  }

  /** GraphQL's errors as a TrackerError: a rate limit is retried, the rest refused. */
  private static failure(errors: NonNullable<Answer<unknown>['errors']>): TrackerError {
    const limited = errors.some((e) => e.extensions?.code === 'RATELIMITED');
    return new TrackerError(
      `Linear: ${errors
        .map((e) => e.message)
        .join('; ')
        .slice(0, 300)}`,
      limited,
    );
  }

  private async gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const out = await this.post<T>(query, variables);
    if (out.errors?.length) throw LinearTracker.failure(out.errors);
    return out.data as T;
  }

  async find(changeId: string): Promise<IssueRef | null> {
    const out = await this.post<{ issue: { id: string; identifier: string; url: string } | null }>(
      'query Issue($id: String!) { issue(id: $id) { id identifier url } }',
      { id: linearIssueId(changeId) },
    );
    const issue = out.data?.issue;
    if (issue) return { id: issue.id, key: issue.identifier, url: issue.url };
    // Linear answers an unknown id with an "Entity not found" error; any other error is one
    const other = (out.errors ?? []).filter((e) => !/not found/i.test(e.message));
    if (other.length) throw LinearTracker.failure(other);
    return null;
  }

  async create(input: { changeId: string; title: string; description: string[] }, where: TeamMirror): Promise<IssueRef> {
    if (where.tracker !== 'linear') throw new Error('not a Linear mirror');
    const data = await this.gql<{ issueCreate: { success: boolean; issue: { id: string; identifier: string; url: string } } }>(
      'mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }',
      { input: { id: linearIssueId(input.changeId), teamId: where.team, title: input.title, description: input.description.join('\n\n') } },
    );
    const issue = data.issueCreate.issue;
    return { id: issue.id, key: issue.identifier, url: issue.url };
  }

  async setStatus(issue: IssueRef, status: string, where: TeamMirror): Promise<boolean> {
    if (where.tracker !== 'linear') return false;
    const cacheKey = `${where.team}:${status.toLowerCase()}`;
    if (!this.states.has(cacheKey)) {
      const data = await this.gql<{ workflowStates: { nodes: { id: string; name: string }[] } }>(
        'query States($team: ID!, $name: String!) { workflowStates(filter: { team: { id: { eq: $team } }, name: { eqIgnoreCase: $name } }) { nodes { id name } } }',
        { team: where.team, name: status },
      );
      this.states.set(cacheKey, data.workflowStates.nodes[0]?.id ?? null);
    }
    const stateId = this.states.get(cacheKey);
    if (!stateId) return false;
    await this.update(issue, { stateId });
    return true;
  }

  async setTitle(issue: IssueRef, title: string): Promise<void> {
    await this.update(issue, { title });
  }

  async comment(issue: IssueRef, text: string): Promise<void> {
    await this.gql('mutation Comment($input: CommentCreateInput!) { commentCreate(input: $input) { success } }', { input: { issueId: issue.id, body: text } });
  }

  private async update(issue: IssueRef, input: Record<string, unknown>): Promise<void> {
    await this.gql('mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }', {
      id: issue.id,
      input,
    });
  }
}
