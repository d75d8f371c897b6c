#!/usr/bin/env bash
# One cold start of `desktop-agent serve`: from process start until /healthz answers 200, then stop.
# Time it as a whole process, e.g.: hyperfine -w 1 -r 5 bench/scripts/serve-cold-start.sh
#                               or: /usr/bin/time -v bench/scripts/serve-cold-start.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$(mktemp -d)"
node "$root/bin/desktop-agent.js" serve --port 0 --data-dir "$dir" 2>/dev/null &
pid=$!
for _ in $(seq 1 1000); do
  if [ -f "$dir/runtime.json" ]; then
    url="$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$dir/runtime.json")"
    if curl -sf "$url/healthz" >/dev/null; then break; fi
  fi
  sleep 0.01
done
kill "$pid"; wait "$pid" 2>/dev/null || true
rm -rf "$dir"
