/** What the freeze routes accept (functions/handlers/freezes.ts): a module of its own, so the other route groups do not load it. */
import * as z from 'zod';
import { FREEZE_STATES } from '../core/freezes.js';
import { oneLine } from '../core/text.js';
import { ChangeIdSchema } from './schemas.js';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).transform((s) => new Date(s).toISOString());

/** Freezes (core/freezes.ts): declared by an admin as a draft. */
export const FreezeIdSchema = z.string().regex(/^FRZ-[0-9a-f]{8}$/, 'must be a freeze id like FRZ-1a2b3c4d');
const freezeComponents = z
  .array(z.string().trim().min(1, 'must not be empty').max(200), { error: 'must be a list of component names, or ["*"] for every component' })
  .min(1, 'must name at least one component, or "*" for every component')
  .max(50);
const freezeFields = {
  title: oneLine(200),
  reason: z.string().trim().min(10, 'must say what the freeze protects, in a sentence').max(2000),
  /** The person id of who decides its exceptions. */
  owner: z.string().trim().min(1, 'must be the person id of the freeze owner').max(200),
  components: freezeComponents,
  start: instant,
  end: instant,
};
/** The window and the scope are checked by the core (core/freezes.ts `freezeProblems`), for a declaration and a change alike. */
export const FreezeSchema = z.object(freezeFields).strict();
/** PATCH /freezes/{id}: the fields to change. */
export const FreezePatchSchema = z
  .object(freezeFields)
  .partial()
  .strict()
  .refine((o) => Object.keys(o).length > 0, 'must change at least one field');
export const FreezeExceptionSchema = z
  .object({
    change: ChangeIdSchema,
    reason: z.string().max(2000),
  })
  .strict();
export const FreezeExceptionDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject'], { error: 'must be approve or reject' }),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();
export const FreezeReviewSchema = z
  .object({ comment: z.string().trim().min(10, 'must say how the change went inside the freeze, in a sentence').max(2000) })
  .strict();
export const FreezeListQuerySchema = z.object({ state: z.enum(FREEZE_STATES, { error: 'must be draft, enforced or lifted' }).optional() }).strict();
/** POST /freezes/{id}/enforce and /lift: why, optionally (kept on the freeze, said in the notices). */
export const FreezeStepSchema = z.object({ comment: z.string().trim().min(1).max(2000).optional() }).strict();
