#!/usr/bin/env bash
# Side-by-side scoring benchmark: senmet-stats vs R GSVA ssGSEA on the same input, plus the
# 10,000 x 20,000 x 50 whole run and the streaming read of a ~1 GB TSV.gz.
# Usage (repository root): bash bench/signature/bench.sh [WORKDIR]   (default /tmp/senmet-bench)
# Needs: R with r-bioc-gsva (Debian), python3. Writes bench/runs/signature-<date>/{raw.tsv,summary.md}.
set -euo pipefail
work=${1:-/tmp/senmet-bench}
run=bench/runs/signature-$(date -u +%Y%m%dT%H%MZ)
mkdir -p "$work" "$run"
cargo build --release -q -p senmet-stats --example bench_score
bin=target/release/examples/bench_score
[ -f "$work/s1000/expr.tsv.gz" ] || "$bin" gen "$work/s1000" 1000 20000 50 1
[ -f "$work/s10000/expr.tsv.gz" ] || "$bin" gen "$work/s10000" 10000 20000 50 2
raw=$run/raw.tsv
echo -e "case\tphase\tseconds\tdetail" > "$raw"
# 1. Same input (1,000 samples x 20,000 genes x 50 sets): ours, then GSVA.
"$bin" run "$work/s1000" singscore,ssgsea,zscore | sed 's/^/ours_1000\t/' >> "$raw"
"$bin" ssgsea "$work/s1000" "$work/ours_ssgsea_1000.tsv"
Rscript bench/signature/gsva_time.R "$work/s1000" "$work/gsva_ssgsea_1000.tsv" \
  | awk '$1 ~ /^gsva_/ {print "gsva_1000\t"$1"\t"$2"\t"}' >> "$raw"
python3 - "$work/ours_ssgsea_1000.tsv" "$work/gsva_ssgsea_1000.tsv" >> "$raw" <<'PY'
import sys
def load(p):
    rows = [l.rstrip("\n").split("\t") for l in open(p)]
    return {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}
a, b = load(sys.argv[1]), load(sys.argv[2])
d = max(abs(x - y) for k in a for x, y in zip(a[k], b[k]))
print(f"agreement_1000\tmax_abs_diff_ssgsea\t0\t{d:.3e} over {len(a)} sets x {len(next(iter(a.values())))} samples")
PY
# 2. The 10,000-sample whole run (read + each method + all three), peak memory.
/usr/bin/time -f "time_v\t%e\t%U user, %M KB max RSS" "$bin" run "$work/s10000" singscore,ssgsea,zscore \
  2> >(sed 's/^/ours_10000\t/' >> "$raw") | sed 's/^/ours_10000\t/' >> "$raw"
sleep 1
ls -l "$work/s10000/expr.tsv.gz" | awk '{print "input_10000\tgz_bytes\t0\t"$5}' >> "$raw"
{
  echo "# signature scoring benchmark $(date -u +%FT%TZ)"
  echo; echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "R $(R --version | head -1 | cut -d' ' -f3), GSVA $(awk '$2=="gsva_version"{print $3}' "$raw"); rustc $(rustc --version | cut -d' ' -f2)"
  echo; echo '```'; column -t -s $'\t' "$raw"; echo '```'
} > "$run/summary.md"
cat "$run/summary.md"
