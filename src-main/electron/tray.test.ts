import { describe, expect, it } from 'vitest';
import { trayLocale, trayMenuTemplate, trayTooltip } from './tray';

describe('the tray menu', () => {
  const actions = { open: () => {}, quit: () => {} };

  it('offers open and quit, and shows where the API listens', () => {
    const menu = trayMenuTemplate('en', { url: 'http://127.0.0.1:8000', error: null }, actions);
    expect(menu.map((i) => i.label ?? i.type)).toEqual(['Open Desktop Agent', 'separator', 'Loopback API: http://127.0.0.1:8000', 'separator', 'Quit']);
    expect(menu[0]!.click).toBe(actions.open);
    expect(menu[4]!.click).toBe(actions.quit);
    expect(menu[2]!.enabled).toBe(false);
  });

  it('shows why the API did not start, in the menu and the tooltip, in Japanese too', () => {
    const api = { url: null, error: 'port 8000 on 127.0.0.1 is already in use' };
    expect(trayMenuTemplate('ja', api, actions).map((i) => i.label ?? i.type)).toEqual([
      'Desktop Agent を開く',
      'separator',
      'ローカル API を開始できません: port 8000 on 127.0.0.1 is already in use',
      'separator',
      '終了',
    ]);
    expect(trayTooltip(api, 'en')).toBe('Desktop Agent — Loopback API could not start: port 8000 on 127.0.0.1 is already in use');
    expect(trayTooltip({ url: 'http://127.0.0.1:8000', error: null }, 'en')).toBe('Desktop Agent');
  });

  it('speaks Japanese where the system does', () => {
    expect(trayLocale('ja-JP')).toBe('ja');
    expect(trayLocale('ja')).toBe('ja');
    expect(trayLocale('en-GB')).toBe('en');
    expect(trayLocale('de')).toBe('en');
  });
});
