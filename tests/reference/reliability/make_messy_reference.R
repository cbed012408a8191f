# Reference values for tests/reliability/test_properties.py::test_messy_export_correlated_cfa_converges_like_lavaan
# (lavaan 0.6-14, semTools 0.5-6, R 4.2).  Run from the repository root:
#   Rscript tests/reference/reliability/make_messy_reference.R [data-samples dir]
# Writes tests/reference/reliability/messy_export.json. The cleaning is done here in R, independently of
# toolkit.scoring.item_frame(messy_export, "wai-sr", on_invalid = "missing"): Q1..Q12 are the WAI-SR items
# (no reversed items), an anchor label counts as its value ("Very often" = 4, instruments/wai-sr), every other
# cell that is not one of 1..5 ("five", 7, 0, 2.5, 6) becomes missing, and lavaan keeps the complete rows.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
sample_dir <- if (length(args) >= 1) args[1] else "data-samples"
d <- read.csv(file.path(sample_dir, "messy_export.csv"), colClasses = "character", check.names = FALSE)
anchors <- c("seldom" = 1, "sometimes" = 2, "fairly often" = 3, "very often" = 4, "always" = 5)
x <- as.data.frame(lapply(d[paste0("Q", 1:12)], function(v) {
  label <- anchors[tolower(trimws(v))]
  v <- ifelse(is.na(label), suppressWarnings(as.numeric(v)), label); v[!(v %in% 1:5)] <- NA; unname(v)
}))
names(x) <- sprintf("wai_sr_%02d", 1:12)
keys <- list(task = sprintf("wai_sr_%02d", c(1, 2, 10, 12)), bond = sprintf("wai_sr_%02d", c(3, 5, 7, 9)),
             goal = sprintf("wai_sr_%02d", c(4, 6, 8, 11)))
m <- paste(sapply(names(keys), function(nm) paste0(nm, " =~ ", paste(keys[[nm]], collapse = " + "))), collapse = "\n")
fit <- cfa(m, data = x, std.lv = TRUE)
cr <- compRelSEM(fit, return.total = TRUE)
out <- list(call = "semTools::compRelSEM(lavaan::cfa(<3 correlated factors>, x, std.lv = TRUE), return.total = TRUE)",
            n = lavInspect(fit, "nobs"), converged = lavInspect(fit, "converged"), omega = as.list(cr))
write_json(out, "tests/reference/reliability/messy_export.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
