import type { Protocol } from 'electron';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerAppProtocol, resolveAppRequest } from './app-protocol';
import { APP_CSP } from './window-policy';

// The renderer folder, with a file beside it that must stay out of reach.
const root = mkdtempSync(join(tmpdir(), 'da-protocol-'));
const dir = join(root, 'renderer');
mkdirSync(join(dir, 'assets'), { recursive: true });
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Desktop Agent</title>');
writeFileSync(join(dir, 'assets', 'index.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'secret');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the app protocol', () => {
  it('maps app URLs to the built files, with index.html for routes', () => {
    expect(resolveAppRequest('desktop-agent://ui/index.html', dir)).toEqual({ file: join(dir, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('desktop-agent://ui/assets/index.js?v=1', dir)).toEqual({ file: join(dir, 'assets', 'index.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppRequest('desktop-agent://ui/runs', dir)?.file).toBe(join(dir, 'index.html'));
  });

  it('serves nothing outside the folder or for other hosts and schemes', () => {
    expect(resolveAppRequest('desktop-agent://ui/../secret.txt', dir)).toBeUndefined();
    expect(resolveAppRequest('desktop-agent://ui/%2e%2e/secret.txt', dir)).toBeUndefined();
    expect(resolveAppRequest('desktop-agent://ui/assets/missing.js', dir)).toBeUndefined();
    expect(resolveAppRequest('desktop-agent://other/index.html', dir)).toBeUndefined();
    expect(resolveAppRequest('file:///etc/passwd', dir)).toBeUndefined();
  });

  it('answers with the file, its type and the CSP, and 404 otherwise', async () => {
    let handler: ((r: Request) => Promise<Response>) | undefined;
    registerAppProtocol({ handle: (_scheme: string, fn: (r: Request) => Promise<Response>) => (handler = fn) } as unknown as Protocol, dir);
    const ok = await handler!(new Request('desktop-agent://ui/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(await ok.text()).toContain('<title>Desktop Agent</title>');
    const missing = await handler!(new Request('desktop-agent://ui/../secret.txt'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Not found');
    const post = await handler!(new Request('desktop-agent://ui/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(404);
  });
});
