/** Schemas of everything the API accepts beyond the change content itself. OpenAPI is generated from these. */
import { z } from 'zod';
import { CATEGORIES, STATES } from '../core/change-request.js';
import { CHANGE_ID_PATTERN } from '../core/change-id.js';
import { CHECKLIST_KEYS } from '../core/checklist.js';
import { ACTIONS } from '../core/lifecycle.js';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).transform((s) => new Date(s).toISOString());

export const ListQuerySchema = z
  .object({
    state: z.enum(STATES).optional(),
    category: z.enum(CATEGORIES).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: z.coerce.number().int('must be a whole number').min(1).max(100).default(25),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

export const ChangeIdSchema = z.string().regex(CHANGE_ID_PATTERN, 'must be a change id like CR-2026-11-28-001');

export const ActionSchema = z.enum(ACTIONS);

export const TransitionBodySchema = z
  .object({
    comment: z.string().trim().min(1).max(2000).optional(),
    reason: z.string().trim().min(1).max(2000).optional(),
    revision: z.number().int().positive().optional(),
    postIncidentReview: z.string().trim().min(1).max(500).optional(),
    outcome: z.enum(['success', 'failed']).optional(),
    /** checklist: the pre-deployment checklist items to tick and untick, and a note (a pipeline run, say). */
    tick: z.array(z.enum(CHECKLIST_KEYS)).min(1).max(CHECKLIST_KEYS.length).optional(),
    untick: z.array(z.enum(CHECKLIST_KEYS)).min(1).max(CHECKLIST_KEYS.length).optional(),
    note: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

export const PatchBodySchema = z.record(z.string(), z.unknown()).refine((o) => Object.keys(o).length > 0, 'must change at least one field');

export const ErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  currentVersion: z.number().optional(),
});
