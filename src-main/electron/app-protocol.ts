import { readFile } from 'node:fs/promises';
import type { CustomScheme, Protocol } from 'electron';
import { contentTypeOf, resolveStatic } from '../core/api/static-files';
import { APP_CSP, APP_HOST, APP_SCHEME } from './window-policy';

/**
 * `desktop-agent://ui/...`: a secure standard scheme, so the page has an origin, 'self' works in the
 * CSP and module scripts load. Not CORS-enabled: no other origin can read from it.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false },
};

/** The built file a URL of the app scheme names, or undefined (other hosts, paths outside the folder). */
export function resolveAppRequest(url: string, rendererDir: string): { file: string; contentType: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  const file = resolveStatic(rendererDir, u.pathname);
  return file ? { file, contentType: contentTypeOf(file) } : undefined;
}

/** Serves the built renderer from disk with the app's CSP; nothing else answers on the scheme. */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const target = resolveAppRequest(request.url, rendererDir);
    if (!target || request.method !== 'GET') return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return new Response(await readFile(target.file), {
      status: 200,
      headers: {
        'content-type': target.contentType,
        'content-security-policy': APP_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  });
}
