import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type XServer } from '../../../test-support/xvfb';
import { detectNodeLabels, missingLabels, nodeIdOf, nodeNameOf, systemLabelProbe, NODE_ID_FILE, type LabelProbe } from '.';

let x: XServer;
beforeAll(async () => {
  x = await startXvfb();
}, 60_000);
afterAll(() => x?.stop());

describe('node labels found on this machine', () => {
  it('are desktop, browser and os:linux with a real X server and Debian chromium, plus the configured ones', async () => {
    const probe = systemLabelProbe({ env: { DISPLAY: x.display }, platform: 'linux', browserPath: '/usr/bin/chromium' });
    expect(await detectNodeLabels(probe, ['sap', 'browser'])).toEqual(['desktop', 'browser', 'os:linux', 'sap']);
  });

  it('leave desktop out when DISPLAY is unset, names no display, or no X server answers there; and browser out when the given browser does not exist', async () => {
    const dead = `:${Number(x.display.slice(1)) + 500}`;
    for (const env of [{}, { DISPLAY: 'not-a-display' }, { DISPLAY: dead }]) {
      const labels = await detectNodeLabels(systemLabelProbe({ env, platform: 'linux', browserPath: '/usr/bin/chromium' }));
      expect(labels, JSON.stringify(env)).toEqual(['browser', 'os:linux']);
    }
    expect(await detectNodeLabels(systemLabelProbe({ env: { DISPLAY: x.display }, platform: 'linux', browserPath: '/nonexistent/chrome' }))).toEqual(['desktop', 'os:linux']);
  });

  it('leave desktop out for a Wayland session without XWayland (the desktop actions need X11)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-wayland-'));
    try {
      const labels = await detectNodeLabels(systemLabelProbe({ env: { WAYLAND_DISPLAY: 'wayland-0', XDG_RUNTIME_DIR: dir }, platform: 'linux', browserPath: '/usr/bin/chromium' }));
      expect(labels).toEqual(['browser', 'os:linux']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('node labels on Windows and macOS', () => {
  const probe = (platform: NodeJS.Platform, interactive: boolean): LabelProbe => ({
    platform,
    env: {},
    xServerReachable: async () => {
      throw new Error('not asked on this platform');
    },
    browserFound: () => false,
    interactiveSession: async () => interactive,
  });

  it('give desktop for an interactive session only, and name the OS', async () => {
    expect(await detectNodeLabels(probe('win32', true))).toEqual(['desktop', 'os:windows']);
    expect(await detectNodeLabels(probe('win32', false))).toEqual(['os:windows']);
    expect(await detectNodeLabels(probe('darwin', true))).toEqual(['desktop', 'os:darwin']);
  });

  it('read a Windows service (no SESSIONNAME) as not interactive', async () => {
    expect(await detectNodeLabels(systemLabelProbe({ platform: 'win32', env: {} }))).toEqual(['os:windows']);
    expect(await detectNodeLabels(systemLabelProbe({ platform: 'win32', env: { SESSIONNAME: 'Console' } }))).toEqual(['desktop', 'os:windows']);
  });
});

describe('runs_on against a node', () => {
  it('is met by every label among the node labels or the node name, and says what is missing', () => {
    const node = { name: 'vm-7', labels: ['browser', 'os:linux'] };
    expect(missingLabels([], node)).toEqual([]);
    expect(missingLabels(['browser', 'vm-7'], node)).toEqual([]);
    expect(missingLabels(['desktop', 'browser', 'os:windows'], node)).toEqual(['desktop', 'os:windows']);
  });
});

describe('node id and name', () => {
  it('keeps one id per data dir across restarts, refuses a damaged file, and names the node after the host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-node-'));
    try {
      const id = nodeIdOf(dir);
      expect(id).toMatch(/^node-[0-9a-f-]{36}$/);
      expect(nodeIdOf(dir)).toBe(id);
      expect(readFileSync(join(dir, NODE_ID_FILE), 'utf8').trim()).toBe(id);
      writeFileSync(join(dir, NODE_ID_FILE), 'garbage');
      expect(() => nodeIdOf(dir)).toThrow(/node-id does not hold a node id \(expected node-<uuid>\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(nodeNameOf('finance-vm-2', 'ignored')).toBe('finance-vm-2');
    expect(nodeNameOf(undefined, 'WS-042.corp.example')).toBe('WS-042');
    expect(nodeNameOf(undefined, 'ノード')).toBe('node');
  });
});
