/**
 * `npm start` on a machine without Java says in one line how to install it — no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function startWithPath(bin: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: join(import.meta.dirname, '../..'),
    env: { ...process.env, PATH: bin, PORT: '0', CHANGEFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), 'cf-start-')) },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function binWith(javaScript?: string) {
  const bin = mkdtempSync(join(tmpdir(), 'cf-bin-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  if (javaScript) {
    writeFileSync(join(bin, 'java'), javaScript);
    chmodSync(join(bin, 'java'), 0o755);
  }
  return bin;
}

describe('Rule: missing Java gets a one-line message, not a stack trace', () => {
  it('says how to install Java when there is none', () => {
    const out = startWithPath(binWith());
    expect(out.status).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/needs Java 17 or newer.*apt-get install -y openjdk-17-jre-headless/);
  });

  it('says the same when Java is too old, naming the version found', () => {
    const out = startWithPath(binWith('#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n'));
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/found Java 11/);
  });
});
