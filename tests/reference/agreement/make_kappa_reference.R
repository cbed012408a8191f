# Reference values of Cohen's kappa and its standard error for tests/agreement (psych::cohen.kappa).
#
# Run from the repository root after `python -m tests.agreement._data` wrote kappa_pairs.csv:
#   Rscript tests/reference/agreement/make_kappa_reference.R
# (set PSYCH_LIB to a library holding psych >= 2.3.3 if the default one has an older psych).
# Writes tests/reference/agreement/kappa.json: per set of pairs, the unweighted, linear and quadratic kappa
# with psych's variance (Fleiss, Cohen & Everitt 1969) and 95% bounds, on every point of the scale.
#
# psych before 2.3.3 weighted the row margins by the row sums of the weights (rowSums(w * rs)) instead of
# the column sums (colSums(w * rs)), which gives another, often negative (then clipped to 0), variance of a
# weighted kappa; 2.3.3 went back to Fleiss, Cohen & Everitt's formula. Hence the version check.
lib <- Sys.getenv("PSYCH_LIB")
if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
suppressPackageStartupMessages({ library(psych); library(jsonlite) })
if (packageVersion("psych") < "2.3.3")
  stop("psych >= 2.3.3 is needed (weighted-kappa variance); set PSYCH_LIB to a library that holds one")
dir <- "tests/reference/agreement"
d <- read.csv(file.path(dir, "kappa_pairs.csv"))

one <- function(block) {
  lv <- seq(block$k_min[1], block$k_max[1])
  k <- length(lv)
  gap <- outer(seq_len(k), seq_len(k), "-")
  x <- cbind(block$a, block$b)
  fit <- function(w) {
    ck <- psych::cohen.kappa(x, w = w, levels = lv, alpha = 0.05)
    list(kappa = ck$kappa, var_kappa = ck$var.kappa, lower = ck$confid[1, "lower"], upper = ck$confid[1, "upper"],
         weighted = ck$weighted.kappa, var_weighted = ck$var.weighted, weighted_lower = ck$confid[2, "lower"],
         weighted_upper = ck$confid[2, "upper"], n = ck$n.obs)
  }
  default <- psych::cohen.kappa(x, levels = lv)  # psych's default weights: quadratic
  list(levels = lv, none = fit(diag(k)), linear = fit(1 - abs(gap) / (k - 1)),
       quadratic = fit(1 - gap^2 / (k - 1)^2), default_weighted = default$weighted.kappa,
       default_var_weighted = default$var.weighted)
}

out <- lapply(split(d, d$set), one)
out$versions <- list(R = R.version.string, psych = as.character(packageVersion("psych")))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(dir, "kappa.json"))
cat("wrote", file.path(dir, "kappa.json"), "\n")
