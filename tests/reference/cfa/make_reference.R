# Reference values for toolkit.factor.cfa and toolkit.validity, from lavaan and semTools.
# Run from the repository root:  Rscript tests/reference/cfa/make_reference.R [section ...]
# Sections: hs, groups, pd, wai_sr, wai36, wai36_paired, wlsmv_lrt, omega (default: all). The WAI-36 two-rater models (72 indicators,
# FIML) take tens of minutes.
# Writes tests/reference/cfa/*.json (and the two lavaan data sets as CSV, so that the tests need no R).
# R 4.2, lavaan 0.6-14, semTools 0.5-6.
suppressMessages({library(lavaan); library(semTools); library(jsonlite)})
out_dir <- "tests/reference/cfa"
save <- function(x, name) write_json(x, file.path(out_dir, name), digits = NA, auto_unbox = TRUE,
                                     matrix = "rowmajor", pretty = FALSE, na = "null")
args <- commandArgs(trailingOnly = TRUE)
run <- function(section) length(args) == 0 || section %in% args
meta <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
             semTools = as.character(packageVersion("semTools")))

write.csv(HolzingerSwineford1939, file.path(out_dir, "holzinger_swineford_1939.csv"), row.names = FALSE)
write.csv(PoliticalDemocracy, file.path(out_dir, "political_democracy.csv"), row.names = FALSE)

# ---- one fitted model as a list ----------------------------------------------------------------
record <- function(fit, call, mi = TRUE) {
  pe <- parameterEstimates(fit, remove.system.eq = TRUE, remove.eq = TRUE, remove.ineq = TRUE)
  if (is.null(pe$label)) pe$label <- "" else pe$label[is.na(pe$label)] <- ""
  std <- standardizedSolution(fit, type = "std.all")
  stdlv <- standardizedSolution(fit, type = "std.lv", se = FALSE)
  stdnox <- standardizedSolution(fit, type = "std.nox", se = FALSE)
  fm <- fitMeasures(fit)
  r2 <- lavInspect(fit, "r2")
  res <- lavResiduals(fit, type = "cor.bollen", summary = FALSE)
  out <- list(call = call, converged = lavInspect(fit, "converged"),
              estimates = pe, standardized = std,
              std_lv = stdlv$est.std, std_nox = stdnox$est.std,
              fit = as.list(unclass(fm)), fit_names = names(fm),
              r2 = if (is.list(r2)) lapply(r2, as.list) else as.list(r2))
  if (mi) {
    m <- modindices(fit)
    out$mi <- m
  }
  if (lavInspect(fit, "ngroups") == 1) {
    out$resid_cor <- unclass(res$cov)
    out$resid_names <- colnames(res$cov)
  }
  out
}

hs <- HolzingerSwineford1939
HS <- ' visual  =~ x1 + x2 + x3
        textual =~ x4 + x5 + x6
        speed   =~ x7 + x8 + x9 '

# 1. HolzingerSwineford1939: ML, ML std.lv, MLR, FIML
if (run("hs")) {
ml <- cfa(HS, data = hs)
ml_std <- cfa(HS, data = hs, std.lv = TRUE)
mlr <- cfa(HS, data = hs, estimator = "MLR")
# FIML: remove values by a fixed rule (seeded), 10% of x1..x9 cells, never a whole row
set.seed(20240611)
hs_mis <- hs
cells <- which(matrix(runif(nrow(hs) * 9) < 0.10, nrow(hs), 9), arr.ind = TRUE)
for (k in seq_len(nrow(cells))) hs_mis[cells[k, 1], 6 + cells[k, 2]] <- NA
write.csv(hs_mis, file.path(out_dir, "holzinger_swineford_1939_missing.csv"), row.names = FALSE, na = "")
fiml <- cfa(HS, data = hs_mis, missing = "ml")
fiml_h1 <- lavInspect(fiml, "h1")
save(list(meta = meta,
          ml = record(ml, "cfa(HS, data = HolzingerSwineford1939)"),
          ml_std_lv = record(ml_std, "cfa(HS, data = HolzingerSwineford1939, std.lv = TRUE)"),
          mlr = record(mlr, "cfa(HS, data = HolzingerSwineford1939, estimator = 'MLR')"),
          fiml = c(record(fiml, "cfa(HS, data = hs_missing, missing = 'ml')"),
                   list(h1_cov = unclass(fiml_h1$cov), h1_mean = unclass(fiml_h1$mean)))),
     "holzinger_swineford.json")
}

# 2. two-group invariance by school (configural, metric, scalar, strict), lavTestLRT, partial invariance
steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
lrt_tab <- function(l) list(Df = l$Df, Chisq = l$Chisq, Chisq_diff = l[["Chisq diff"]], Df_diff = l[["Df diff"]],
                            p = l[["Pr(>Chisq)"]], AIC = l$AIC, BIC = l$BIC)
