#!/usr/bin/env bash
# Benchmarks of clientele, measured side by side in one run (SPEC §6):
#  1. GET /api/customers?limit=20 on N_HTTP customers, one keep-alive connection and 32
#     connections, against a bare tiny_http handler returning a fixed body (examples/bare_http).
#  2. CSV export and import of N_CSV demo customers against the sqlite3 shell doing the same
#     with the same rows; peak memory of the export.
#  3. A keyword filter through the server on N_CSV customers (median of repeated requests).
# Usage: bench/run.sh [N_HTTP=10000] [N_CSV=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
N_HTTP=${1:-10000}
N_CSV=${2:-100000}
OUT=bench/out
mkdir -p "$OUT"
. bench/tools.sh
need_tools wrk sqlite3 curl
cargo build --release --bin clientele --example bare_http 2>&1 | tail -1
BIN=target/release/clientele
export CLIENTELE_TODAY=2026-11-27

wait_port() { # $1 = log file of a server started in the background; prints its port
  for _ in $(seq 1 600); do
    if grep -qo 'http://127.0.0.1:[0-9]*' "$1"; then
      grep -o 'http://127.0.0.1:[0-9]*' "$1" | head -1 | sed 's/.*://'
      return
    fi
    sleep 0.05
  done
  echo "server did not start: $(cat "$1")" >&2
  exit 1
}

rps() { # $1 = url, $2 = connections; prints requests/s
  wrk -t1 -c"$2" -d5s "$1" | awk '/Requests\/sec/ {print $2}'
}

echo "== 1. list latency on $N_HTTP customers"
rm -f "$OUT/http.redb"
$BIN --db "$OUT/http.redb" demo --customers "$N_HTTP" --seed 1 >/dev/null
$BIN --db "$OUT/http.redb" serve --addr 127.0.0.1:0 >"$OUT/serve.log" 2>&1 &
app_pid=$!
target/release/examples/bare_http 127.0.0.1:0 >"$OUT/bare.log" 2>&1 &
bare_pid=$!
port=$(wait_port "$OUT/serve.log")
bport=$(wait_port "$OUT/bare.log")
trap 'kill $app_pid $bare_pid 2>/dev/null || true' EXIT
for c in 1 32; do
  a=$(rps "http://127.0.0.1:$port/api/customers?limit=20" $c)
  b=$(rps "http://127.0.0.1:$bport/" $c)
  a2=$(rps "http://127.0.0.1:$port/api/customers?limit=20" $c)
  b2=$(rps "http://127.0.0.1:$bport/" $c)
  python3 - "$c" "$a" "$b" "$a2" "$b2" <<'PY'
import sys
c, a, b, a2, b2 = sys.argv[1], *map(float, sys.argv[2:])
app, bare = (a + a2) / 2, (b + b2) / 2
print(f"  {c:>2} connection(s): clientele {app:9.0f} req/s ({1e6/app*int(c):7.1f} µs/req/conn)"
      f"   bare tiny_http {bare:9.0f} req/s   ratio {app/bare:.2f} (target >= 0.5)")
PY
done
kill $app_pid $bare_pid 2>/dev/null || true
wait 2>/dev/null || true

echo "== 2. CSV on $N_CSV customers"
rm -f "$OUT/csv.redb" "$OUT/fresh.redb" "$OUT/sq.db"
/usr/bin/time -f "  demo: %e s, peak %M KiB" $BIN --db "$OUT/csv.redb" demo --customers "$N_CSV" --seed 1 >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
exp_times=(); sq_times=()
$BIN --db "$OUT/csv.redb" export --all --output "$OUT/export.csv"
sqlite3 "$OUT/sq.db" ".mode csv" ".import $OUT/export.csv customers"
for i in 1 2 3; do
  t=$( { /usr/bin/time -f "%e %M" $BIN --db "$OUT/csv.redb" export --all --output "$OUT/export.csv" ; } 2>&1 | tail -1)
  exp_times+=("$t")
  s=$( { /usr/bin/time -f "%e %M" sqlite3 "$OUT/sq.db" ".headers on" ".mode csv" ".output $OUT/sq.csv" "select * from customers;" ; } 2>&1 | tail -1)
  sq_times+=("$s")
done
e=$(printf '%s\n' "${exp_times[@]}" | awk '{print $1}' | median)
em=$(printf '%s\n' "${exp_times[@]}" | awk '{print $2}' | sort -n | tail -1)
s=$(printf '%s\n' "${sq_times[@]}" | awk '{print $1}' | median)
echo "  export: clientele ${e}s (peak ${em} KiB)   sqlite3 ${s}s   ratio $(python3 -c "print(f'{$e/max($s,1e-9):.2f}')") (target < 0.25, peak < 65536 KiB)"
imp_times=(); sqi_times=()
# A fresh database holding the same plans and templates, copied before each import.
rm -f "$OUT/empty.redb"
python3 - "$BIN" "$OUT/csv.redb" "$OUT/empty.redb" <<'PY'
import json, subprocess, sys
bin, src, dst = sys.argv[1:]
def cli(db, *args, capture=False):
    r = subprocess.run([bin, "--db", db, *args], check=True, capture_output=True, text=True)
    return r.stdout
for p in json.loads(cli(src, "plan", "list", "--format", "json")):
    args = ["plan", "add", "--name", p["name"], "--product", p["product"], "--months", str(p["months"]), "--notice-days", str(p["notice_days"])]
    if p["kind"] == "trial": args.append("--trial")
    if not p["managed"]: args.append("--unmanaged")
    cli(dst, *args)
for t in json.loads(cli(src, "template", "list", "--format", "json")):
    cli(dst, "template", "add", "--name", t["name"], "--product", t["product"])
PY
for i in 1 2 3; do
  rm -f "$OUT/fresh.redb" "$OUT/sqi.db"
  cp "$OUT/empty.redb" "$OUT/fresh.redb"
  t=$( { /usr/bin/time -f "%e" $BIN --db "$OUT/fresh.redb" import "$OUT/export.csv" >/dev/null ; } 2>&1 | tail -1)
  imp_times+=("$t")
  s=$( { /usr/bin/time -f "%e" sqlite3 "$OUT/sqi.db" ".mode csv" ".import $OUT/export.csv customers" ; } 2>&1 | tail -1)
  sqi_times+=("$s")
done
i=$(printf '%s\n' "${imp_times[@]}" | median)
si=$(printf '%s\n' "${sqi_times[@]}" | median)
echo "  import: clientele ${i}s   sqlite3 .import ${si}s   ratio $(python3 -c "print(f'{$i/max($si,1e-9):.2f}')") (target < 0.5)"

echo "== 3. keyword filter through the server on $N_CSV customers"
$BIN --db "$OUT/csv.redb" serve --addr 127.0.0.1:0 >"$OUT/serve2.log" 2>&1 &
app_pid=$!
port=$(wait_port "$OUT/serve2.log")
curl -s -o /dev/null "http://127.0.0.1:$port/api/customers?q=warm-up"
for i in $(seq 1 15); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/customers?q=m%C3%BCller&limit=20"
done | median | awk '{printf "  q=müller: median %.1f ms (target < 50 ms at 1,000,000)\n", $1*1000}'
kill $app_pid 2>/dev/null || true
