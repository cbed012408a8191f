# Reference for toolkit.planning.model_tests: the chi-square difference tests that plan() runs per replication.
# Data: family_sets.csv (3 data sets of 100 simulated WAI-SR answers, column rep) and rater_sets.csv (2 data sets of
# 80 client-therapist dyads, wide: <item>_client, <item>_therapist), written from the test's Population draws
# (tests/scale/test_planning_models.py redraws them and checks they are these rows).
# 1. cfa_family: one factor vs correlated factors (ML, std.lv = TRUE), lavTestLRT, and each model's BIC.
# 2. invariance_metric / invariance_scalar: the paired client-therapist model (both raters' factors, the
#    residuals of the same item correlated across raters), configural / metric / scalar, listwise ML with a mean
#    structure, lavTestLRT of metric vs configural and scalar vs metric.
# Run: Rscript tests/reference/planning/model_tests.R  (from the repository root)
suppressMessages(library(lavaan))
library(jsonlite)
dir <- "tests/reference/planning"
keys <- list(task = c("wai_sr_01", "wai_sr_02", "wai_sr_10", "wai_sr_12"),
             bond = c("wai_sr_03", "wai_sr_05", "wai_sr_07", "wai_sr_09"),
             goal = c("wai_sr_04", "wai_sr_06", "wai_sr_08", "wai_sr_11"))
correlated <- paste(sprintf("%s =~ %s", names(keys), sapply(keys, paste, collapse = " + ")), collapse = "\n")
one_factor <- paste("general =~", paste(unlist(keys), collapse = " + "))

family <- read.csv(file.path(dir, "family_sets.csv"))
fam_out <- list()
for (r in sort(unique(family$rep))) {
  d <- family[family$rep == r, unlist(keys)]
  m1 <- cfa(one_factor, d, std.lv = TRUE)
  m3 <- cfa(correlated, d, std.lv = TRUE)
  t <- lavTestLRT(m3, m1)
  fam_out[[length(fam_out) + 1]] <- list(rep = r, chisq_diff = t[2, "Chisq diff"], p = t[2, "Pr(>Chisq)"],
                                         bic_one_factor = BIC(m1), bic_correlated = BIC(m3))
}

paired <- function(step) {
  lines <- c()
  for (s in c("client", "therapist")) {
    for (f in names(keys)) {
      items <- keys[[f]]
      terms <- paste0("NA*", items, "_", s)
      if (step != "configural") terms <- c(rbind(terms, paste0("l_", items, "*", items, "_", s)))
      lines <- c(lines, sprintf("%s_%s =~ %s", f, s, paste(terms, collapse = " + ")))
      fixed_var <- s == "client" || step == "configural"
      lines <- c(lines, sprintf("%s_%s ~~ %s*%s_%s", f, s, if (fixed_var) "1" else "NA", f, s))
      fixed_mean <- s == "client" || step %in% c("configural", "metric")
      lines <- c(lines, sprintf("%s_%s ~ %s*1", f, s, if (fixed_mean) "0" else "NA"))
      for (it in items) {
        v <- paste0(it, "_", s)
        lines <- c(lines, if (step == "scalar") sprintf("%s ~ i_%s*1", v, it) else sprintf("%s ~ 1", v))
      }
    }
  }
  for (it in unlist(keys)) lines <- c(lines, sprintf("%s_client ~~ %s_therapist", it, it))
  paste(lines, collapse = "\n")
}

rater <- read.csv(file.path(dir, "rater_sets.csv"))
rater_out <- list()
for (r in sort(unique(rater$rep))) {
  d <- rater[rater$rep == r, setdiff(names(rater), "rep")]
  fits <- lapply(c("configural", "metric", "scalar"), function(s) cfa(paired(s), d, meanstructure = TRUE))
  tm <- lavTestLRT(fits[[1]], fits[[2]])
  ts <- lavTestLRT(fits[[2]], fits[[3]])
  rater_out[[length(rater_out) + 1]] <- list(rep = r, metric_chisq_diff = tm[2, "Chisq diff"],
                                             metric_p = tm[2, "Pr(>Chisq)"], scalar_chisq_diff = ts[2, "Chisq diff"],
                                             scalar_p = ts[2, "Pr(>Chisq)"])
}
out <- list(family = fam_out, rater = rater_out, lavaan = as.character(packageVersion("lavaan")),
            R = paste(R.version$major, R.version$minor, sep = "."))
write(toJSON(out, auto_unbox = TRUE, digits = 12, pretty = TRUE), file.path(dir, "model_tests.json"))
