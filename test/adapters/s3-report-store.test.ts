/** S3ReportStore with the SDK's own mock: what it sends S3, and what it makes of S3's answers. */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ReportStore } from '../../functions/adapters/aws/s3-report-store.js';

const s3 = mockClient(S3Client);
const store = new S3ReportStore(new S3Client({ region: 'us-east-1' }), 'reports-bucket');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const files = [
  { name: 'report.md', contentType: 'text/markdown; charset=utf-8', body: '# Change Management Report - November 2026\n' },
  { name: 'report.json', contentType: 'application/json', body: '{"figures":{}}\n' },
];

describe('Class: S3ReportStore', () => {
  beforeEach(() => s3.reset());

  it('writes each new file under reports/<month>/ with its type and content hash', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    s3.on(PutObjectCommand).resolves({});
    expect(await store.put('2026-11', files)).toEqual({ unchanged: false });
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toEqual([
      {
        Bucket: 'reports-bucket',
        Key: 'reports/2026-11/report.md',
        Body: files[0]!.body,
        ContentType: files[0]!.contentType,
        Metadata: { sha256: sha(files[0]!.body) },
      },
      {
        Bucket: 'reports-bucket',
        Key: 'reports/2026-11/report.json',
        Body: files[1]!.body,
        ContentType: files[1]!.contentType,
        Metadata: { sha256: sha(files[1]!.body) },
      },
    ]);
  });

  it('a regeneration with the same content writes nothing (no new version); a changed file only is written', async () => {
    s3.on(HeadObjectCommand, { Key: 'reports/2026-11/report.md' }).resolves({ Metadata: { sha256: sha(files[0]!.body) } });
    s3.on(HeadObjectCommand, { Key: 'reports/2026-11/report.json' }).resolves({ Metadata: { sha256: sha(files[1]!.body) } });
    expect(await store.put('2026-11', files)).toEqual({ unchanged: true });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    s3.on(HeadObjectCommand, { Key: 'reports/2026-11/report.json' }).resolves({ Metadata: { sha256: sha('an older json') } });
    s3.on(PutObjectCommand).resolves({});
    expect(await store.put('2026-11', files)).toEqual({ unchanged: false });
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['reports/2026-11/report.json']);
  });

  it('an S3 failure other than "not there" is not taken for "not there"', async () => {
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(store.put('2026-11', files)).rejects.toThrow('Access Denied');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('reads a file back with its type; a missing one is null', async () => {
    s3.on(GetObjectCommand, { Key: 'reports/2026-11/report.md' }).resolves({
      ContentType: 'text/markdown; charset=utf-8',
      // the SDK's streaming body, as far as the store reads it
      Body: { transformToString: async (encoding?: string) => Buffer.from(files[0]!.body).toString((encoding ?? 'utf8') as BufferEncoding) } as never,
    });
    s3.on(GetObjectCommand, { Key: 'reports/2026-10/report.md' }).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    expect(await store.get('2026-11', 'report.md')).toEqual(files[0]);
    expect(await store.get('2026-10', 'report.md')).toBeNull();
  });

  it('lists the months and quarters from the prefixes under reports/, newest first', async () => {
    s3.on(ListObjectsV2Command).resolves({
      CommonPrefixes: [{ Prefix: 'reports/2026-10/' }, { Prefix: 'reports/2026-11/' }, { Prefix: 'reports/2026-Q3/' }, { Prefix: 'reports/tmp/' }],
    });
    expect(await store.periods()).toEqual(['2026-Q3', '2026-11', '2026-10']);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toEqual({ Bucket: 'reports-bucket', Prefix: 'reports/', Delimiter: '/' });
  });

  it('hands out a presigned GET of five minutes for a file that is there, and null for one that is not', async () => {
    const signing = new S3ReportStore(
      new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' } }),
      'reports-bucket',
    );
    s3.on(HeadObjectCommand, { Key: 'reports/2026-11/changes.csv' }).resolves({ Metadata: { sha256: 'x' } });
    s3.on(HeadObjectCommand, { Key: 'reports/2026-10/changes.csv' }).rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    const url = new URL((await signing.downloadUrl('2026-11', 'changes.csv', 300))!);
    expect(url.hostname).toBe('reports-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/reports/2026-11/changes.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(await signing.downloadUrl('2026-10', 'changes.csv', 300)).toBeNull();
  });
});
