/**
 * One normalised form of a person's id, for every comparison that decides who someone is
 * (separation of duties, "already approved", the requestor): identity providers and people
 * write ids with other cases and Unicode forms ("Alice", "alice", a decomposed "é").
 */
export function normaliseId(id: string): string {
  return id.normalize('NFKC').trim().toLowerCase();
}

export function sameId(a: string, b: string): boolean {
  return normaliseId(a) === normaliseId(b);
}
