// `npm test`: typecheck, lint, then every vitest project (unit, int, e2e) in one run.
// Provides what the suites need when the machine has it: an X display (Xvfb) for desktop
// tests and a D-Bus session for the keychain. Ends with one line: N passed, N failed, N skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

// A D-Bus session for the Secret Service (gnome-keyring); re-run this script inside one.
if (!process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.DA_TEST_NO_DBUS && has('dbus-run-session')) {
  const r = spawnSync('dbus-run-session', ['--', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, DA_TEST_NO_DBUS: '1' } });
  process.exit(r.status ?? 1);
}

let xvfb;
if (!process.env.DISPLAY && has('Xvfb')) {
  // -displayfd: Xvfb picks a free display and writes its number once it accepts clients, so
  // there is no fixed wait and no clash with another suite's Xvfb on this machine.
  xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const number = await new Promise((resolve, reject) => {
    let text = '';
    xvfb.stdio[3].on('data', (d) => {
      text += d;
      if (text.includes('\n')) resolve(text.trim());
    });
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it had a display`)));
  });
  process.env.DISPLAY = `:${number}`;
  // A killed run must not leave its Xvfb behind.
  process.on('exit', () => xvfb.kill());
}

const counts = { passed: 0, failed: 0, skipped: 0 };
// Children run asynchronously so that a SIGTERM to this script is handled (and Xvfb stopped) at once.
// Each runs in its own process group, which a SIGTERM here ends as a whole (npm, tsc, vitest's workers).
const children = new Set();
const run = (cmd, args) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: root, env: process.env, detached: true });
    children.add(child);
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ status: code });
    });
  });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}
const step = async (name, cmd, args) => {
  process.stderr.write(`\n== ${name}\n`);
  const r = await run(cmd, args);
  if (r.status === 0) counts.passed++;
  else counts.failed++;
  return r.status === 0;
};

await step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
await step('lint', 'npm', ['run', '--silent', 'lint']);

mkdirSync(`${root}/.vitest-results`, { recursive: true });
const out = `${root}/.vitest-results/all.json`;
process.stderr.write('\n== vitest (unit, int, e2e)\n');
const vitest = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  counts.passed += r.numPassedTests;
  counts.failed += r.numFailedTests;
  counts.skipped += r.numPendingTests + r.numTodoTests;
  // A file that failed to load has no tests in the counts; count it as a failure.
  for (const f of r.testResults ?? []) if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) counts.failed++;
} else if (vitest.status !== 0) {
  counts.failed++;
}
xvfb?.kill();
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed > 0 || vitest.status !== 0 ? 1 : 0);
