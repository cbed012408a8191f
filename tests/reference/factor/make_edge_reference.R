# Reference values for toolkit.factor's edge cases (tests/factor/test_behaviour.py, test_reference_psych.py).
# Run from the repository root:  Rscript tests/reference/factor/make_edge_reference.R
# Writes tests/reference/factor/edge_cases.json.  R 4.2, psych 2.2.9.
suppressMessages({library(psych); library(jsonlite)})
mat <- function(m) unclass(as.matrix(m))
out <- list(meta = list(R = R.version.string, psych = as.character(packageVersion("psych"))))

# 1. a Heywood case: two uniquenesses end on psych's 0.005 bound (psych says nothing)
r <- matrix(c(1, .6, .9, .1,  .6, 1, .7, .1,  .9, .7, 1, .1,  .1, .1, .1, 1), 4)
f <- fa(r, 2, rotate = "none", n.obs = 200)
out$heywood <- list(call = 'fa(r, 2, rotate = "none", n.obs = 200)', r = r, loadings = mat(f$loadings),
                    uniquenesses = unname(f$uniquenesses))

# 2. polychoric with unequal numbers of categories (psych switches to global = FALSE)
data(bfi, package = "psych")
x <- na.omit(bfi[1:3]); x[, 3] <- pmin(x[, 3], 4)
p <- suppressWarnings(polychoric(x))
out$poly_unequal <- list(call = "x <- na.omit(bfi[1:3]); x[, 3] <- pmin(x[, 3], 4); polychoric(x)$rho",
                         rho = mat(p$rho))

# 3. SMCs of a matrix that is not positive definite: Pinv, then clipped to [0, 1]
bad <- matrix(c(1, .9, -.9,  .9, 1, .9,  -.9, .9, 1), 3)
out$smc_not_pd <- list(call = "smc(bad)", r = bad, smc = unname(suppressMessages(smc(bad))))

# 4. a duplicated item: the correlation matrix is singular. psych::fa warns "Matrix was not positive definite,
#    smoothing was done" and fits; its fit statistics come from the smoothed matrix. psych::KMO prints "matrix is
#    not invertible, image not found" and returns MSA = 0.5 computed with R in place of its inverse.
warned <- function(expr) {
  msgs <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning")
  }, message = function(m) invokeRestart("muffleMessage"))
  list(value = value, warnings = msgs)
}
fit_part <- function(f) list(loadings = mat(f$loadings), colnames = colnames(f$loadings),
                             communality = unname(f$communality), rms = f$rms, STATISTIC = f$STATISTIC,
                             TLI = f$TLI, RMSEA = unname(f$RMSEA), objective = f$objective)
x <- na.omit(bfi[1:300, 1:10]); x$A1dup <- x$A1
d <- warned(fa(x, 2))
k <- warned(KMO(x))
out$duplicated_item <- c(list(call = "x <- na.omit(bfi[1:300, 1:10]); x$A1dup <- x$A1; fa(x, 2)",
                              rows = as.integer(rownames(x)), warnings = d$warnings, kmo_msa = k$value$MSA),
                         fit_part(d$value))

# 5. fewer respondents than items: psych::fa smooths the singular matrix with the same warning
y <- na.omit(bfi[1:8, 1:10])
d <- warned(fa(y, 2))
out$fewer_rows_than_items <- c(list(call = "y <- na.omit(bfi[1:8, 1:10]); fa(y, 2)", warnings = d$warnings),
                               fit_part(d$value))

write_json(out, "tests/reference/factor/edge_cases.json", digits = NA, auto_unbox = TRUE, matrix = "rowmajor",
           pretty = FALSE, na = "null")
