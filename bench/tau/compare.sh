#!/usr/bin/env bash
# Tau-leaping and the hybrid method against the exact SSA, whole runs of the release `senmet`:
# runs per second of each method on the same model, seed and thread count
# (one thread), their ratio, and the final-time means and SDs side by side
# with z-scores, so that a fast wrong answer cannot pass unnoticed.
#
#   cargo build --release -p senmet-cli
#   bench/tau/compare.sh [path/to/senmet]
#
# Cases (a row per case, leap setting and species):
# - the branching metastasis model (crates/cli/data) over the issue's 60
#   days, T, C and M, with the default midpoint update at ε = 0.03 and 0.02
#   and the explicit update at 0.03, both updates with C's removals left to
#   the leap instead of drawn exactly (`midpoint/off`, `--exact-decay off`),
#   and the hybrid method (default partition:
#   T continuous, C and M discrete) with deterministic noise (its T has no
#   noise, so its T SD is 0) and with Langevin noise at ε = 0.03;
#   birth–death below also with Langevin noise, X named continuous;
#   400 SSA runs, 4000 of each other setting;
# - the same model to day 20 (T only; the earlier runs' setting);
# - birth–death (0 -> X at k1, X -> 0 at 0.1·X, X(0) = 0) to t = 50 with
#   k1 = 10, 1000, 100000 (stationary mean 100, 10^4, 10^6); its SBML,
#   birth_death.xml.in, is the peer-benchmark generator's birth_death.xml with
#   k1 left as @K1@.
#
# Agreement (bench/tau/agreement.py, numpy and pandas: the project's
# bench/.venv or $PYTHON): z_mean = (tau mean − SSA mean) / √(s²_ssa/n_ssa +
# s²_tau/n_tau); z_sd = (tau SD − SSA SD) / bootstrap SE of the two SDs,
# which holds for heavy-tailed counts such as M (a few early seedings
# dominate its SD) but has little power there, so the fraction of runs with
# a positive count (the chance of a metastasis) is compared too (z_p_pos,
# binomial SE). Every run's final counts are kept (`--trajectories`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
senmet=${1:-$root/target/release/senmet}
python=${PYTHON:-$root/bench/.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RAYON_NUM_THREADS=1

birth_death() { # k1 -> SBML on stdout
  sed "s/@K1@/$1/" "$root/bench/tau/birth_death.xml.in"
}

# Wall time of one command in seconds; its TSV goes to the file $1.
timed() {
  local out=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@" --out "$out"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

printf 'model\tt_end\tupdate\tepsilon\tssa_runs\tssa_runs_per_s\ttau_runs\ttau_runs_per_s\tratio\tspecies\tssa_mean\tssa_sd\ttau_mean\ttau_sd\tz_mean\tz_sd\tssa_p_pos\ttau_p_pos\tz_p_pos\n'
# name model t_end ssa_runs tau_runs "species..." "update:epsilon..."
case_() {
  local name=$1 model=$2 t_end=$3 n=$4 m=$5 species=$6 settings=$7
  local args=(simulate "$model" --t-end "$t_end" --points 2 --amounts --seed 1 --trajectories)
  local ts rs
  ts=$(timed "$tmp/ssa.tsv" "$senmet" "${args[@]}" --method ssa --runs "$n")
  rs=$(echo "$n / $ts" | bc -l)
  for setting in $settings; do
    local update=${setting%:*} eps=${setting#*:} tt rt
    if [ "$setting" = hybrid ]; then
      update=hybrid eps=-
      tt=$(timed "$tmp/tau.tsv" "$senmet" "${args[@]}" --method hybrid --runs "$m")
    elif [ "${setting%%[:=]*}" = langevin ]; then
      # langevin[=ID,...]:eps: the named species continuous (else the default partition).
      local named=() ids
      update=hybrid-langevin
      if [[ $setting == langevin=* ]]; then
        ids=${setting#langevin=} ids=${ids%%:*}
        update+=" ($ids continuous)" named=(--continuous "$ids")
      fi
      tt=$(timed "$tmp/tau.tsv" "$senmet" "${args[@]}" --method hybrid --noise langevin \
        "${named[@]}" --epsilon "$eps" --runs "$m")
    else
      # update[/off]:eps, "/off": removals left to the leap (--exact-decay off).
      local decay=on
      [[ $update == */off ]] && decay=off
      tt=$(timed "$tmp/tau.tsv" "$senmet" "${args[@]}" --method tau --tau-update "${update%/off}" \
        --exact-decay "$decay" --epsilon "$eps" --runs "$m")
    fi
    rt=$(echo "$m / $tt" | bc -l)
    "$python" "$root/bench/tau/agreement.py" "$tmp/ssa.tsv" "$tmp/tau.tsv" "${species// /,}" |
      while IFS=$'\t' read -r sp rest; do
        printf '%s\t%s\t%s\t%s\t%d\t%.4g\t%d\t%.4g\t%.3g\t%s\t%s\n' "$name" "$t_end" "$update" \
          "$eps" "$n" "$rs" "$m" "$rt" "$(echo "$rt / $rs" | bc -l)" "$sp" "$rest"
      done
  done
}

branching=$root/crates/cli/data/metastasis_branching.xml
case_ metastasis_branching "$branching" 60 400 4000 "T C M" "midpoint:0.03 midpoint:0.02 explicit:0.03 midpoint/off:0.03 explicit/off:0.03 hybrid langevin:0.03"
case_ metastasis_branching "$branching" 20 300 3000 T "midpoint:0.03 explicit:0.03"
for k1 in 10 1000 100000; do
  birth_death "$k1" >"$tmp/bd_$k1.xml"
  runs=$((400000 / k1)); [ "$runs" -lt 30 ] && runs=30
  case_ "birth_death_k1=$k1" "$tmp/bd_$k1.xml" 50 "$runs" $((10 * runs)) X \
    "midpoint:0.03 explicit:0.03 midpoint/off:0.03 langevin=X:0.03"
done
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $("$senmet" --version)" >&2
