import { spawn } from 'node:child_process';
import type { Logger, Notifier } from './ports';

/** Opens a file or folder with the desktop's default application (xdg-open, open, start). */
export function openWithDesktop(path: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const [cmd, args] =
    platform === 'darwin' ? ['open', [path]] : platform === 'win32' ? ['cmd', ['/c', 'start', '', path]] : ['xdg-open', [path]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', (e) => reject(new Error(`Cannot open ${path}: ${e.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/**
 * The notifier of `serve` and the CLI: there is no tray, so notifications go to the log (and
 * reach browsers through the event stream); files open with the desktop's default app.
 */
export function createHeadlessNotifier(logger: Logger): Notifier {
  return {
    notify: (n) => logger.info(`Notification: ${n.title}`, { body: n.body, action: n.action }),
    openPath: (path) => openWithDesktop(path),
  };
}
