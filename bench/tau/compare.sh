#!/usr/bin/env bash
# Tau-leaping against the exact SSA, whole runs of the release `senmet`:
# runs per second of each method on the same model, seed and thread count
# (one thread), their ratio, and the final-time means and SDs side by side
# so that a fast wrong answer cannot pass unnoticed. Each model runs tau with
# both leap updates (`--tau-update midpoint`, the default, and `explicit`).
#
#   cargo build --release -p senmet-cli
#   bench/tau/compare.sh [path/to/senmet]
#
# Models: the branching metastasis model (crates/cli/data) to day 20, and
# birth–death (0 -> X at k1, X -> 0 at 0.1·X, X(0) = 0) to t = 50 with
# k1 = 10, 1000, 100000 (stationary mean 100, 10^4, 10^6); its SBML,
# birth_death.xml.in, is the peer-benchmark generator's birth_death.xml with
# k1 left as @K1@. Each SSA run count is chosen so the SSA takes a few
# seconds; tau runs 10x as many.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
senmet=${1:-$root/target/release/senmet}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RAYON_NUM_THREADS=1

birth_death() { # k1 -> SBML on stdout
  sed "s/@K1@/$1/" "$root/bench/tau/birth_death.xml.in"
}

# Wall time of one command in seconds.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$tmp/out.tsv"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

printf 'model\tt_end\tupdate\tssa_runs\tssa_runs_per_s\ttau_runs\ttau_runs_per_s\tratio\tspecies\tssa_mean\tssa_sd\ttau_mean\ttau_sd\n'
case_() { # name model t_end ssa_runs species
  local name=$1 model=$2 t_end=$3 n=$4 sp=$5 m=$((10 * $4))
  local args=(simulate "$model" --t-end "$t_end" --points 2 --amounts --seed 1)
  local ts tt
  ts=$(timed "$senmet" "${args[@]}" --method ssa --runs "$n")
  read -r sm ss < <(awk -v s="$sp" -F'\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} END{print $c[s"-mean"], $c[s"-sd"]}' "$tmp/out.tsv")
  local rs
  rs=$(echo "$n / $ts" | bc -l)
  for update in midpoint explicit; do
    tt=$(timed "$senmet" "${args[@]}" --method tau --tau-update "$update" --runs "$m")
    read -r tm tsd < <(awk -v s="$sp" -F'\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} END{print $c[s"-mean"], $c[s"-sd"]}' "$tmp/out.tsv")
    local rt
    rt=$(echo "$m / $tt" | bc -l)
    printf '%s\t%s\t%s\t%d\t%.4g\t%d\t%.4g\t%.3g\t%s\t%.6g\t%.4g\t%.6g\t%.4g\n' \
      "$name" "$t_end" "$update" "$n" "$rs" "$m" "$rt" "$(echo "$rt / $rs" | bc -l)" "$sp" "$sm" "$ss" "$tm" "$tsd"
  done
}

case_ metastasis_branching "$root/crates/cli/data/metastasis_branching.xml" 20 300 T
for k1 in 10 1000 100000; do
  birth_death "$k1" >"$tmp/bd_$k1.xml"
  runs=$((400000 / k1)); [ "$runs" -lt 2 ] && runs=2
  case_ "birth_death_k1=$k1" "$tmp/bd_$k1.xml" 50 "$runs" X
done
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $("$senmet" --version)" >&2
