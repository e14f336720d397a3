# Sourced by the benchmarks: installs the tools they need when missing.
# Usage: need_tools TOOL…  (/usr/bin/time is the package `time`)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need_tools() {
  local need=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null || need+=("$tool"); done
  command -v /usr/bin/time >/dev/null || need+=(time)
  if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}
