/**
 * Text a person writes, as every schema takes it: trimmed, bounded, and free of the characters that
 * make text lie about itself — control characters (a line may not hold a line break; free text may
 * hold line breaks and tabs) and the bidirectional overrides and isolates that reorder what a
 * reader sees (U+202A–U+202E, U+2066–U+2069).
 */
import * as z from 'zod';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const isBidi = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
const isControl = (c: number) => c < 0x20 || (c >= 0x7f && c <= 0x9f);

const codePoint = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a text is refused, or undefined: the first offending character, named by its code point. */
export function unsafeCharacter(text: string, multiline: boolean): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isBidi(c)) return `must not contain a bidirectional override or isolate character (found ${codePoint(c)}), which reorders what readers see`;
    if (!isControl(c) || c === TAB) continue;
    if (multiline && (c === LF || c === CR)) continue;
    return multiline ? `must not contain control characters (found ${codePoint(c)})` : 'must be a single line without control characters';
  }
  return undefined;
}

/** Free text of up to `max` characters: line breaks and tabs allowed. */
export const freeText = (max = 10_000) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const why = unsafeCharacter(s, true);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });

/** One line of up to `max` characters. */
export const oneLine = (max = 500) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const why = unsafeCharacter(s, false);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });
