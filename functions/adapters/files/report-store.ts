/**
 * ReportStore on the local disk (`<data folder>/reports/<month>/<file>`), for `npm start`: the
 * same files the S3 adapter writes. A regenerated month whose files changed moves the earlier ones
 * to `<month>/earlier/<time>/` first, so no version is lost; identical files are left as they are.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportFile, ReportStore } from '../../ports.js';

const TYPES: Record<string, string> = {
  md: 'text/markdown; charset=utf-8',
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export class FileReportStore implements ReportStore {
  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(month: string, files: ReportFile[]): Promise<{ unchanged: boolean }> {
    const folder = join(this.dir, month);
    const same = files.every((f) => existsSync(join(folder, f.name)) && readFileSync(join(folder, f.name), 'utf8') === f.body);
    if (same) return { unchanged: true };
    mkdirSync(folder, { recursive: true });
    const current = files.filter((f) => existsSync(join(folder, f.name)));
    if (current.length) {
      const earlier = join(folder, 'earlier', this.now().toISOString().replaceAll(':', '-'));
      mkdirSync(earlier, { recursive: true });
      for (const f of current) renameSync(join(folder, f.name), join(earlier, f.name));
    }
    for (const f of files) writeFileSync(join(folder, f.name), f.body);
    return { unchanged: false };
  }

  async get(month: string, name: string): Promise<ReportFile | null> {
    const path = join(this.dir, month, name);
    if (!existsSync(path)) return null;
    return { name, contentType: TYPES[name.split('.').at(-1) ?? ''] ?? 'application/octet-stream', body: readFileSync(path, 'utf8') };
  }

  async periods(): Promise<string[]> {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((m) => /^\d{4}-(\d{2}|Q[1-4])$/.test(m))
      .sort()
      .reverse();
  }
}
