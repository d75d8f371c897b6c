import { main, processIo } from './main';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`desktop-agent: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  },
);
