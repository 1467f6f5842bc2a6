# Cox PH reference: survival::coxph(Surv(time, event) ~ feature + age, ties = "efron"),
# per cancer type and feature. Prints: type, feature, coef, se, z, p (of the feature).
# Usage: Rscript cox_ref.R table.tsv   (columns: features..., time, event, age, cancer_type)
suppressPackageStartupMessages(library(survival))
a <- commandArgs(trailingOnly = TRUE)
d <- read.delim(a[1], check.names = FALSE)
feats <- setdiff(names(d), c("time", "event", "age", "cancer_type"))
for (f in feats) for (t in sort(unique(d$cancer_type))) {
  s <- d[d$cancer_type == t & !is.na(d$age), ]
  fit <- coxph(Surv(s$time, s$event) ~ s[[f]] + s$age, ties = "efron",
               control = coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-15))
  co <- summary(fit)$coefficients
  cat(t, f, sprintf("%.17g", co[1, c("coef", "se(coef)", "z", "Pr(>|z|)")]), sep = "\t")
  cat("\n")
}
