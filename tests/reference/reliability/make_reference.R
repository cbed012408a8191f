# Reference values for tests/reliability (psych 2.2.9, semTools 0.5-6, lavaan 0.6-14, R 4.2).
#
# Run from the repository root:
#   Rscript tests/reference/reliability/make_reference.R <pingouin datasets dir> [data-samples dir]
# Writes tests/reference/reliability/<dataset>.json, one file per data set. Items are keyed here in R
# (reversed as min + max - x), independently of the Python code under test.
suppressPackageStartupMessages({
  library(psych); library(lavaan); library(semTools); library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
pg_dir <- if (length(args) >= 1) args[1] else ".venv/lib/python3.11/site-packages/pingouin/datasets"
sample_dir <- if (length(args) >= 2) args[2] else "data-samples"
out_dir <- "tests/reference/reliability"

reverse <- function(x, rev, lo, hi) { for (v in rev) x[[v]] <- lo + hi - x[[v]]; x }

alpha_ref <- function(x) {
  # psych::alpha(x, warnings = FALSE)  -- x already keyed; use = "pairwise" (psych default)
  a <- suppressWarnings(psych::alpha(x, warnings = FALSE, check.keys = FALSE))
  out <- list(total = as.list(a$total), feldt = list(lower = a$feldt$lower.ci[[1]], upper = a$feldt$upper.ci[[1]]),
              alpha_drop = as.list(a$alpha.drop), item_stats = as.list(a$item.stats),
              items = rownames(a$item.stats), response_freq = unclass(as.data.frame(a$response.freq)))
  if (ncol(x) >= 2) {
    s <- suppressWarnings(psych::splitHalf(x, check.keys = FALSE))
    out$split <- list(maxrb = s$maxrb, minrb = s$minrb, meanr = s$meanr, av.r = s$av.r, med.r = s$med.r,
                      alpha = s$alpha, lambda2 = s$lambda2, lambda6 = s$lambda6,
                      exact = choose(ncol(x), trunc(ncol(x) / 2)) / 2 <= 10000)
    # Spearman-Brown of the odd-even split, from cov2cor(pairwise covariances), the matrix splitHalf uses
    r <- cov2cor(cov(x, use = "pairwise")); A <- seq(1, ncol(x), 2); B <- seq(2, ncol(x), 2)
    rab <- sum(r[A, B]) / sqrt(sum(r[A, A]) * sum(r[B, B]))
    out$split$sb_odd_even <- 2 * rab / (1 + rab)
  }
  out
}

cfa_ref <- function(x, keys) {
  # semTools::compRelSEM(lavaan::cfa(model, x, std.lv = TRUE), return.total = TRUE)  (ML, listwise)
  res <- list()
  for (nm in names(keys)) {
    if (length(keys[[nm]]) < 3) next
    m <- paste0(nm, " =~ ", paste(keys[[nm]], collapse = " + "))
    fit <- cfa(m, data = x, std.lv = TRUE)
    res[[nm]] <- list(omega = compRelSEM(fit)[[1]], loadings = unname(lavInspect(fit, "est")$lambda[, 1]),
                      n = lavInspect(fit, "nobs"))
  }
  # one factor over all items (unidimensional omega of the total)
  allitems <- unlist(keys, use.names = FALSE)
  fit1 <- cfa(paste0("g =~ ", paste(allitems, collapse = " + ")), data = x, std.lv = TRUE)
  res[["total_one_factor"]] <- list(omega = compRelSEM(fit1)[[1]], n = lavInspect(fit1, "nobs"))
  if (length(keys) > 1) {
    m <- paste(sapply(names(keys), function(nm) paste0(nm, " =~ ", paste(keys[[nm]], collapse = " + "))), collapse = "\n")
    fit <- cfa(m, data = x, std.lv = TRUE)
    cr <- compRelSEM(fit, return.total = TRUE)
    res[["total_correlated"]] <- list(omega = cr[["total"]], per_factor = as.list(cr))
  }
  res
}

omega_ref <- function(x, nfactors) {
  # psych::omega(x, nfactors = k, fm = "minres", rotate = "oblimin", plot = FALSE)  (pairwise correlations)
  o <- suppressWarnings(psych::omega(x, nfactors = nfactors, plot = FALSE))
  list(omega_h = o$omega_h, omega_t = o$omega.tot, alpha = o$alpha, nfactors = nfactors)
}

ordinal_ref <- function(x, scales, nfactors) {
  # psych::alpha(psych::polychoric(x)$rho)$total$raw_alpha per scale (Zumbo's ordinal alpha);
  # psych::omega(x, nfactors = k, poly = TRUE) for the total
  out <- list(alpha = list(), omega_t_1f = list())
  for (nm in names(scales)) {
    rho <- suppressWarnings(psych::polychoric(x[, scales[[nm]]])$rho)
    out$alpha[[nm]] <- suppressWarnings(psych::alpha(rho, warnings = FALSE))$total$raw_alpha
    # one-factor ordinal omega of a subscale: psych::omega(x, nfactors = 1, poly = TRUE)$omega.tot
    if (nm != "total") out$omega_t_1f[[nm]] <- suppressMessages(suppressWarnings(
      psych::omega(x[, scales[[nm]]], nfactors = 1, poly = TRUE, plot = FALSE)))$omega.tot
  }
  o <- suppressWarnings(psych::omega(x[, scales$total], nfactors = nfactors, poly = TRUE, plot = FALSE))
  out$omega_h <- o$omega_h; out$omega_t <- o$omega.tot
  out
}

dataset_ref <- function(x, keys, lo, hi, rev, nfactors = NULL, cfa = TRUE, ordinal = FALSE) {
  x <- reverse(x, rev, lo, hi)
  # the total's items in column-name order (= item-number order, as the toolkit's instrument route)
  scales <- c(keys, list(total = sort(unlist(keys, use.names = FALSE))))
  out <- list(keys = keys, reversed = rev, lo = lo, hi = hi, pairwise = list(), listwise = list())
  for (nm in names(scales)) {
    xi <- x[, scales[[nm]], drop = FALSE]
    out$pairwise[[nm]] <- alpha_ref(xi)
    out$listwise[[nm]] <- alpha_ref(na.omit(xi))
    out$listwise[[nm]]$n_complete <- nrow(na.omit(xi))
  }
  if (cfa) out$cfa <- cfa_ref(x, keys)
  if (!is.null(nfactors)) out$omega <- omega_ref(x[, unlist(keys)], nfactors)
  if (ordinal) out$ordinal <- ordinal_ref(x, scales, nfactors)
  out
}

write_ref <- function(obj, name) {
  writeLines(toJSON(obj, digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE),
             file.path(out_dir, paste0(name, ".json")))
  cat("wrote", name, "\n")
}

# ---- psych's bfi with its five keyed scales ---------------------------------------------------
bfi <- psychTools::bfi[, 1:25]
bfi_keys <- list(agree = paste0("A", 1:5), conscientious = paste0("C", 1:5), extraversion = paste0("E", 1:5),
                 neuroticism = paste0("N", 1:5), openness = paste0("O", 1:5))
write_ref(dataset_ref(bfi, bfi_keys, 1, 6, c("A1", "C4", "C5", "E1", "E2", "O2", "O5"), nfactors = 5,
                      ordinal = TRUE), "bfi")

# ---- pingouin's data ---------------------------------------------------------------------------
ca <- read.csv(file.path(pg_dir, "cronbach_alpha.csv"))
ca_w <- reshape(ca, idvar = "Subj", timevar = "Items", direction = "wide")[, -1]
colnames(ca_w) <- sub("Scores.", "", colnames(ca_w))
write_ref(dataset_ref(ca_w, list(scale = colnames(ca_w)), 0, 0, character(0), cfa = FALSE), "pingouin_cronbach_alpha")
cm <- read.csv(file.path(pg_dir, "cronbach_wide_missing.csv"), fileEncoding = "UTF-8-BOM")
write_ref(dataset_ref(cm, list(scale = colnames(cm)), 0, 0, character(0), cfa = FALSE), "pingouin_cronbach_wide_missing")

icc <- read.csv(file.path(pg_dir, "icc.csv"))
icc_w <- reshape(icc, idvar = "Wine", timevar = "Judge", direction = "wide")[, -1]
# psych::ICC(icc_w, lmer = FALSE)
ic <- psych::ICC(icc_w, lmer = FALSE)
write_ref(list(results = as.list(ic$results), n_obs = ic$n.obs, n_judge = ic$n.judge), "pingouin_icc")

# ---- the project's sample data (when present) ---------------------------------------------------
wai36_keys <- list(task = sprintf("wai36_%02d", c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35)),
                   bond = sprintf("wai36_%02d", c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36)),
                   goal = sprintf("wai36_%02d", c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34)))
wai36_rev <- sprintf("wai36_%02d", c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34))
waisr_keys <- list(task = sprintf("wai_sr_%02d", c(1, 2, 10, 12)), bond = sprintf("wai_sr_%02d", c(3, 5, 7, 9)),
                   goal = sprintf("wai_sr_%02d", c(4, 6, 8, 11)))
find_sample <- function(name) {
  f <- list.files(sample_dir, pattern = paste0("^", name, "\\.csv$"), recursive = TRUE, full.names = TRUE)
  if (length(f)) f[1] else NULL
}
f <- find_sample("wai36_client_therapist")
if (!is.null(f)) {
  d <- read.csv(f)
  for (r in c("client", "therapist")) {
    x <- d[d$rater == r, unlist(wai36_keys)]
    write_ref(dataset_ref(x, wai36_keys, 1, 7, wai36_rev, nfactors = 3, ordinal = TRUE), paste0("wai36_", r))
  }
}
f <- find_sample("wai_sr_sessions")
if (!is.null(f)) {
  d <- read.csv(f)
  write_ref(dataset_ref(d[, unlist(waisr_keys)], waisr_keys, 1, 5, character(0), nfactors = 3, ordinal = TRUE),
            "wai_sr_sessions")
}
