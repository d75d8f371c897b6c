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
  const display = `:${90 + (process.pid % 9)}`;
  xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  process.env.DISPLAY = display;
  await new Promise((r) => setTimeout(r, 800));
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const step = (name, cmd, args) => {
  process.stderr.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: process.env });
  if (r.status === 0) counts.passed++;
  else counts.failed++;
  return r.status === 0;
};

step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('lint', 'npm', ['run', '--silent', 'lint']);

mkdirSync(`${root}/.vitest-results`, { recursive: true });
const out = `${root}/.vitest-results/all.json`;
process.stderr.write('\n== vitest (unit, int, e2e)\n');
const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], {
  stdio: 'inherit',
  cwd: root,
  env: process.env,
});
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
