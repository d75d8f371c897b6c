import { readdirSync, readFileSync } from 'node:fs';

/**
 * Processes below a pid, read from /proc (Linux): what a cancelled run must not leave behind.
 * Zombies (exited, not yet reaped) count as gone.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

function readProc(pid: number): (ProcessInfo & { zombie: boolean }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), command, zombie: rest[0] === 'Z' };
  } catch {
    return undefined;
  }
}

export function liveProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcessInfo & { zombie: boolean } => !!p && !p.zombie);
}

export function descendants(root: number = process.pid): ProcessInfo[] {
  const all = liveProcesses();
  const out: ProcessInfo[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

/** Whether each pid still runs (not a zombie). */
export function stillRunning(pids: number[]): number[] {
  const live = new Set(liveProcesses().map((p) => p.pid));
  return pids.filter((pid) => live.has(pid));
}
