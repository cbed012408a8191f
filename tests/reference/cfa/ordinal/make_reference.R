# Reference values for toolkit.factor.cfa.ordinal and toolkit.factor.cfa.wls (lavaan's WLSMV route).
# Run from the repository root:  Rscript tests/reference/cfa/ordinal/make_reference.R
# Writes tests/reference/cfa/ordinal/{hs_cut4.csv, wai_sr_session1.csv, hs_mixed.csv, paired_ordinal.csv,
# *.json}. R 4.2, lavaan 0.6-14.
#
# Data:
#  * HolzingerSwineford1939 x1-x9, each cut into 4 categories at its own quartiles
#    (cut(x, quantile(x, 0:4/4), include.lowest = TRUE, labels = FALSE)), with school; written to
#    hs_cut4.csv so that the Python tests read exactly these codes.
#  * The same items recoded to mixed numbers of categories (hs_mixed.csv): x1, x4, x7 and x8 binary,
#    x2 with 3 categories, and x8 set to 2 whenever x7 is 2, so that the x7 x x8 table has one empty cell
#    (lavaan's 2 x 2 correction: 0.5 added to the empty cell and its diagonal partner, taken from the others).
#  * The project's simulated WAI-SR client sample (data-samples/wai_sr_sessions.csv), session 1 only
#    (250 clients, items 1-5, some answers blank); written to wai_sr_session1.csv.
# Fits: cfa(..., ordered = TRUE, estimator = "WLSMV") (= DWLS, se = "robust.sem",
# test = "scaled.shifted"), lavaan's defaults otherwise (delta parameterization, marker loadings).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
dir <- "tests/reference/cfa/ordinal"
put <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, matrix = "rowmajor",
                                           na = "null", pretty = FALSE),
                                    file.path(dir, paste0(name, ".json")))
versions <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")))

hs <- HolzingerSwineford1939
items <- paste0("x", 1:9)
cut4 <- function(x) cut(x, quantile(x, c(0, .25, .5, .75, 1)), include.lowest = TRUE, labels = FALSE)
for (v in items) hs[[v]] <- cut4(hs[[v]])
hs <- hs[, c("id", "school", items)]
write.csv(hs, file.path(dir, "hs_cut4.csv"), row.names = FALSE)

wai <- read.csv("data-samples/wai_sr_sessions.csv", colClasses = c(dyad_id = "character"))
wai <- wai[wai$session == 1, c("dyad_id", sprintf("wai_sr_%02d", 1:12))]
write.csv(wai, file.path(dir, "wai_sr_session1.csv"), row.names = FALSE, na = "")

hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
wai_model <- paste("task =~ wai_sr_01 + wai_sr_02 + wai_sr_10 + wai_sr_12",
                   "bond =~ wai_sr_03 + wai_sr_05 + wai_sr_07 + wai_sr_09",
                   "goal =~ wai_sr_04 + wai_sr_06 + wai_sr_08 + wai_sr_11", sep = "\n")

unlist_named <- function(x) { v <- unlist(x); as.list(v) }
per_group <- function(x) if (is.list(x) && !is.data.frame(x) && is.null(dim(x)) &&
                             !is.null(names(x)) && all(sapply(x, is.list) | sapply(x, is.matrix))) x else list(x)

record <- function(f, call) {
  ss <- lavInspect(f, "sampstat")
  if (lavInspect(f, "ngroups") == 1L) ss <- list(ss)
  gam <- lavInspect(f, "gamma"); wv <- lavInspect(f, "wls.v"); wo <- lavInspect(f, "wls.obs")
  dl <- lavInspect(f, "delta"); imp <- lavInspect(f, "implied")
  if (lavInspect(f, "ngroups") == 1L) { gam <- list(gam); wv <- list(wv); wo <- list(wo); dl <- list(dl)
                                        imp <- list(imp) }
  groups <- lapply(seq_along(ss), function(g) list(
    th = unname(ss[[g]]$th), th_names = names(ss[[g]]$th), cor = unclass(ss[[g]]$cov),
    wls_obs = unname(wo[[g]]), gamma = unclass(gam[[g]]), wls_v_diag = unname(diag(wv[[g]])),
    delta = unclass(dl[[g]]), delta_rows = rownames(dl[[g]]), delta_cols = colnames(dl[[g]]),
    implied_cor = unclass(imp[[g]]$cov), implied_th = unname(imp[[g]]$th),
    nobs = lavInspect(f, "nobs")[g]))
  pt <- parTable(f)
  pe <- parameterEstimates(f)
  ts <- lavInspect(f, "test")
  tests <- lapply(ts, function(t) t[intersect(names(t), c("test", "stat", "stat.group", "df", "pvalue",
                  "scaling.factor", "shift.parameter", "trace.UGamma", "trace.UGamma2"))])
  catml <- if (length(ts) > 1) lavaan:::lav_fit_catml_dwls(f) else NULL
  fm <- fitMeasures(f)
  list(call = call, versions = versions, ngroups = lavInspect(f, "ngroups"),
       ntotal = lavInspect(f, "ntotal"), groups = groups,
       partable = list(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, group = pt$group, free = pt$free,
                       est = pt$est, se = pt$se, label = pt$label, plabel = pt$plabel),
       pe = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group,
                 est = pe$est, se = pe$se, z = pe$z, pvalue = pe$pvalue,
                 ci_lower = pe$ci.lower, ci_upper = pe$ci.upper),
       vcov = unclass(lavInspect(f, "vcov")), vcov_names = colnames(lavInspect(f, "vcov")),
       fmin = unname(fm["fmin"]), optim = list(fx = f@optim$fx, converged = f@optim$converged),
       tests = tests, catml = catml,
       fit = as.list(fm))
}

