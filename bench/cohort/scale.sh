#!/usr/bin/env bash
# How `senmet cohort` scales with population size: wall time, CPU, per-patient cost and peak
# memory for each size (default 1,000, 10,000 and 100,000 patients × 10 years, 2 threads).
#   cargo build --release -p senmet-cli && bench/cohort/scale.sh [N ...]
# Writes bench/runs/cohort-<UTC time>/summary.md (and prints it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
senmet="${CARGO_TARGET_DIR:-$root/target}/release/senmet"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000 100000)
run="$root/bench/runs/cohort-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
{
  echo "# senmet cohort: cost vs population size"
  echo
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); senmet $("$senmet" --version | cut -d' ' -f2), git $(git -C "$root" rev-parse --short HEAD)"
  echo "command: \`senmet cohort --patients N --seed 1 --threads 2 --out DIR\` (breast, ages 40-90, 10 years)"
  echo
  echo "| patients | wall (s) | CPU (s) | ms per patient (wall) | ms CPU per patient | peak RSS (MB) | load before | load after |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$run/summary.md"
for n in "${sizes[@]}"; do
  before=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
    "$senmet" cohort --patients "$n" --seed 1 --threads 2 --out "$work/c$n" > "$work/log" 2>&1
  read -r wall user sys rss < "$work/time"
  after=$(cut -d' ' -f1 /proc/loadavg)
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$before" -v a="$after" \
    'BEGIN { printf "| %d | %.1f | %.1f | %.3f | %.3f | %.1f | %s | %s |\n", n, w, u + s, 1000 * w / n, 1000 * (u + s) / n, r / 1024, b, a }' \
    >> "$run/summary.md"
  cp "$work/c$n/by_age.tsv" "$run/by_age-$n.tsv"
  rm -rf "$work/c$n"
done
cat "$run/summary.md"
