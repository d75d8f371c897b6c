import { describe, expect, it } from 'vitest';
import { isWithin, rootPath } from './path-guard';

/** The pure parts of the guard, for both path flavours (Windows drives and shares included). */
describe('isWithin', () => {
  it('knows a folder, what is inside it, and a sibling whose name merely starts the same (POSIX)', () => {
    expect(isWithin('/tmp', '/tmp', 'linux')).toBe(true);
    expect(isWithin('/tmp', '/tmp/a/b.csv', 'linux')).toBe(true);
    expect(isWithin('/tmp', '/tmp-evil/b.csv', 'linux')).toBe(false);
    expect(isWithin('/tmp', '/tmpx', 'linux')).toBe(false);
    expect(isWithin('/tmp', '/etc/shadow', 'linux')).toBe(false);
    expect(isWithin('/', '/etc/shadow', 'linux')).toBe(true);
    expect(isWithin('/home/a', '/home/a/..hidden', 'linux')).toBe(true);
    // POSIX names are case-sensitive.
    expect(isWithin('/home/a', '/home/A/x', 'linux')).toBe(false);
  });

  it('compares Windows paths without case, across drives and shares', () => {
    expect(isWithin('C:\\Users\\a', 'c:\\users\\A\\Documents\\x.pdf', 'win32')).toBe(true);
    expect(isWithin('C:\\Users\\a', 'C:\\Users\\a-evil\\x.pdf', 'win32')).toBe(false);
    expect(isWithin('C:\\Users\\a', 'D:\\Users\\a\\x.pdf', 'win32')).toBe(false);
    expect(isWithin('D:\\', 'D:\\Data\\x.csv', 'win32')).toBe(true);
    expect(isWithin('\\\\server\\share', '\\\\server\\share\\経理\\x.csv', 'win32')).toBe(true);
    expect(isWithin('\\\\server\\share', '\\\\server\\share2\\x.csv', 'win32')).toBe(false);
    expect(isWithin('\\\\server\\share', '\\\\other\\share\\x.csv', 'win32')).toBe(false);
  });
});

describe('rootPath', () => {
  const win = { home: 'C:\\Users\\山田', temp: 'C:\\Users\\山田\\AppData\\Local\\Temp', dataDir: 'C:\\Users\\山田\\AppData\\Roaming\\Desktop Agent', platform: 'win32' as const };
  const posix = { home: '/home/yamada', temp: '/tmp', dataDir: '/home/yamada/.config/desktop-agent', platform: 'linux' as const };

  it('resolves the placeholders and sub-folders of them', () => {
    expect(rootPath('~', posix)).toEqual({ path: '/home/yamada' });
    expect(rootPath('~/Documents', posix)).toEqual({ path: '/home/yamada/Documents' });
    expect(rootPath('<temp-dir>', posix)).toEqual({ path: '/tmp' });
    expect(rootPath('<data-dir>/exports', posix)).toEqual({ path: '/home/yamada/.config/desktop-agent/exports' });
    expect(rootPath('~\\Documents', win)).toEqual({ path: 'C:\\Users\\山田\\Documents' });
    expect(rootPath('<data-dir>', win)).toEqual({ path: 'C:\\Users\\山田\\AppData\\Roaming\\Desktop Agent' });
  });

  it('takes drives and shares on Windows (a bare D: is the drive root) and skips them elsewhere', () => {
    expect(rootPath('D:', win)).toEqual({ path: 'D:\\' });
    expect(rootPath('D:/Data/', win)).toEqual({ path: 'D:\\Data' });
    expect(rootPath('\\\\server\\share\\経理', win)).toEqual({ path: '\\\\server\\share\\経理' });
    expect(rootPath('//server/share', win)).toEqual({ path: '\\\\server\\share\\' });
    expect(rootPath('D:\\Data', posix)).toEqual({ skipped: 'a Windows drive or share, not a folder on linux' });
    expect(rootPath('\\\\server\\share', posix)).toEqual({ skipped: 'a Windows drive or share, not a folder on linux' });
    expect(rootPath('/srv/share/../data', posix)).toEqual({ path: '/srv/data' });
  });

  it('skips what is not an absolute folder (the schema refuses it before)', () => {
    expect(rootPath('Documents', posix)).toEqual({ skipped: 'not an absolute folder' });
  });
});
