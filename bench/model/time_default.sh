#!/usr/bin/env bash
# Wall time of the whole default experiment (`senmet run`, no arguments), a few repetitions.
#   cargo build --release -p senmet-cli && bench/model/time_default.sh [REPS]
# Prints each run's wall time, the median and the cost per subject, with the load average
# (the 30 s goal is for an otherwise idle 2-core machine).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
senmet="${CARGO_TARGET_DIR:-$root/target}/release/senmet"
reps="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
times=()
for i in $(seq "$reps"); do
  start=$(date +%s.%N)
  "$senmet" run --out "$out/run" --force > "$out/log" 2>&1
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  times+=("$t")
  printf 'run %d: %.2f s\n' "$i" "$t"
done
subjects=$(( $(wc -l < "$out/run/subjects.tsv") - 1 ))
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
printf 'median %.2f s for %d subjects: %.1f ms per subject (wall, all cores); load average after: %s\n' \
  "$median" "$subjects" "$(echo "$median * 1000 / $subjects" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
