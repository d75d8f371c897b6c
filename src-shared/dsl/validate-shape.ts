import type { Issue } from '../contract/errors';
import { formatPath, parseYamlSource, type YamlSource } from '../domain/yaml-source';

export const MAX_TEMPLATE_BYTES = 1_000_000;
const TOP_LEVEL_KEYS = ['dsl_version', 'name', 'description', 'variables', 'execution', 'steps'] as const;

export interface ShapeResult {
  source?: YamlSource;
  value?: Record<string, unknown>;
  errors: Issue[];
  warnings: Issue[];
}

/**
 * The first pass over a template: YAML syntax, size, top-level keys, `dsl_version`, and that
 * steps are single-key mappings. Action-level checks build on this (engine issue).
 */
export function validateShape(text: string): ShapeResult {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  if (text.length > MAX_TEMPLATE_BYTES) {
    return { errors: [{ path: '(root)', message: `template is larger than ${MAX_TEMPLATE_BYTES} bytes`, line: 1, column: 1 }], warnings };
  }
  const source = parseYamlSource(text);
  if (source.syntaxErrors.length) {
    return { source, errors: source.syntaxErrors.map((e) => ({ path: '(root)', message: `YAML: ${e.message}`, line: e.line, column: e.column })), warnings };
  }
  const at = (path: (string | number)[], message: string, preferKey = true): Issue => ({ path: formatPath(path), message, ...source.locate(path, preferKey) });
  const value = source.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { source, errors: [at([], 'a template is a mapping with dsl_version, name and steps')], warnings };
  }
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) errors.push(at([key], `unknown key '${key}' (expected one of ${TOP_LEVEL_KEYS.join(', ')})`));
  }
  if (t.dsl_version === undefined) errors.push(at([], 'dsl_version: required ("1.1")'));
  else if (t.dsl_version === 1.1) warnings.push(at(['dsl_version'], 'dsl_version should be the string "1.1", not the number 1.1', false));
  else if (t.dsl_version !== '1.1') errors.push(at(['dsl_version'], `unsupported dsl_version ${JSON.stringify(t.dsl_version)}; this build reads "1.1"`, false));
  if (typeof t.name !== 'string' || !t.name.trim()) errors.push(at(t.name === undefined ? [] : ['name'], 'name: required, a non-empty string', false));
  if (t.variables !== undefined && (typeof t.variables !== 'object' || t.variables === null || Array.isArray(t.variables))) {
    errors.push(at(['variables'], 'variables must be a mapping of names to values', false));
  }
  if (!Array.isArray(t.steps)) {
    errors.push(at(t.steps === undefined ? [] : ['steps'], 'steps: required, a list of steps', false));
  } else {
    if (t.steps.length === 0) errors.push(at(['steps'], 'steps: at least one step is required', false));
    t.steps.forEach((step, i) => {
      if (!step || typeof step !== 'object' || Array.isArray(step) || Object.keys(step).length !== 1) {
        errors.push(at(['steps', i], 'a step is a single-key mapping: - <action>: {params}', false));
      }
    });
  }
  return { source, value: t, errors, warnings };
}