# 1. HS, single group
f1 <- cfa(hs_model, data = hs, ordered = TRUE, estimator = "WLSMV")
put(record(f1, 'cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "WLSMV")'), "hs_wlsmv")

# 2. HS by school: configural, then loadings equal across schools (equality constraints)
f2 <- cfa(hs_model, data = hs, ordered = TRUE, estimator = "WLSMV", group = "school")
put(record(f2, 'cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "WLSMV", group = "school")'),
    "hs_wlsmv_school")
f3 <- cfa(hs_model, data = hs, ordered = TRUE, estimator = "WLSMV", group = "school",
          group.equal = "loadings")
put(record(f3, paste('cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "WLSMV",',
                     'group = "school", group.equal = "loadings")')), "hs_wlsmv_school_loadings")

# 3. WAI-SR session 1, 5 categories: listwise (lavaan's default) and pairwise deletion
wai_items <- wai[, -1]
f4 <- cfa(wai_model, data = wai_items, ordered = TRUE, estimator = "WLSMV")
r4 <- record(f4, 'cfa(wai_model, data = wai_sr_session1, ordered = TRUE, estimator = "WLSMV")')
r4$zero_cell_tables <- lavInspect(f4, "zero.cell.tables")
put(r4, "wai_sr_wlsmv")
f5 <- cfa(wai_model, data = wai_items, ordered = TRUE, estimator = "WLSMV", missing = "pairwise")
r5 <- record(f5, paste('cfa(wai_model, data = wai_sr_session1, ordered = TRUE, estimator = "WLSMV",',
                       'missing = "pairwise")'))
put(r5, "wai_sr_wlsmv_pairwise")
# 4. mixed numbers of categories, with binary items and an empty cell in a 2 x 2 table
mx <- hs
mx$x1 <- ifelse(hs$x1 <= 2, 1, 2)
mx$x4 <- ifelse(hs$x4 <= 2, 1, 2)
mx$x2 <- pmin(hs$x2, 3)
mx$x7 <- ifelse(hs$x7 <= 3, 1, 2)
mx$x8 <- ifelse(hs$x8 <= 1, 1, 2)
mx$x8[mx$x7 == 2] <- 2
write.csv(mx, file.path(dir, "hs_mixed.csv"), row.names = FALSE)
f6 <- cfa(hs_model, data = mx, ordered = TRUE, estimator = "WLSMV")
r6 <- record(f6, 'cfa(hs_model, data = hs_mixed, ordered = TRUE, estimator = "WLSMV")')
r6$zero_cell_tables <- lavInspect(f6, "zero.cell.tables")
put(r6, "hs_mixed_wlsmv")

# 5. other weight matrices: ULS with the robust test (ULSMV) and full WLS (standard SEs and test)
f7 <- cfa(hs_model, data = hs, ordered = TRUE, estimator = "ULSMV")
put(record(f7, 'cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "ULSMV")'), "hs_ulsmv")
f8 <- cfa(hs_model, data = hs, ordered = TRUE, estimator = "WLS")
r8 <- record(f8, 'cfa(hs_model, data = hs_cut4, ordered = TRUE, estimator = "WLS")')
r8$wls_v <- unclass(lavInspect(f8, "wls.v"))
put(r8, "hs_wls")
# 6. scalar invariance: loadings and thresholds equal across schools. lavaan 0.6-14 then frees the scale
#    factors (~*~, delta parameters) of every item, binary ones too, and the factor means in the second group
#    (lavaan 0.6-20 changed this rule). The standardized solutions (std.all) are recorded too.
scalar <- function(d, data_name, name) {
  f <- cfa(hs_model, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
           group.equal = c("loadings", "thresholds"))
  r <- record(f, paste0('cfa(hs_model, data = ', data_name, ', ordered = TRUE, estimator = "WLSMV", ',
                        'group = "school", group.equal = c("loadings", "thresholds"))'))
  s <- standardizedSolution(f)
  r$std <- list(lhs = s$lhs, op = s$op, rhs = s$rhs, group = s$group, est_std = s$est.std)
  put(r, name)
}
scalar(hs, "hs_cut4", "hs_wlsmv_school_scalar")
scalar(mx, "hs_mixed", "hs_mixed_wlsmv_school_scalar")
# the invariance() sequence of the same items (std.lv = TRUE), with lavTestLRT's scaled-shifted differences
steps <- list(configural = NULL, metric = "loadings", scalar = c("loadings", "thresholds"))
fits <- lapply(steps, function(eq) cfa(hs_model, data = hs, ordered = TRUE, estimator = "WLSMV",
                                       group = "school", std.lv = TRUE,
                                       group.equal = if (is.null(eq)) "" else eq))
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar)
fm <- lapply(fits, function(f) as.list(fitMeasures(f, c("chisq", "df", "chisq.scaled", "df.scaled",
                                                         "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr"))))
