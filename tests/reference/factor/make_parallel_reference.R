# Simulated eigenvalues of psych::fa.parallel, for the check of the toolkit's Wishart route (issue 14):
# parallel_analysis(simulation="wishart") draws the simulated correlation matrices from the Wishart
# distribution instead of simulating data sets; its eigenvalue quantiles must agree with psych's.
# Run from the repository root:  Rscript tests/reference/factor/make_parallel_reference.R
# Writes tests/reference/factor/parallel_simulated.json (8 significant digits: the values are Monte Carlo
# draws, compared by quantile) and parallel_data_<n>.csv.  R 4.2, psych 2.2.9.
suppressMessages({library(psych); library(jsonlite)})
out_dir <- "tests/reference/factor"
meta <- list(R = R.version.string, psych = as.character(packageVersion("psych")))
cases <- list()
for (n in c(25, 300)) {
  set.seed(20261201 + n)
  p <- 10
  f <- matrix(rnorm(n * 2), n, 2)
  lam <- cbind(rep(c(0.7, 0), each = 5), rep(c(0, 0.7), each = 5))
  x <- round(f %*% t(lam) + matrix(rnorm(n * p), n, p) * 0.7, 3)
  colnames(x) <- sprintf("V%d", 1:p)
  write.csv(x, file.path(out_dir, sprintf("parallel_data_%d.csv", n)), row.names = FALSE)
  n_iter <- 1000
  pa <- fa.parallel(x, n.iter = n_iter, plot = FALSE)
  v <- unclass(as.matrix(pa$values))
  cases[[sprintf("n%d", n)]] <- list(
    call = sprintf("set.seed(%d); fa.parallel(x, n.iter = %d)  # x: parallel_data_%d.csv", 20261201 + n, n_iter, n),
    n = n, p = p, n_iter = n_iter,
    pc_sim = v[, grep("^CSim", colnames(v))], fa_sim = v[, grep("^Fsim", colnames(v))],
    pc_values = pa$pc.values, fa_values = pa$fa.values)
}
write_json(list(meta = meta, cases = cases), file.path(out_dir, "parallel_simulated.json"), digits = I(8),
           auto_unbox = TRUE, matrix = "rowmajor", pretty = FALSE)
