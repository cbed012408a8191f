# Reference values for composite_reliability() of WLSMV fits: Green & Yang's (2009) omega of ordinal items,
# as semTools computes it with the observed polychoric correlations in the denominator.
# Run from the repository root:  Rscript tests/reference/cfa/ordinal/omega_ordinal.R
# Writes tests/reference/cfa/ordinal/omega_ordinal.json. R 4.2, lavaan 0.6-14, semTools 0.5-6.
# semTools 0.5-6's compRelSEM() stops on a model with more than one factor of ordinal items ("non-conformable
# arguments" in omegaCat); its reliability() (deprecated, the same omegaCat) gives the omegas: "omega3" is the
# one with the observed polychoric correlations, compRelSEM's default (obs.var = TRUE). For the one-factor
# model both are stored and agree.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
dir <- "tests/reference/cfa/ordinal"
hs <- read.csv(file.path(dir, "hs_cut4.csv"))
items <- paste0("x", 1:9)
m3 <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
f3 <- cfa(m3, data = hs, ordered = items, estimator = "WLSMV")
f1 <- cfa("visual =~ x1 + x2 + x3", data = hs, ordered = items[1:3], estimator = "WLSMV")
g3 <- cfa(m3, data = hs, ordered = items, estimator = "WLSMV", group = "school")
omega3 <- function(r) as.list(r["omega3", ])
rg <- reliability(g3, return.total = TRUE)
# scalar invariance (loadings and thresholds equal): the second group's scale factors and factor means are free.
# semTools puts that group's thresholds at delta * tau, leaving out the latent response means (its omegaCat
# marks this "FIXME? subtract intercept"): the reference for the test that names this difference.
s3 <- cfa(m3, data = hs, ordered = items, estimator = "WLSMV", group = "school",
          group.equal = c("loadings", "thresholds"))
rs <- suppressWarnings(reliability(s3, return.total = TRUE))
out <- list(versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                            semTools = as.character(packageVersion("semTools"))),
            three = omega3(reliability(f3, return.total = TRUE)),
            one = omega3(reliability(f1)), one_compRelSEM = unname(compRelSEM(f1)),
            school = lapply(rg, omega3), school_scalar = lapply(rs, omega3))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), file.path(dir, "omega_ordinal.json"))
