/**
 * ReportStore on S3 (REPORTS_BUCKET, versioning on): `reports/<month>/<file>`. A file whose
 * content hash (kept in its metadata) is the same is not written again, so a regeneration of an
 * unchanged month makes no new version; a changed one becomes the current version and the bucket
 * keeps the earlier ones.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NotFound, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReportFile, ReportStore } from '../../ports.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class S3ReportStore implements ReportStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  private key(month: string, name: string) {
    return `reports/${month}/${name}`;
  }

  async put(month: string, files: ReportFile[]): Promise<{ unchanged: boolean }> {
    let unchanged = true;
    for (const f of files) {
      const hash = sha256(f.body);
      const current = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(month, f.name) })).catch((err: unknown) => {
        if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound') return undefined;
        throw err;
      });
      if (current?.Metadata?.sha256 === hash) continue;
      unchanged = false;
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(month, f.name), Body: f.body, ContentType: f.contentType, Metadata: { sha256: hash } }),
      );
    }
    return { unchanged };
  }

  /**
   * A presigned GET of the file, `seconds` long (short: the function's role credentials sign it, and
   * a URL signed with them dies with them). The caller hands it out fresh for each request.
   */
  async downloadUrl(period: string, name: string, seconds: number): Promise<string | null> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(period, name) })).catch((err: unknown) => {
      if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound') return undefined;
      throw err;
    });
    if (!head) return null;
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: this.key(period, name) }), { expiresIn: seconds });
  }

  async get(month: string, name: string): Promise<ReportFile | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(month, name) }));
      return { name, contentType: out.ContentType ?? 'application/octet-stream', body: (await out.Body?.transformToString('utf8')) ?? '' };
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  async periods(): Promise<string[]> {
    const out = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: 'reports/', Delimiter: '/' }));
    return (out.CommonPrefixes ?? [])
      .map((p) => /^reports\/(\d{4}-(?:\d{2}|Q[1-4]))\/$/.exec(p.Prefix ?? '')?.[1])
      .filter((m): m is string => Boolean(m))
      .sort()
      .reverse();
  }
}
