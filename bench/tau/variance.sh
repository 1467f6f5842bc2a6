#!/usr/bin/env bash
# How much tau-leaping inflates a stationary variance, against the exact law.
#
#   cargo build --release -p senmet-cli
#   bench/tau/variance.sh [path/to/senmet] [runs]
#
# Immigration–death (birth_death.xml.in: 0 -> X at 1000, X -> 0 at 0.1·X,
# X(0) = 0): at time t, X is exactly Poisson with mean 10^4·(1 − e^(−0.1t)),
# so its variance is that mean. The leaps are set by the relaxation bound
# (τ·0.1 = R; ε = 0.5 keeps the variance bound from binding), for the
# midpoint and explicit updates. Linear analysis of one leap gives a
# stationary variance inflated by about R (midpoint) and R/2 (explicit).
# That is with the deaths left to the leap (--exact-decay off); drawn
# exactly (the default, last rows) they need no bound, and the leap is the
# whole 80 time units, exact at any R.
# Prints R, update, exact decay, mean, variance, variance / exact − 1, and
# that ratio's standard error (√(2/runs) for a Poisson law of this size).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
senmet=${1:-$root/target/release/senmet}
runs=${2:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s/@K1@/1000/" "$root/bench/tau/birth_death.xml.in" >"$tmp/model.xml"
t=80
exact=$(awk -v t=$t 'BEGIN { printf "%.6f", 1e4 * (1 - exp(-0.1 * t)) }')
printf 'R\tupdate\texact_decay\tmean\tvariance\tinflation\tse\n'
row() { # R update decay
  "$senmet" simulate "$tmp/model.xml" --method tau --tau-update "$2" --exact-decay "$3" \
    --relaxation "$1" --epsilon 0.5 --t-end "$t" --points 2 --amounts \
    --seed 1 --runs "$runs" --out "$tmp/out.tsv" 2>/dev/null
  tail -n 1 "$tmp/out.tsv" | awk -v r="$1" -v u="$2" -v d="$3" -v e="$exact" -v n="$runs" \
    '{ v = $3 * $3; printf "%s\t%s\t%s\t%.2f\t%.1f\t%+.4f\t%.4f\n", r, u, d, $2, v, v / e - 1, sqrt(2 / n) }'
}
for r in 0.03 0.1 0.2; do
  for update in midpoint explicit; do
    row "$r" "$update" off
  done
done
for update in midpoint explicit; do
  row inf "$update" on
done
