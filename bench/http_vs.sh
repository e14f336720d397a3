#!/usr/bin/env bash
# Requests per second of GET /api/customers?limit=20 on N customers, two clientele binaries
# side by side (e.g. a release before and after a change), alternating rounds so both see
# the same machine load. Prints the median of the rounds per connection count and the ratio.
# Usage: bench/http_vs.sh OLD_BIN NEW_BIN [N=10000] [ROUNDS=3]
set -euo pipefail
OLD=$1; NEW=$2; N=${3:-10000}; ROUNDS=${4:-3}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
dir=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
export CLIENTELE_TODAY=2026-11-27
start() { # $1 = binary, $2 = name; prints the port
  "$1" --db "$dir/$2.redb" demo --customers "$N" --seed 1 >/dev/null
  "$1" --db "$dir/$2.redb" serve --addr 127.0.0.1:0 >"$dir/$2.log" 2>&1 &
  for _ in $(seq 1 400); do
    p=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/$2.log" | head -1 | sed 's/.*://') && [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.05
  done
  echo "$2 did not start: $(cat "$dir/$2.log")" >&2; exit 1
}
po=$(start "$OLD" old); pn=$(start "$NEW" new)
rps() { wrk -t1 -c"$2" -d4s "http://127.0.0.1:$1/api/customers?limit=20" | awk '/Requests\/sec/ {print $2}'; }
for c in 1 32; do
  o=(); n=()
  for _ in $(seq 1 "$ROUNDS"); do o+=("$(rps "$po" "$c")"); n+=("$(rps "$pn" "$c")"); done
  python3 - "$c" "${o[*]}" "${n[*]}" <<'PY'
import statistics, sys
c, o, n = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mo, mn = statistics.median(o), statistics.median(n)
print(f"{c:>2} connection(s): old {mo:9.0f} req/s   new {mn:9.0f} req/s   new/old {mn/mo:.2f}   (rounds: old {o}, new {n})")
PY
done
