# DerSimonian–Laird reference: metafor::rma(yi, vi, method = "DL"), per (feature, test).
# Usage: Rscript meta_ref.R in.tsv   (columns feature, test, y, v); prints
# feature, test, k, estimate, se, ci.lb, ci.ub, pval, QE, I2 (fraction), tau2
suppressPackageStartupMessages(library(metafor))
d <- read.delim(commandArgs(trailingOnly = TRUE)[1])
for (key in unique(paste(d$feature, d$test, sep = "\r"))) {
  s <- d[paste(d$feature, d$test, sep = "\r") == key, ]
  r <- rma(yi = s$y, vi = s$v, method = "DL")
  cat(s$feature[1], s$test[1], nrow(s), sprintf("%.17g", c(r$b, r$se, r$ci.lb, r$ci.ub, r$pval,
      r$QE, r$I2 / 100, r$tau2)), sep = "\t")
  cat("\n")
}
