#!/usr/bin/env python3
"""Make the GSE1992 test subset in crates/cli/tests/data/gse1992/ from ../shared (see its README).

Keeps all 124 samples and the rows of PTEN, LATS2, every HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION
gene present, and every 20th other data row (0-based row index divisible by 20); gzip with mtime 0.
Usage (repository root): python3 bench/signature/subset_gse1992.py /work/shared/data/cohorts/gse1992_unc_breast
"""
import gzip
import shutil
import sys

src = sys.argv[1]
out = "crates/cli/tests/data/gse1992"
emt = set(open("crates/stats/data/hallmark_emt.v7.0.gmt").read().strip().split("\t")[2:])
keep = []
with gzip.open(f"{src}/expression.tsv.gz", "rt") as f:
    header = f.readline()
    for i, line in enumerate(f):
        gene = line.split("\t", 1)[0]
        if gene in ("PTEN", "LATS2") or gene in emt or i % 20 == 0:
            keep.append(line)
with gzip.GzipFile(f"{out}/expression.tsv.gz", "wb", mtime=0) as g:
    g.write((header + "".join(keep)).encode())
shutil.copyfile(f"{src}/clinical.tsv", f"{out}/clinical.tsv")
print(f"{len(keep)} genes kept")
