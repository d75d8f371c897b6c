import { main, processIo } from './main';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
    // A native call that never returns (keytar on a D-Bus peer that stays silent) keeps the event
    // loop alive; the command has answered, so leave anyway once output has had time to flush.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (e: Error) => {
    process.stderr.write(`desktop-agent: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  },
);
