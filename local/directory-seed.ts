/** The directory file: parsed with zod, so a bad seed stops the start naming the entry. */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ROLES, type Person } from '../functions/core/change-request.js';

const DirectoryFileSchema = z.object({
  people: z
    .array(
      z
        .object({
          id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lowercase user id'),
          name: z.string().min(1),
          email: z.email(),
          team: z.string().min(1).optional(),
          roles: z.array(z.enum(ROLES)).min(1),
        })
        .strict(),
    )
    .min(1),
});

export function readDirectory(file: string): Person[] {
  const parsed = DirectoryFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`bad directory file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data.people;
}