if (run("groups")) {
fits <- lapply(steps, function(ge) cfa(HS, data = hs, group = "school", group.equal = ge))
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar, fits$strict)
partial <- cfa(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
               group.partial = c("x3~1", "x7~1"))
fits_r <- lapply(steps, function(ge) cfa(HS, data = hs, group = "school", group.equal = ge, estimator = "MLR"))
lrt_r <- lavTestLRT(fits_r$configural, fits_r$metric, fits_r$scalar, fits_r$strict)
std_groups <- lapply(steps[1:3], function(ge) cfa(HS, data = hs, group = "school", group.equal = ge,
                                                  std.lv = TRUE))
save(list(meta = meta,
          fits = mapply(function(f, n) record(f, sprintf("cfa(HS, data, group = 'school', group.equal = %s)",
                                                          deparse(steps[[n]]))),
                        fits, names(fits), SIMPLIFY = FALSE),
          lrt = lrt_tab(lrt), lrt_call = "lavTestLRT(configural, metric, scalar, strict)",
          partial = record(partial, "group.equal = c('loadings','intercepts'), group.partial = c('x3~1','x7~1')"),
          mlr_fits = lapply(fits_r, function(f) list(fit = as.list(unclass(fitMeasures(f))),
                                                     estimates = parameterEstimates(f))),
          mlr_lrt = lrt_tab(lrt_r), mlr_lrt_call = "lavTestLRT(...) of the MLR fits (satorra.bentler.2001)",
          std_lv_fits = lapply(std_groups, function(f) list(fit = as.list(unclass(fitMeasures(f))),
                                                           estimates = parameterEstimates(f)))),
     "holzinger_swineford_groups.json")
}

# 3. PoliticalDemocracy: regressions, residual covariances, equal labels, means, a defined parameter
PD <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  dem60 ~ b1*ind60
  dem65 ~ b2*ind60 + b3*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  indirect := b1*b3
  total := b2 + b1*b3
'
if (run("pd")) {
pd_fit <- sem(PD, data = PoliticalDemocracy, meanstructure = TRUE)
pd_mlr <- sem(PD, data = PoliticalDemocracy, meanstructure = TRUE, estimator = "MLR")
# an observed covariate (fixed.x) and an observed outcome
PD2 <- ' ind60 =~ x1 + x2 + x3
         y1 ~ ind60 + x3b
         y5 ~ y1 '
pd2 <- PoliticalDemocracy; pd2$x3b <- pd2$x3 + pd2$y8 / 3
pd2_fit <- sem(PD2, data = pd2)
pd2_mlr <- sem(PD2, data = pd2, estimator = "MLR")
write.csv(pd2, file.path(out_dir, "political_democracy_covariate.csv"), row.names = FALSE)
save(list(meta = meta, model = PD, ml = record(pd_fit, "sem(PD, data = PoliticalDemocracy, meanstructure = TRUE)"),
          mlr = record(pd_mlr, "sem(PD, ..., meanstructure = TRUE, estimator = 'MLR')", mi = FALSE),
          covariate_model = PD2, covariate = record(pd2_fit, "sem(PD2, data = pd2)"),
          covariate_mlr = record(pd2_mlr, "sem(PD2, data = pd2, estimator = 'MLR')", mi = FALSE)),
     "political_democracy.json")
}

