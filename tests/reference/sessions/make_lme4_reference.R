# lme4 reference values for tests/sessions/test_mixed.py (R 4.2, lme4; see the versions written in the JSON).
#
# Run from the repository root:
#   Rscript tests/reference/sessions/make_lme4_reference.R
# Reads data-samples/srs_ors_sessions.csv and builds the alliance-outcome frame here in R, independently of the
# Python code under test: SRS and ORS totals (sums of the four lines, missing when a line is), the SRS of the
# previous session (session - 1 exactly; missing when that session has no SRS), the rows with both the ORS and
# the lagged SRS, and the lagged SRS split at each client's mean over those rows (within = lag - mean,
# between = mean). Writes alliance_outcome_frame.csv (the frame) and lme4_alliance_outcome.json (two REML fits).
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
out_dir <- "tests/reference/sessions"
d <- read.csv("data-samples/srs_ors_sessions.csv", colClasses = c(dyad_id = "character", client_id = "character",
                                                                  therapist_id = "character"))
d$srs <- rowSums(d[, sprintf("srs_%02d", 1:4)])   # NA when a line is NA
d$ors <- rowSums(d[, sprintf("ors_%02d", 1:4)])
prev <- data.frame(dyad_id = d$dyad_id, session = d$session + 1, srs_lag1 = d$srs)
f <- merge(d[, c("dyad_id", "session", "ors")], prev, by = c("dyad_id", "session"), all.x = TRUE)
f <- f[!is.na(f$ors) & !is.na(f$srs_lag1), ]
f <- f[order(f$dyad_id, f$session), ]
f$srs_between <- ave(f$srs_lag1, f$dyad_id, FUN = mean)
f$srs_within <- f$srs_lag1 - f$srs_between
write.csv(f, file.path(out_dir, "alliance_outcome_frame.csv"), row.names = FALSE)

record <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  list(
    call = paste(deparse(formula(m)), collapse = " "),
    fixef = as.list(fixef(m)),
    se = as.list(sqrt(diag(as.matrix(vcov(m))))),
    vcov = unname(as.matrix(vcov(m))),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(grp = vc$grp[i], var1 = vc$var1[i],
                                                         var2 = vc$var2[i], vcov = vc$vcov[i], sdcor = vc$sdcor[i])),
    sigma2 = sigma(m)^2,
    loglik = as.numeric(logLik(m)),
    reml_criterion = as.numeric(REMLcrit(m)),
    nobs = nobs(m), ngroups = as.list(ngrps(m)),
    singular = isSingular(m),
    theta = unname(getME(m, "theta"))
  )
}
# lme4's default optimiser (nloptwrap, BOBYQA) with tolerances tightened, so that the reference sits on the
# optimum to ~1e-9 in the deviance: with the defaults it stops earlier on the flat random-slope surface
# (variance components then differ from the optimum by ~1e-3).
ctrl <- lmerControl(optCtrl = list(ftol_abs = 1e-14, xtol_abs = 1e-12, ftol_rel = 1e-15, xtol_rel = 1e-12,
                                   maxeval = 1e5))
m1 <- lmer(ors ~ srs_within + srs_between + session + (1 | dyad_id), data = f, REML = TRUE, control = ctrl)
m2 <- lmer(ors ~ srs_within + srs_between + session + (1 + session | dyad_id), data = f, REML = TRUE, control = ctrl)
m2_default <- lmer(ors ~ srs_within + srs_between + session + (1 + session | dyad_id), data = f, REML = TRUE)
res <- list(
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  lme4 = as.character(packageVersion("lme4")),
  n_rows = nrow(f),
  control = "lmerControl(optCtrl = list(ftol_abs = 1e-14, xtol_abs = 1e-12, ftol_rel = 1e-15, xtol_rel = 1e-12))",
  random_intercept = record(m1),
  random_slope = record(m2),
  random_slope_default_control = record(m2_default)
)
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(out_dir, "lme4_alliance_outcome.json"))
cat("wrote", nrow(f), "rows; singular:", isSingular(m1), isSingular(m2), "\n")
