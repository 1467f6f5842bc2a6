#!/usr/bin/env bash
# Whole runs, side by side: `senmet targets` vs RNAhybrid (Debian package `rnahybrid`) on the
# study's 4 human miRNAs (miR-25-3p, miR-92a-3p, miR-30c-5p, miR-30d-5p) x the 4,025 miRAW
# human 3'UTRs (8.2 Mb), and senmet alone on all hsa+mmu miRBase 22.1 mature miRNAs.
# TargetScan's Perl scripts are not in any registry reachable here (crates.io, PyPI, npm,
# Debian: `apt-cache search targetscan` finds nothing), so they are not run.
#
# Usage (repository root):  bench/targets/side_by_side.sh [DATA_DIR] [SAMPLES]
# Needs: apt-get install -y rnahybrid. Writes bench/runs/targets-<UTC time>/{raw.csv,summary,README.md}.
# Each command: one warm-up run, then SAMPLES timed runs (RNAhybrid: 1 run, it takes minutes).
# The line count of each output is recorded next to its time, so a wrong answer cannot win.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
SAMPLES=${2:-3}
cargo build --release -q -p senmet-cli
SENMET=$PWD/target/release/senmet
RUN=bench/runs/targets-$(date -u +%Y%m%dT%H%M%SZ)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo "+uncommitted")
TMP=$RUN/tmp
mkdir -p "$TMP"
zcat "$DATA/utr3/human_3utr_miRAW_4025.fa.gz" > "$TMP/utrs.fa"
grep -A1 -E '^>hsa-miR-(25-3p|92a-3p|30c-5p|30d-5p) ' "$DATA/mirna/hsa_mmu_mature.fa" \
  | grep -v -- '^--$' > "$TMP/study4.fa"
echo "tool,case,sample,seconds,output_lines" > "$RUN/raw.csv"

# run NAME CASE N OUTPUT_FILE CMD...: warm-up unless N=1, then N timed samples.
run() {
  local name=$1 case=$2 n=$3 out=$4
  shift 4
  if [ "$n" -gt 1 ]; then "$@" > /dev/null 2>&1; fi
  for i in $(seq 1 "$n"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$TMP/stdout" 2> "$TMP/stderr"
    t1=$(date +%s.%N)
    local lines
    lines=$(wc -l < "$out")
    echo "$name,$case,$i,$(echo "$t1 - $t0" | bc),$lines" | tee -a "$RUN/raw.csv"
  done
}

run senmet-2threads study4 "$SAMPLES" "$TMP/s4/sites.tsv" \
  "$SENMET" targets --mirnas "$TMP/study4.fa" --utrs "$TMP/utrs.fa" --out "$TMP/s4" --threads 2
run senmet-1thread study4 "$SAMPLES" "$TMP/s4/sites.tsv" \
  "$SENMET" targets --mirnas "$TMP/study4.fa" --utrs "$TMP/utrs.fa" --out "$TMP/s4" --threads 1
run senmet-2threads-no-offset6mer study4 "$SAMPLES" "$TMP/s4/sites.tsv" \
  "$SENMET" targets --mirnas "$TMP/study4.fa" --utrs "$TMP/utrs.fa" --out "$TMP/s4" --threads 2 --no-offset-6mer
run senmet-2threads all_hsa_mmu "$SAMPLES" "$TMP/all/sites.tsv" \
  "$SENMET" targets --mirnas "$DATA/mirna/hsa_mmu_mature.fa" --utrs "$TMP/utrs.fa" --out "$TMP/all" --threads 2
# RNAhybrid: best hit per miRNA x UTR (its default -b 1), human 3'UTR statistics,
# -m raised above the longest UTR (32,870 nt; the default is 2,000).
run rnahybrid study4 1 "$TMP/stdout" \
  RNAhybrid -c -s 3utr_human -m 40000 -t "$TMP/utrs.fa" -q "$TMP/study4.fa"

python3 - "$RUN/raw.csv" > "$RUN/summary" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault((r["tool"], r["case"]), []).append((float(r["seconds"]), r["output_lines"]))
mean = {k: statistics.mean(t for t, _ in v) for k, v in by.items()}
for (tool, case), v in by.items():
    sd = statistics.stdev([t for t, _ in v]) if len(v) > 1 else 0.0
    print(f"{tool:24s} {case:12s} n={len(v)} mean={mean[(tool, case)]:.3f}s sd={sd:.3f}s lines={v[0][1]}")
rh = mean.get(("rnahybrid", "study4"))
for tool in ("senmet-2threads", "senmet-1thread"):
    if rh and (tool, "study4") in mean:
        print(f"ratio rnahybrid/{tool} (study4): {rh / mean[(tool, 'study4')]:.0f}x")
PY
cat > "$RUN/README.md" <<EOF2
Run of bench/targets/side_by_side.sh, finished $(date -u +%FT%TZ), on $(nproc) cores ($(uname -m)),
load average at start: $LOAD_AT_START, at end: $(cut -d' ' -f1-3 /proc/loadavg).
senmet $COMMIT; rnahybrid $(dpkg-query -W -f '${Version}' rnahybrid 2>/dev/null || echo unknown).
Inputs: miRAW 4,025 human 3'UTRs (8,218,878 nt); miRBase 22.1 hsa+mmu mature (4,634 miRNAs).
EOF2
rm -rf "$TMP"
cat "$RUN/summary"
