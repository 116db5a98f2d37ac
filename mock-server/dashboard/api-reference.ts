/**
 * A readable API reference, generated from openapi.yaml when it is asked for: every operation with its
 * parameters, body fields, answers, sequence rules and the mock's assumptions. One HTML page with its
 * own styles, nothing fetched from the network, so it works offline and in a screenshot.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { API_BASE_PATH, type SpecDocument } from '../openapi/spec-document.ts';

type Schema = OpenAPIV3_1.SchemaObject & { 'x-assumption'?: string };
type Operation = OpenAPIV3_1.OperationObject & { 'x-assumption'?: string; 'x-sequence-rules'?: string[] };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Prose of the spec as HTML: escaped, with its `code` spans and its links made so. */
function prose(text: string | undefined): string {
  return escapeHtml(text ?? '')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/(https?:\/\/[^\s<]+[^\s<.,;)])/g, '<a href="$1">$1</a>');
}

/** The schema a $ref names (one level: the spec's refs point into components). */
function resolve<T>(document: SpecDocument, value: T | OpenAPIV3_1.ReferenceObject): T {
  if (value !== null && typeof value === 'object' && '$ref' in value) {
    const path = value.$ref.replace(/^#\//, '').split('/');
    let found: unknown = document;
    for (const part of path) found = (found as Record<string, unknown>)[part];
    return found as T;
  }
  return value;
}

function typeOf(document: SpecDocument, raw: Schema | OpenAPIV3_1.ReferenceObject): string {
  if ('$ref' in raw) return raw.$ref.split('/').at(-1)!;
  const schema = raw;
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.type === 'array' && schema.items !== undefined) return `${typeOf(document, schema.items)}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (schema.oneOf !== undefined) return schema.oneOf.map((s) => typeOf(document, s as Schema)).join(' | ');
  return [schema.type ?? 'any', schema.format].filter(Boolean).join(', ');
}

function fieldsTable(document: SpecDocument, raw: Schema | OpenAPIV3_1.ReferenceObject | undefined): string {
  if (raw === undefined) return '';
  const schema = resolve<Schema>(document, raw);
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return `<p class="type">${escapeHtml(typeOf(document, raw))}</p>`;
  const required = new Set(schema.required ?? []);
  const rows = properties.map(([name, value]) => {
    const field = resolve<Schema>(document, value);
    const note = [field.description, field['x-assumption'] && `Mock's choice: ${field['x-assumption']}`]
      .filter(Boolean)
      .join(' ');
    return `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${escapeHtml(typeOf(document, value))}</td><td>${prose(note)}</td></tr>`;
  });
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function operationHtml(document: SpecDocument, path: string, method: string, operation: Operation): string {
  const full = path.startsWith('/__admin') ? path : `${API_BASE_PATH}${path}`;
  const parameters = (operation.parameters ?? []).map((p) => resolve<OpenAPIV3_1.ParameterObject>(document, p));
  const body =
    operation.requestBody === undefined
      ? undefined
      : resolve<OpenAPIV3_1.RequestBodyObject>(document, operation.requestBody);
  const bodySchema = body?.content['application/json']?.schema;
  const responses = Object.entries(operation.responses ?? {}).map(([status, value]) => {
    const response = resolve<OpenAPIV3_1.ResponseObject>(document, value);
    return `<li><b>${escapeHtml(status)}</b> ${prose(response.description)}</li>`;
  });
  const rules = operation['x-sequence-rules'] ?? [];
  const id = operation.operationId ?? `${method}-${path}`;
  return `<section class="op" id="${escapeHtml(id)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(full)}</code></h3>
<p class="summary">${prose(operation.summary)}</p>
${operation.description === undefined ? '' : `<p>${prose(operation.description)}</p>`}
${parameters.length === 0 ? '' : `<h4>Parameters</h4><ul>${parameters.map((p) => `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required === true ? ', required' : ''}) ${prose(p.description)}</li>`).join('')}</ul>`}
${bodySchema === undefined ? '' : `<h4>Body</h4>${fieldsTable(document, bodySchema)}`}
<h4>Answers</h4><ul>${responses.join('')}</ul>
${rules.length === 0 ? '' : `<h4>Sequence rules</h4><p>${rules.map((r) => `<code>${escapeHtml(r)}</code>`).join(' ')}</p>`}
${operation['x-assumption'] === undefined ? '' : `<p class="assumption"><b>Where the docs are silent:</b> ${prose(operation['x-assumption'])}</p>`}
</section>`;
}

export function apiReferenceHtml(document: SpecDocument): string {
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method] as Operation | undefined;
      if (operation === undefined) continue;
      const id = operation.operationId ?? `${method}-${path}`;
      toc.push(
        `<li><a href="#${escapeHtml(id)}"><span class="method ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a></li>`,
      );
      sections.push(operationHtml(document, path, method, operation));
    }
  }
  const info = document.info;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:320px 1fr;color:#1d2433}
nav{height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6fa;border-right:1px solid #dde2ea;padding:12px}
nav ul{list-style:none;padding:0;margin:0}nav li{margin:2px 0}nav a{text-decoration:none;color:#1d2433;font-size:13px;overflow-wrap:anywhere}
main{padding:16px 32px;max-width:1000px}code{font-family:ui-monospace,monospace;font-size:13px}
.method{display:inline-block;min-width:52px;font:600 11px ui-monospace,monospace;padding:1px 4px;border-radius:3px;color:#fff;text-align:center}
.get{background:#2f7d4f}.post{background:#2c5fb8}.patch{background:#a8621a}.put{background:#7a4bb0}.delete{background:#b23b3b}
.op{border-top:1px solid #dde2ea;padding:8px 0}table{border-collapse:collapse;width:100%}td,th{border:1px solid #dde2ea;padding:4px 6px;text-align:left;vertical-align:top}
.req{color:#b23b3b;font-size:11px}.assumption{background:#fff7e0;padding:6px 8px;border-left:3px solid #e0a800}.summary{font-weight:600}
</style></head><body>
<nav><b>${escapeHtml(info.title)}</b><p><a href="/openapi.yaml">openapi.yaml</a> · <a href="/__admin/ui">Dashboard</a></p><ul>${toc.join('')}</ul></nav>
<main><h1>API reference</h1><p>${prose(info.summary)} Generated from <a href="/openapi.yaml">openapi.yaml</a>, the mock's one source of truth for the wire.</p>
${sections.join('\n')}</main></body></html>`;
}
