# ssGSEA reference: GSVA::gsva(method = "ssgsea"), defaults (alpha 0.25, ssgsea.norm = TRUE).
# Usage: Rscript gsva_ref.R expr.tsv sets.gmt out.tsv
suppressPackageStartupMessages(library(GSVA))
a <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.delim(a[1], row.names = 1, check.names = FALSE))
lines <- strsplit(readLines(a[2]), "\t")
sets <- setNames(lapply(lines, function(l) l[-(1:2)]), vapply(lines, `[`, "", 1))
es <- suppressWarnings(gsva(x, sets, method = "ssgsea", verbose = FALSE))
write.table(format(es, digits = 17), a[3], sep = "\t", quote = FALSE, col.names = NA)