means <- parameterEstimates(fits$scalar)
means <- means[means$op == "~1" & means$lhs %in% c("visual", "textual", "speed"), ]
put(list(versions = versions, call = 'lavTestLRT(configural, metric, scalar), std.lv = TRUE, by school',
         fit = fm, lrt = list(df = lrt$Df, chisq = lrt$Chisq, chisq_diff = lrt$`Chisq diff`,
                              df_diff = lrt$`Df diff`, p = lrt$`Pr(>Chisq)`),
         means = list(lhs = means$lhs, group = means$group, est = means$est, se = means$se)),
    "hs_wlsmv_invariance")
# 7. two raters of the same dyads, ordinal items: rater_invariance(estimator = "WLSMV"). Simulated pairs (seed
#    2026): 500 dyads, two factors of three 5-category items, the raters' factors correlated .6, the therapist's
#    first factor .3 higher and the thresholds of one item (a2) shifted by .2; written to paired_ordinal.csv (long: dyad, who, a1-a3, b1-b3). One
#    model per step (the syntax rater_invariance writes: loadings, then thresholds with the therapist's scale
#    factors and factor means free), lavTestLRT's scaled-shifted differences.
set.seed(2026)
n <- 500
eta_c <- MASS::mvrnorm(n, c(0, 0), matrix(c(1, .5, .5, 1), 2))
eta_t <- .6 * eta_c + MASS::mvrnorm(n, c(.3, 0), matrix(c(.64, .3, .3, .64), 2))
cuts <- c(-1.5, -.5, .5, 1.5)
make <- function(eta, shift) {
  x <- matrix(c(.8 * eta[, 1], .7 * eta[, 1], .6 * eta[, 1], .8 * eta[, 2], .7 * eta[, 2], .6 * eta[, 2]), n) +
       matrix(rnorm(n * 6, sd = .6), n)
  x[, 2] <- x[, 2] - shift
  apply(x, 2, function(v) findInterval(v, cuts) + 1)
}
cl <- make(eta_c, 0); th <- make(eta_t, .2)
its <- c("a1", "a2", "a3", "b1", "b2", "b3")
colnames(cl) <- colnames(th) <- its
long <- rbind(data.frame(dyad = 1:n, who = "client", cl), data.frame(dyad = 1:n, who = "therapist", th))
write.csv(long, file.path(dir, "paired_ordinal.csv"), row.names = FALSE)
wide <- cbind(setNames(as.data.frame(cl), paste0(its, "_client")), setNames(as.data.frame(th), paste0(its, "_therapist")))
source("tests/reference/cfa/paired_syntax.R")  # paired_syntax(), shared with the continuous references
pkeys <- list(A = c("a1", "a2", "a3"), B = c("b1", "b2", "b3"))
psteps <- c("configural", "metric", "scalar")
pfits <- lapply(psteps, function(st) cfa(paired_syntax(pkeys, "%s", c("client", "therapist"), st, nthresholds = 4),
                                        data = wide,
                                        ordered = names(wide), estimator = "WLSMV", meanstructure = TRUE))
names(pfits) <- psteps
plrt <- lavTestLRT(pfits$configural, pfits$metric, pfits$scalar)
pe <- parameterEstimates(pfits$scalar)
pe <- pe[pe$op %in% c("~1", "~~", "~*~") & grepl("therapist", pe$lhs) & pe$lhs == pe$rhs | pe$op == "~1" &
         pe$lhs %in% c("A_therapist", "B_therapist"), ]
put(list(versions = versions,
         call = "cfa(paired_syntax(..., nthresholds = 4), ordered = TRUE, estimator = 'WLSMV') per step",
         fit = lapply(pfits, function(f) as.list(fitMeasures(f, c("chisq", "df", "chisq.scaled", "cfi.scaled",
                                                                   "rmsea.scaled", "srmr")))),
         lrt = list(df = plrt$Df, chisq = plrt$Chisq, chisq_diff = plrt$`Chisq diff`, df_diff = plrt$`Df diff`,
                    p = plrt$`Pr(>Chisq)`),
         scalar = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se)),
    "paired_ordinal_invariance")
cat("done\n")
