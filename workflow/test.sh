#!/usr/bin/env bash
# Runs the sharded cohort workflow with Snakemake (--cores 2) on a small cohort
# and checks that the merged tables equal an unsharded `senmet cohort` run.
# Installs Snakemake from PyPI into workflow/.venv (git-ignored) if missing.
# Usage: workflow/test.sh [path/to/senmet]   (default: target/debug/senmet, built here)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
senmet=${1:-}
if [[ -z $senmet ]]; then
    cargo build --quiet -p senmet-cli --bin senmet
    senmet=$root/target/debug/senmet
fi
venv=$root/workflow/.venv
if [[ ! -x $venv/bin/snakemake ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "snakemake>=9,<10"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
settings=(patients=24 shards=3 chunk=4 seed=11 out=cohort)
"$venv/bin/snakemake" -s workflow/Snakefile --cores 2 --quiet all \
    --directory "$work" --config senmet="$senmet" "${settings[@]}"
"$senmet" cohort --patients 24 --chunk 4 --seed 11 --out "$work/single" 2>/dev/null >/dev/null
for table in patients.tsv by_age.tsv survival.tsv cox.tsv patients.parquet; do
    cmp "$work/cohort/merged/$table" "$work/single/$table"
done
echo "workflow: 3 Snakemake shards merged = one unsharded run (24 patients)"
