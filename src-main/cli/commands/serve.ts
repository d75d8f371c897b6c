import { ConfigInvalidError } from '../../core/config/config-store';
import { SchemaTooNewError } from '../../core/db/migrate';
import { runtimeOptions } from '../../host/runtime-options';
import { InstanceRunningError } from '../../host/instance-lock';
import { EXIT, parseCommandArgs, type Command } from '../io';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the core and the loopback API under plain Node; the UI at http://127.0.0.1:<port>/',
  usage: 'desktop-agent serve [--host H] [--port P] [--data-dir DIR] [--config-dir DIR] [--browser PATH] [--allow-remote]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {}, false);
    const options = runtimeOptions(values, io.env);
    const { startServe } = await import('../../host/start-serve');
    let handle: Awaited<ReturnType<typeof startServe>>;
    try {
      handle = await startServe({ ...options, env: io.env });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') {
        io.stderr(`desktop-agent serve: port ${options.port ?? 8000} on ${options.host} is already in use; pick another with --port (0 picks a free one)\n`);
        return EXIT.failed;
      }
      if (err instanceof ConfigInvalidError) {
        io.stderr(`desktop-agent serve: invalid configuration:\n${err.message}\n`);
        return EXIT.invalid;
      }
      if (err instanceof SchemaTooNewError || err instanceof InstanceRunningError) {
        io.stderr(`desktop-agent serve: ${err.message}\n`);
        return EXIT.failed;
      }
      io.stderr(`desktop-agent serve: ${err.message}\n`);
      return EXIT.failed;
    }
    io.stderr(`Desktop Agent ${handle.core.version} serving on ${handle.url} (data: ${handle.core.paths.dataDir})\n`);
    return await new Promise<number>((resolve) => {
      const shutdown = (signal: string) => {
        io.stderr(`desktop-agent serve: ${signal} received, stopping\n`);
        handle.stop().then(
          () => resolve(EXIT.ok),
          (e: Error) => {
            io.stderr(`desktop-agent serve: stop failed: ${e.message}\n`);
            resolve(EXIT.failed);
          },
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
  },
};
