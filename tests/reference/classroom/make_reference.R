# Reference values for tests/classroom/test_reference.py (psych 2.2.9, GPArotation, lavaan 0.6-14, R 4.2).
#
# Run from the repository root, after writing the data sets with export_data.py:
#   .venv/bin/python tests/reference/classroom/export_data.py
#   Rscript tests/reference/classroom/make_reference.R
# Writes tests/reference/classroom/classroom_r.json: for each student id, every value a classroom check expects,
# computed here in R from the exported data set and what the student is told (given.json), independently of
# toolkit.classroom. The number of factors is psych::fa.parallel's (R's own random data, set.seed(1)); the
# check expects the number the data were drawn with, and the two must agree. The CFA exercise uses lavaan's
# defaults (ML, the first loading of each factor fixed to 1) and lavTestLRT.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(lavaan); library(jsonlite)})
dir <- "tests/reference/classroom"
given <- fromJSON(file.path(dir, "given.json"))
read <- function(name, id) {
  x <- read.csv(file.path(dir, sprintf("%s_%s.csv", name, id)), check.names = FALSE, colClasses = c("character"))
  rownames(x) <- x[[1]]; x <- x[-1]; x[] <- lapply(x, as.numeric); x
}
raw_alpha <- function(x) psych::alpha(x, check.keys = FALSE, warnings = FALSE)$total$raw_alpha
out <- list(call = c(alpha = "psych::alpha(x)", icc = "psych::ICC(x, lmer = FALSE)",
                     fa = "psych::fa(x, nfactors, fm = 'minres', rotate = 'oblimin')",
                     parallel = "psych::fa.parallel(x, fm = 'minres', fa = 'fa', n.iter = 20)",
                     cfa = "lavaan::cfa(model, x); lavaan::lavTestLRT(two, one); lavaan::standardizedSolution(two)"),
            versions = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                            GPArotation = as.character(packageVersion("GPArotation")),
                            lavaan = as.character(packageVersion("lavaan"))))
for (id in c("2026001", "ab12")) {
  r <- list()
  # alpha by hand
  x <- read("alpha_by_hand", id)
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  r$alpha_by_hand <- list(covariance = unname(cov(x)), alpha = a$total$raw_alpha, standardized_alpha = a$total$std.alpha)
  # item deletion
  x <- read("item_deletion", id)
  drop <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)$alpha.drop$raw_alpha
  names(drop) <- names(x)
  weakest <- names(which.max(drop))
  rest <- x[setdiff(names(x), weakest)]
  again <- psych::alpha(rest, check.keys = FALSE, warnings = FALSE)$alpha.drop$raw_alpha
  r$item_deletion <- list(alpha_if_deleted = as.list(drop), weakest = weakest, alpha_without = max(drop),
                          drop_another = if (any(again > raw_alpha(rest))) "yes" else "no")
  # test length
  x <- read("test_length", id)
  g <- given[[paste0("test_length_", id)]]
  half <- raw_alpha(x[g$first_half]); full <- raw_alpha(x)
  n <- g$target_reliability * (1 - full) / (full * (1 - g$target_reliability))
  r$test_length <- list(alpha_half = half, predicted_full = 2 * half / (1 + half), alpha_full = full,
                        items_needed = ceiling(n * ncol(x)))
  # alpha and omega
  g <- given[[paste0("alpha_and_omega_", id)]]
  k <- g$n_items; rho <- g$target_reliability; lam <- g$loadings
  tau <- read.csv(file.path(dir, sprintf("alpha_and_omega_tau_%s.csv", id)))
  total_var <- sum(lam)^2 + sum(1 - lam^2)
  r$alpha_and_omega <- list(loading = sqrt(rho / (k - (k - 1) * rho)), sample_alpha = raw_alpha(tau),
                            true_reliability = sum(lam)^2 / total_var,
                            population_alpha = k / (k - 1) * (1 - k / total_var))
  # reading an EFA
  x <- read("reading_an_efa", id)
  g <- given[[paste0("reading_an_efa_", id)]]
  f <- psych::fa(x, nfactors = g$n_factors, fm = "minres", rotate = "oblimin")
  L <- unclass(f$loadings)
  strongest <- apply(abs(L), 1, which.max)
  set.seed(1)
  pa <- suppressMessages(psych::fa.parallel(x, fm = "minres", fa = "fa", n.iter = 20, plot = FALSE))
  r$reading_an_efa <- list(n_factors = pa$nfact, groups = unname(lapply(split(rownames(L), strongest), sort)),
                           communality = unname(f$communality[g$item]),
                           weakest = names(which.min(f$communality)))
  # ICC versus r
  x <- read("icc_vs_r", id)
  res <- psych::ICC(x, lmer = FALSE)$results
  d <- mean(x$rater_b - x$rater_a)
  shifted <- data.frame(rater_a = x$rater_a, rater_b = x$rater_b - d)
  r$icc_vs_r <- list(r = cor(x$rater_a, x$rater_b), icc_agreement = res["Single_random_raters", "ICC"],
                     icc_consistency = res["Single_fixed_raters", "ICC"], mean_difference = d,
                     icc_agreement_shifted = psych::ICC(shifted, lmer = FALSE)$results["Single_random_raters", "ICC"])
  # reading a CFA: one factor against the subscales of the key as correlated factors
  x <- read("reading_a_cfa", id)
  g <- given[[paste0("reading_a_cfa_", id)]]
  one <- lavaan::cfa(paste("general =~", paste(g$items, collapse = " + ")), data = x)
  two <- lavaan::cfa(paste(sapply(names(g$factors), function(f) paste(f, "=~", paste(g$factors[[f]], collapse = " + "))),
                           collapse = "\n"), data = x)
  lrt <- lavaan::lavTestLRT(two, one)
  std <- lavaan::standardizedSolution(two)
  f <- names(g$factors)[sapply(g$factors, function(items) g$item %in% items)]
  a <- g$factor_pair[1]; b <- g$factor_pair[2]
  fm <- c("cfi", "rmsea", "srmr")
  r$reading_a_cfa <- list(one_factor_fit = as.list(unclass(lavaan::fitMeasures(one, fm))),
                          correlated_fit = as.list(unclass(lavaan::fitMeasures(two, fm))),
                          chisq_diff = lrt[2, "Chisq diff"], df_diff = lrt[2, "Df diff"],
                          better_model = if (lrt[2, "Pr(>Chisq)"] < 0.05) "correlated" else "one-factor",
                          std_loading = std$est.std[std$op == "=~" & std$lhs == f & std$rhs == g$item],
                          factor_corr = std$est.std[std$op == "~~" & ((std$lhs == a & std$rhs == b) |
                                                                       (std$lhs == b & std$rhs == a))])
  out[[id]] <- r
}
write_json(out, file.path(dir, "classroom_r.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