# 4. the simulated WAI samples: every family member, both invariance routes, compRelSEM
# (the syntax below is what toolkit.validity builds from the instrument definitions)
line <- function(f, it) paste(f, "=~", paste(it, collapse = " + "))
family_syntax <- function(keys, prefix, alt = NULL) {
  it <- function(k) sprintf(prefix, k)
  all <- unlist(lapply(keys, it))
  subs <- vapply(names(keys), function(s) line(s, it(keys[[s]])), "")
  items <- sprintf(prefix, sort(unlist(keys)))
  out <- list(one_factor = line("general", items),
              correlated = paste(subs, collapse = "\n"),
              second_order = paste(c(subs, line("general", names(keys))), collapse = "\n"),
              bifactor = paste(c(line("general", items), subs), collapse = "\n"))
  if (!is.null(alt)) out <- c(out, alt)
  out
}
fit_member <- function(n, syn, data) cfa(syn, data = data, std.lv = TRUE, orthogonal = (n == "bifactor"))
fit_family <- function(syn, data) {
  fits <- setNames(lapply(names(syn), function(n) fit_member(n, syn[[n]], data)), names(syn))
  out <- lapply(names(syn), function(n) {
    f <- fits[[n]]
    r <- record(f, sprintf("cfa(%s, std.lv = TRUE%s)", n, if (n == "bifactor") ", orthogonal = TRUE" else ""))
    r$syntax <- syn[[n]]
    rel <- if (n == "second_order") compRelSEM(f, higher = "general", return.total = TRUE)
           else compRelSEM(f, return.total = TRUE)
    r$compRelSEM <- as.list(rel)
    r
  })
  names(out) <- names(syn)
  list(records = out, fits = fits)
}
nested_pairs <- function(alts) {
  p <- list(c("one_factor", "correlated"), c("one_factor", "bifactor"), c("second_order", "bifactor"))
  for (a in alts) p <- c(p, list(c(a, "correlated"), c("one_factor", a)))
  p
}
family_lrt <- function(fits, pairs) {
  lapply(pairs, function(pr) {
    l <- lavTestLRT(fits[[pr[2]]], fits[[pr[1]]])
    c(list(restricted = pr[1], general = pr[2]), lrt_tab(l))
  })
}
inv_steps <- function(syn, data, group, std.lv = TRUE, missing = "listwise") {
  f <- lapply(steps, function(ge) cfa(syn, data = data, group = group, group.equal = ge, std.lv = std.lv,
                                      missing = missing))
  list(fits = lapply(f, function(x) list(fit = as.list(unclass(fitMeasures(x))),
                                         estimates = parameterEstimates(x))),
       lrt = lrt_tab(lavTestLRT(f$configural, f$metric, f$scalar, f$strict)))
}
source(file.path(out_dir, "paired_syntax.R"))  # paired_syntax(): the two-rater model
wide_pairs <- function(a, b, items, sa, sb, on) {
  A <- a[, c(on, items)]; names(A)[-seq_along(on)] <- paste0(items, "_", sa)
  B <- b[, c(on, items)]; names(B)[-seq_along(on)] <- paste0(items, "_", sb)
  merge(A, B, by = on)
}
paired_fits <- function(keys, prefix, suffixes, data, full = TRUE) {
  f <- lapply(names(steps), function(st) {
    syn <- paired_syntax(keys, prefix, suffixes, st)
    list(syntax = syn, fitobj = cfa(syn, data = data, missing = "ml", meanstructure = TRUE))
  })
  names(f) <- names(steps)
  measures <- function(fit) {
    if (full) return(as.list(unclass(fitMeasures(fit))))
    # 72 indicators: lavaan's FIML-corrected robust CFI/RMSEA (computed whenever CFI or RMSEA is asked for)
    # would take hours; the standard lines, with CFI/TLI/RMSEA by their formulas from the independence model
    fm <- as.list(unclass(fitMeasures(fit, c("npar", "fmin", "chisq", "df", "pvalue", "logl", "unrestricted.logl",
                                              "aic", "bic", "srmr"))))
    base <- lavaan:::lav_object_independence(fit)
    b <- as.list(unclass(fitMeasures(base, c("chisq", "df"))))
    fm$baseline.chisq <- b$chisq; fm$baseline.df <- b$df
    fm$cfi <- 1 - max(fm$chisq - fm$df, 0) / max(fm$chisq - fm$df, b$chisq - b$df, 0)
    fm$tli <- 1 - ((fm$chisq - fm$df) * b$df) / ((b$chisq - b$df) * fm$df)
    N <- lavInspect(fit, "ntotal")
    fm$rmsea <- sqrt(max(fm$chisq / N / fm$df - 1 / N, 0))
    fm
  }
  fits <- lapply(f, function(x) list(syntax = x$syntax, fit = measures(x$fitobj),
                                     estimates = parameterEstimates(x$fitobj)))
  l <- lavTestLRT(f$configural$fitobj, f$metric$fitobj, f$scalar$fitobj, f$strict$fitobj)
  list(fits = fits, lrt = lrt_tab(l))
}

