# Times GSVA::gsva(method = "ssgsea") on a bench_score input and writes its scores.
# Usage: Rscript gsva_time.R DIR OUT.tsv   (DIR holds expr.tsv.gz and sets.gmt)
# Prints: read seconds, gsva elapsed and user seconds, GSVA version.
suppressPackageStartupMessages(library(GSVA))
a <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()
if (requireNamespace("data.table", quietly = TRUE)) {
  d <- data.table::fread(file.path(a[1], "expr.tsv.gz"), sep = "\t", data.table = FALSE)
  x <- as.matrix(d[, -1]); rownames(x) <- d[[1]]; rm(d)
} else {
  x <- as.matrix(read.delim(gzfile(file.path(a[1], "expr.tsv.gz")), row.names = 1, check.names = FALSE))
}
t_read <- (proc.time() - t0)[["elapsed"]]
lines <- strsplit(readLines(file.path(a[1], "sets.gmt")), "\t")
sets <- setNames(lapply(lines, function(l) l[-(1:2)]), vapply(lines, `[`, "", 1))
t <- system.time(es <- suppressWarnings(gsva(x, sets, method = "ssgsea", verbose = FALSE,
                                             BPPARAM = BiocParallel::SerialParam())))
cat("gsva_read", t_read, "\n")
cat("gsva_ssgsea_elapsed", t[["elapsed"]], "\n")
cat("gsva_ssgsea_user", t[["user.self"]], "\n")
cat("gsva_version", format(packageVersion("GSVA")), "\n")
write.table(format(es, digits = 17), a[2], sep = "\t", quote = FALSE, col.names = NA)
