import { z } from 'zod';
import { ERROR_STATUS } from '@shared/contract/errors';
import type { ProcedureDef } from '@shared/contract/procedure';

/** Builds the OpenAPI 3.1 description straight from the contract, so it can never drift. */
export function buildOpenApi(procedures: readonly ProcedureDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const p of procedures) {
    const method = p.http.method.toLowerCase();
    const pathParams = [...p.http.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const inputSchema = safeSchema(p.input, 'input');
    const props = (inputSchema.properties ?? {}) as Record<string, unknown>;
    const required = new Set((inputSchema.required as string[] | undefined) ?? []);
    const parameters: unknown[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: props[name] ?? { type: 'string' } }));
    const bodyLess = p.http.method === 'GET' || p.http.method === 'DELETE';
    if (bodyLess) {
      for (const [name, schema] of Object.entries(props)) {
        if (!pathParams.includes(name)) parameters.push({ name, in: 'query', required: required.has(name), schema });
      }
    }
    const op: Record<string, unknown> = {
      operationId: p.name,
      summary: p.summary,
      tags: [p.name.split('.')[0]],
      'x-permission': p.access,
      ...(p.accessWhen ? { 'x-permission-when': p.accessWhen.map((r) => ({ field: r.field, permission: r.access })) } : {}),
      security: p.access === 'public' ? [] : [{ basic: [] }, { bearer: [] }],
      parameters,
      responses: {
        [String(p.http.status ?? 200)]: {
          description: 'OK',
          content: p.http.stream
            ? { 'text/event-stream': {} }
            : p.http.raw
              ? { '*/*': {} }
              : { 'application/json': { schema: safeSchema(p.output, 'output') } },
        },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (!bodyLess) {
      const bodyProps = Object.fromEntries(Object.entries(props).filter(([k]) => !pathParams.includes(k)));
      const content: Record<string, unknown> = {
        'application/json': { schema: { ...inputSchema, properties: bodyProps, required: [...required].filter((r) => !pathParams.includes(r)) } },
      };
      if (p.http.rawBodyField) content['application/yaml'] = { schema: { type: 'string' } };
      if (p.http.form) content['application/x-www-form-urlencoded'] = { schema: { type: 'object', properties: bodyProps } };
      op.requestBody = { required: false, content };
    }
    (paths[p.http.path] ??= {})[method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Desktop Agent loopback API', version, description: 'Every operation is a procedure of the contract; errors are {"error": {"code", "message", "details"}}.' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string', enum: Object.keys(ERROR_STATUS) }, message: { type: 'string' }, details: {} },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
  };
}

function safeSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    delete s.$schema;
    return s;
  } catch {
    return {};
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained HTML page listing every operation (no CDN, works offline). */
export function renderDocsPage(procedures: readonly ProcedureDef[], version: string): string {
  const rows = [...procedures]
    .sort((a, b) => a.http.path.localeCompare(b.http.path) || a.http.method.localeCompare(b.http.method))
    .map(
      (p) =>
        `<tr><td class="m ${p.http.method.toLowerCase()}">${p.http.method}</td><td><code>${esc(p.http.path)}</code></td><td>${esc(p.summary)}</td><td><code>${esc(p.access)}</code></td><td><code>${esc(p.name)}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Desktop Agent API ${esc(version)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK JP",sans-serif;margin:2rem;color:#1f2933}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e4e7eb;padding:.4rem .6rem;text-align:left;vertical-align:top}.m{font-weight:700}.get{color:#0b7285}.post{color:#2b8a3e}.put,.patch{color:#e67700}.delete{color:#c92a2a}</style>
</head><body><h1>Desktop Agent API <small>${esc(version)}</small></h1>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a>. Authenticate with HTTP Basic (<code>curl -u user:pass</code>) or <code>Authorization: Bearer &lt;token&gt;</code>.
Errors are <code>{"error": {"code", "message", "details"}}</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Permission</th><th>Procedure</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