if (run("wai_sr")) {
wsr <- read.csv("data-samples/wai_sr_sessions.csv")
items_sr <- sprintf("wai_sr_%02d", 1:12)
keys_sr <- list(task = c(1, 2, 10, 12), bond = c(3, 5, 7, 9), goal = c(4, 6, 8, 11))
alt_sr <- list(bond_vs_goal_task = paste(line("bond", sprintf("wai_sr_%02d", keys_sr$bond)),
                                         line("goal_task", sprintf("wai_sr_%02d", sort(c(keys_sr$goal, keys_sr$task)))),
                                         sep = "\n"))
fam_sr <- family_syntax(keys_sr, "wai_sr_%02d", alt_sr)
s1 <- wsr[wsr$session == 1, ]
sr_family <- fit_family(fam_sr, s1)
# group route: session 1 by therapist cohort (TA01-TA12 early, else late)
s1$cohort <- ifelse(as.integer(sub("TA", "", s1$therapist_id)) <= 12, "early", "late")
sr_groups <- inv_steps(fam_sr$correlated, s1, "cohort")
# paired route: sessions 3 and 8 of the same dyads, FIML
sr_wide <- wide_pairs(wsr[wsr$session == 3, ], wsr[wsr$session == 8, ], items_sr, "session3", "session8", "dyad_id")
sr_paired <- paired_fits(keys_sr, "wai_sr_%02d", c("session3", "session8"), sr_wide)
save(list(meta = meta, keys = keys_sr, subset = "session == 1 (listwise)",
          family = sr_family$records, family_lrt = family_lrt(sr_family$fits, nested_pairs("bond_vs_goal_task")),
          groups = sr_groups, groups_call = "session 1, group = cohort (therapist TA01-TA12 early, else late)",
          paired = sr_paired, paired_call = "sessions 3 and 8 merged by dyad_id, missing = 'ml'"),
     "wai_sr.json")
}

if (run("wai36")) {
w36 <- read.csv("data-samples/wai36_client_therapist.csv")
items_36 <- sprintf("wai36_%02d", 1:36)
rev36 <- c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34)
for (k in rev36) w36[[items_36[k]]] <- 8 - w36[[items_36[k]]]
keys_36 <- list(task = c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
                bond = c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36),
                goal = c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34))
fam_36 <- family_syntax(keys_36, "wai36_%02d")
w36c <- w36[w36$rater == "client", ]
w36_family <- fit_family(fam_36, w36c)
w36_groups <- inv_steps(fam_36$correlated, w36, "rater")
save(list(meta = meta, keys = keys_36, reversed = rev36, subset = "rater == 'client', reversed items 8 - x",
          family = w36_family$records, family_lrt = family_lrt(w36_family$fits, nested_pairs(character(0))),
          groups = w36_groups, groups_call = "group = rater (client vs therapist as independent groups), listwise"),
     "wai36.json")
}

if (run("wai36_paired")) {
w36 <- read.csv("data-samples/wai36_client_therapist.csv")
items_36 <- sprintf("wai36_%02d", 1:36)
rev36 <- c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34)
for (k in rev36) w36[[items_36[k]]] <- 8 - w36[[items_36[k]]]
keys_36 <- list(task = c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
                bond = c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36),
                goal = c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34))
w36_wide <- wide_pairs(w36[w36$rater == "client", ], w36[w36$rater == "therapist", ], items_36, "client",
                       "therapist", c("dyad_id", "session"))
w36_paired <- paired_fits(keys_36, "wai36_%02d", c("client", "therapist"), w36_wide, full = FALSE)
save(list(meta = meta, paired = w36_paired,
          paired_call = "client and therapist merged by dyad_id and session, missing = 'ml'"),
     "wai36_paired.json")
}

# 6. scaled-shifted chi-square differences of WLSMV fits (lavTestLRT's satorra.2000)
if (run("wlsmv_lrt")) {
cut4 <- read.csv("tests/reference/cfa/ordinal/hs_cut4.csv")
items <- paste0("x", 1:9)
one <- " g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 "
f3 <- cfa(HS, data = cut4, ordered = items, estimator = "WLSMV")
f1 <- cfa(one, data = cut4, ordered = items, estimator = "WLSMV")
g0 <- cfa(HS, data = cut4, ordered = items, estimator = "WLSMV", group = "school")
g1 <- cfa(HS, data = cut4, ordered = items, estimator = "WLSMV", group = "school", group.equal = "loadings")
save(list(meta = meta,
          one_vs_three = lrt_tab(lavTestLRT(f3, f1)), one_vs_three_call = "lavTestLRT(three factors, one factor), WLSMV",
          loadings = lrt_tab(lavTestLRT(g0, g1)), loadings_call = "lavTestLRT(configural, equal loadings), WLSMV by school"),
     "wlsmv_lrt.json")
}

# 5. compRelSEM on the HS joint model (the per-subscale omega of the reliability table)
if (run("omega")) {
hs_std <- cfa(HS, data = hs, std.lv = TRUE)
save(list(meta = meta, call = "compRelSEM(cfa(HS, data = HolzingerSwineford1939, std.lv = TRUE), return.total = TRUE)",
          omega = as.list(compRelSEM(hs_std, return.total = TRUE)),
          one_factor = as.list(compRelSEM(cfa(' visual =~ x1 + x2 + x3', data = hs, std.lv = TRUE)))),
     "holzinger_swineford_omega.json")
}
cat("done\n")
