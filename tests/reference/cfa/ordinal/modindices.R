# Reference values for CFA.modification_indices() under WLSMV (lavaan's modindices() of a DWLS fit).
# Run from the repository root:  Rscript tests/reference/cfa/ordinal/modindices.R
# Writes tests/reference/cfa/ordinal/modindices_wlsmv.json. R 4.2, lavaan 0.6-14.
# Data: hs_cut4.csv (HolzingerSwineford1939 x1-x9 cut into 4 categories at their quartiles, written by
# make_reference.R). Fits: cfa(..., ordered = TRUE, estimator = "WLSMV"), one group, by school
# (configural) and by school with equal loadings; modindices(fit) with lavaan's defaults (expected information, standardized EPCs).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
dir <- "tests/reference/cfa/ordinal"
hs <- read.csv(file.path(dir, "hs_cut4.csv"))
items <- paste0("x", 1:9)
model <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
one <- cfa(model, data = hs, ordered = items, estimator = "WLSMV")
two <- cfa(model, data = hs, ordered = items, estimator = "WLSMV", group = "school")
equal <- cfa(model, data = hs, ordered = items, estimator = "WLSMV", group = "school", group.equal = "loadings")
tab <- function(fit) {
  mi <- modindices(fit)
  cols <- intersect(c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"), names(mi))
  as.list(mi[, cols])
}
out <- list(versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
            one = tab(one), school = tab(two), school_loadings = tab(equal), groups = lavInspect(two, "group.label"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE),
           file.path(dir, "modindices_wlsmv.json"))
