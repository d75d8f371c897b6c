// A writer in another process for the folder-watcher tests: reads one JSON command per line on
// stdin, does it with plain fs calls and answers one line `done <n>` on stdout.
//   {"op":"append","path":"…","bytes":1024}            append that many bytes to a file
//   {"op":"burst","dir":"…","count":5000,"prefix":"f"} create count small files at once
import { Buffer } from 'node:buffer';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { createInterface } from 'node:readline';

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  if (cmd.op === 'append') {
    appendFileSync(cmd.path, Buffer.alloc(cmd.bytes, 0x61));
    process.stdout.write('done 1\n');
  } else if (cmd.op === 'burst') {
    for (let i = 0; i < cmd.count; i++) writeFileSync(join(cmd.dir, `${cmd.prefix}${String(i).padStart(5, '0')}.txt`), `file ${i}\n`);
    process.stdout.write(`done ${cmd.count}\n`);
  } else {
    process.stdout.write(`error unknown op ${cmd.op}\n`);
  }
}
