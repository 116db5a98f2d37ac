/**
 * The pages people look at: the home page (/), the spec as it is (/openapi.yaml), the API reference made
 * from it (/__admin/docs) and the dashboard's files (/__admin/ui). None of them holds data, so none
 * needs a token: the dashboard asks for the tokens it needs and reads the admin API with them.
 */
import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';
import { loadSpecDocument, SPEC_FILE } from '../openapi/spec-document.ts';
import { apiReferenceHtml, escapeHtml } from './api-reference.ts';
import { SCENARIOS } from '../../contracts/scenarios.ts';

const UI_FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const HOME = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>scv-telephony-mock</title>
<style>body{font:15px/1.6 system-ui,sans-serif;max-width:640px;margin:48px auto;color:#1d2433}a{color:#2c5fb8}</style>
</head><body><h1>scv-telephony-mock</h1>
<p>A local stand-in for the Service Cloud Voice Telephony Integration REST API, at <code>/telephony/v1</code>.</p>
<ul>
<li><a href="/__admin/ui">Dashboard</a>: calls, routing and verdicts as they happen</li>
<li><a href="/__admin/docs">API reference</a>, generated from <a href="/openapi.yaml">openapi.yaml</a></li>
<li><a href="/__admin/health">Health</a></li>
</ul></body></html>`;

function sendText(res: Response, type: string, body: string): void {
  res.status(200).set({ 'Content-Type': type, 'Cache-Control': 'no-cache' }).send(body);
}

export function dashboardRoutes(): Router {
  const router = Router();
  // Read once, on first use: the files do not change while the mock runs.
  const cache = new Map<string, string>();
  // Next to this module: mock-server/dashboard/ui in a checkout, dist/mock-server/dashboard/ui when installed.
  const file = (name: string) => {
    let text = cache.get(name);
    if (text === undefined) cache.set(name, (text = readFileSync(new URL(`./ui/${name}`, import.meta.url), 'utf8')));
    return text;
  };
  let reference: string | undefined;
  let spec: string | undefined;

  router.get('/', (_req, res) => sendText(res, 'text/html; charset=utf-8', HOME));
  router.get('/openapi.yaml', (_req, res) =>
    sendText(res, 'application/yaml; charset=utf-8', (spec ??= readFileSync(SPEC_FILE, 'utf8'))),
  );
  router.get('/__admin/docs', (_req, res) => {
    reference ??= apiReferenceHtml(loadSpecDocument());
    sendText(res, 'text/html; charset=utf-8', reference);
  });
  // The scenarios the verifier knows, from the contracts, so the page never offers one it does not.
  const scenarioOptions = SCENARIOS.map(
    (s) => `<option value="${escapeHtml(s.name)}">${escapeHtml(s.title)}</option>`,
  ).join('');
  router.get(['/__admin/ui', '/__admin/ui/'], (_req, res) =>
    sendText(res, 'text/html; charset=utf-8', file('index.html').replace('<!--scenarios-->', scenarioOptions)),
  );
  router.get('/favicon.ico', (_req, res) => res.status(204).end());
  router.get('/__admin/ui/:name', (req, res, next) => {
    const type = UI_FILES[req.params.name];
    if (type === undefined) return next();
    sendText(res, type, file(req.params.name));
  });
  return router;
}
