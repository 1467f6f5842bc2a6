#!/usr/bin/env python3
"""Spearman correlation of senmet's gene scores with TargetScan 7.2's total context++ scores.

For the miR-25/92 (AUUGCAC) and miR-30 (GUAAACA) families: runs `senmet targets` on the human
members of both families (from TargetScan's miR_Family_Info.txt) over the 4,025 miRAW 3'UTRs, and
compares the family gene score with TargetScanHuman 7.2's `Total context++ score` (conserved-family
summary) for genes present in both. Also reports the subset whose miRAW UTR has exactly the length
of TargetScan 7's representative 3'UTR (from TSHuman_7_hg19_3UTRs.gff), i.e. likely the same sequence.

Run from the repository root, after `cargo build --release -p senmet-cli`:
    bench/.venv/bin/python bench/targets/spearman.py [DATA_DIR]
(needs scipy: python3 -m venv bench/.venv && bench/.venv/bin/python -m pip install scipy numpy)
"""
import collections
import csv
import gzip
import os
import subprocess
import sys
import tempfile

from scipy import stats

DATA = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
FAMILIES = {"miR-25-3p/32-5p/92-3p/363-3p/367-3p": "AUUGCAC", "miR-30-5p": "GUAAACA"}
SENMET = "target/release/senmet"


def members():
    ids = set()
    with open(f"{DATA}/mirna/miR_Family_Info.txt") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["miR_family"] in FAMILIES and row["Species_ID"] == "9606":
                ids.add(row["MiRBase_ID"])
    return ids


def write_mirnas(path, ids):
    with open(f"{DATA}/mirna/hsa_mmu_mature.fa") as f, open(path, "w") as out:
        keep = False
        for line in f:
            if line.startswith(">"):
                keep = line[1:].split()[0] in ids
            if keep:
                out.write(line)


def ts_lengths():
    """TargetScan 7 3'UTR length per transcript (sum of GFF segments)."""
    lengths = collections.Counter()
    with gzip.open(f"{DATA}/targetscan/TSHuman_7_hg19_3UTRs.gff.gz", "rt") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 9:
                lengths[fields[8].split(".")[0]] += int(fields[4]) - int(fields[3]) + 1
    return lengths


def our_utrs():
    """symbol -> (representative transcript, length) from the miRAW FASTA headers."""
    out = {}
    with gzip.open(f"{DATA}/utr3/human_3utr_miRAW_4025.fa.gz", "rt") as f:
        for line in f:
            if line.startswith(">"):
                kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
                out[kv["symbol"]] = (kv["targetscan72_rep_transcript"].split(".")[0], int(kv["len"]))
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="senmet-spearman-")
    mirnas = os.path.join(tmp, "family_mirnas.fa")
    write_mirnas(mirnas, members())
    subprocess.run([SENMET, "targets", "--mirnas", mirnas, "--utrs",
                    f"{DATA}/utr3/human_3utr_miRAW_4025.fa.gz", "--families",
                    f"{DATA}/mirna/miR_Family_Info.txt", "--species", "hsa", "--out", tmp],
                   check=True)
    ours = collections.defaultdict(dict)
    with open(os.path.join(tmp, "genes.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            ours[row["family"]][row["gene"]] = float(row["score"])
    # Per-miRNA gene scores (sum of site scores), to score TargetScan's representative miRNA.
    per_mirna = collections.Counter()
    with open(os.path.join(tmp, "sites.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["score"] != "NA":
                per_mirna[(row["gene"], row["mirna"])] += float(row["score"])
    theirs = collections.defaultdict(dict)
    with open(f"{DATA}/targetscan/TS72_human_conserved_miR25-92_miR30_families.tsv") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            theirs[row["miRNA family"]][row["Gene Symbol"]] = (
                row["Transcript ID"], float(row["Total context++ score"]),
                row["Representative miRNA"])
    lengths, utrs = ts_lengths(), our_utrs()
    print("family\tsubset\tn_genes\tspearman_rho (family score)\tp\t"
          "spearman_rho (TS representative miRNA's score)\tp")
    for family, seed in FAMILIES.items():
        shared = sorted(g for g in theirs[seed] if g in ours[family])
        same = [g for g in shared if g in utrs and utrs[g][0] == theirs[seed][g][0]
                and lengths.get(utrs[g][0]) == utrs[g][1]]
        for name, genes in [("shared genes", shared), ("same UTR length as TS7", same)]:
            ts = [theirs[seed][g][1] for g in genes]
            rho, p = stats.spearmanr([ours[family][g] for g in genes], ts)
            rep = [per_mirna[(g, theirs[seed][g][2])] for g in genes]
            rho_rep, p_rep = stats.spearmanr(rep, ts)
            print(f"{family}\t{name}\t{len(genes)}\t{rho:.3f}\t{p:.2e}\t{rho_rep:.3f}\t{p_rep:.2e}")


if __name__ == "__main__":
    main()
