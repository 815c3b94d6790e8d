/**
 * The workflow definitions: one Amazon States Language file per workflow, in this folder. The CDK
 * stack deploys the file text and the local engine runs the same file.
 *
 * Placeholders are `${Key}` inside JSON strings, the syntax of CDK's definition substitutions. A
 * placeholder that is a whole JSON string and stands for a number (`"TimeoutSeconds":
 * "${ApprovalTaskTimeoutSeconds}"`) becomes that number: durations come from the core
 * (functions/core/durations.ts) by substitution, never as numbers written in a file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowName } from '../../functions/ports.js';

/** Absolute path of each workflow's ASL file. */
export const WORKFLOWS: Record<WorkflowName, string> = {
  approval: fileURLToPath(new URL('./approval.asl.json', import.meta.url)),
  emergency: fileURLToPath(new URL('./emergency.asl.json', import.meta.url)),
  monitoring: fileURLToPath(new URL('./monitoring.asl.json', import.meta.url)),
};

export const WORKFLOW_NAMES = Object.keys(WORKFLOWS) as WorkflowName[];

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The definition's JSON text as stored, placeholders included. */
export function definitionText(name: WorkflowName): string {
  return readFileSync(WORKFLOWS[name], 'utf8');
}

/** The distinct placeholder keys the definition uses, sorted. */
export function placeholders(name: WorkflowName): string[] {
  const keys = new Set<string>();
  for (const match of definitionText(name).matchAll(PLACEHOLDER)) keys.add(match[1] ?? '');
  return [...keys].sort();
}

/**
 * The text with its number placeholders (`"${Key}"`) replaced by the numbers given; the other
 * placeholders are left for the caller (CloudFormation's DefinitionSubstitutions, or `loadDefinition`).
 */
export function withNumbers(text: string, numbers: Record<string, number>): string {
  return text.replace(/"\$\{([^}]*)\}"/g, (whole, key: string) => {
    if (!Object.hasOwn(numbers, key)) return whole;
    const value = numbers[key]!;
    if (!Number.isFinite(value)) throw new Error(`substitution ${key} must be a finite number, got ${value}`);
    return String(value);
  });
}

/**
 * The definition as an object, with every `${Key}` replaced: numbers for whole-string number
 * placeholders, JSON-escaped strings inside strings. Throws if a placeholder has no substitution,
 * or if a substitution is not used by the definition (a typo would otherwise go unnoticed).
 */
export function loadDefinition(name: WorkflowName, substitutions: Record<string, string | number>): object {
  const used = new Set<string>();
  const missing = new Set<string>();
  const numbers = Object.fromEntries(Object.entries(substitutions).filter((e): e is [string, number] => typeof e[1] === 'number'));
  const raw = definitionText(name);
  for (const m of raw.matchAll(/"\$\{([^}]*)\}"/g)) if (Object.hasOwn(numbers, m[1]!)) used.add(m[1]!);
  const substituted = withNumbers(raw, numbers).replace(PLACEHOLDER, (whole, key: string) => {
    if (!Object.hasOwn(substitutions, key) || typeof substitutions[key] === 'number') {
      missing.add(whole);
      return whole;
    }
    used.add(key);
    return JSON.stringify(String(substitutions[key])).slice(1, -1);
  });
  if (missing.size > 0) {
    throw new Error(`Workflow '${name}': unresolved placeholder(s) ${[...missing].join(', ')}`);
  }
  const unused = Object.keys(substitutions).filter((key) => !used.has(key));
  if (unused.length > 0) {
    throw new Error(`Workflow '${name}': substitution(s) not used by the definition: ${unused.join(', ')}`);
  }
  const definition: unknown = JSON.parse(substituted);
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new Error(`Workflow '${name}': the definition is not a JSON object`);
  }
  return definition;
}
