# Reference values for tests/agreement (R 4.2; nlme, psych, and epiR when installed).
#
# Run from the repository root after `python -m tests.agreement._data` wrote the input CSVs:
#   Rscript tests/reference/agreement/make_reference.R
# Writes tests/reference/agreement/{icc_dyads,apim,rsa}.json. Every model is set up here from the CSVs,
# independently of the Python code under test (the partner's predictor is looked up in R).
suppressPackageStartupMessages({ library(nlme); library(psych); library(jsonlite) })
dir <- "tests/reference/agreement"
put <- function(x, name) writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, pretty = TRUE),
                                    file.path(dir, paste0(name, ".json")))

## 1. two raters on simulated dyads: psych::ICC, cor.test, paired t.test, epiR::epi.ccc
d <- read.csv(file.path(dir, "icc_dyads.csv"))
ic <- psych::ICC(d[, c("client", "therapist")], lmer = FALSE)
ct <- cor.test(d$client, d$therapist)
tt <- t.test(d$client, d$therapist, paired = TRUE)
out <- list(versions = list(R = R.version.string, psych = as.character(packageVersion("psych"))),
            icc = list(type = as.character(ic$results$type), icc = ic$results$ICC, F = ic$results$F,
                       df1 = ic$results$df1, df2 = ic$results$df2, p = ic$results$p,
                       lower = ic$results$`lower bound`, upper = ic$results$`upper bound`),
            cor = list(r = unname(ct$estimate), lower = ct$conf.int[1], upper = ct$conf.int[2], p = ct$p.value),
            t = list(t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
                     lower = tt$conf.int[1], upper = tt$conf.int[2], mean_diff = unname(tt$estimate)))
if (requireNamespace("epiR", quietly = TRUE)) {
  cc <- epiR::epi.ccc(d$client, d$therapist, ci = "z-transform", conf.level = 0.95)
  out$ccc <- list(est = cc$rho.c$est, lower = cc$rho.c$lower, upper = cc$rho.c$upper, C.b = cc$C.b,
                  epiR = as.character(packageVersion("epiR")))
}
put(out, "icc_dyads")

## 2. APIM: nlme::gls with compound symmetry within dyads and a residual variance per role
a <- read.csv(file.path(dir, "apim_sample.csv"))
other <- ifelse(a$rater == "client", "therapist", "client")
a$partner <- a$alliance[match(paste(a$dyad_id, other), paste(a$dyad_id, a$rater))]
a$rater <- factor(a$rater, levels = c("client", "therapist"))
fit_apim <- function(method) {
  m <- gls(outcome ~ 0 + rater + rater:alliance + rater:partner, data = a, method = method,
           correlation = corCompSymm(form = ~ 1 | dyad_id), weights = varIdent(form = ~ 1 | rater),
           na.action = na.omit, control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500,
                                                     msMaxIter = 500))
  tt <- summary(m)$tTable
  ratio <- coef(m$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
  list(method = method, terms = rownames(tt), estimate = unname(tt[, "Value"]), se = unname(tt[, "Std.Error"]),
       t = unname(tt[, "t-value"]), p = unname(tt[, "p-value"]),
       sigma = list(client = m$sigma * ratio[["client"]], therapist = m$sigma * ratio[["therapist"]]),
       rho = unname(coef(m$modelStruct$corStruct, unconstrained = FALSE)),
       loglik = as.numeric(logLik(m)), n_obs = m$dims$N)
}
put(list(nlme = as.character(packageVersion("nlme")),
         call = paste("gls(outcome ~ 0 + rater + rater:alliance + rater:partner, correlation = corCompSymm(form",
                      "= ~1 | dyad_id), weights = varIdent(form = ~1 | rater), na.action = na.omit)"),
         REML = fit_apim("REML"), ML = fit_apim("ML")), "apim")

## 3. response surface: lm() with the quadratic terms, X and Y centred at the POMP midpoint 50
r <- read.csv(file.path(dir, "rsa_sample.csv"))
r$x <- r$client - 50; r$y <- r$therapist - 50
m <- lm(ors_next ~ x + y + I(x^2) + I(x * y) + I(y^2), data = r)
V <- vcov(m); b <- coef(m)
C <- rbind(a1 = c(0, 1, 1, 0, 0, 0), a2 = c(0, 0, 0, 1, 1, 1), a3 = c(0, 1, -1, 0, 0, 0),
           a4 = c(0, 0, 0, 1, -1, 1), a5 = c(0, 0, 0, 1, 0, -1))
s <- summary(m)
put(list(center = 50, b = unname(b), se = unname(sqrt(diag(V))), a = unname(drop(C %*% b)),
         a_se = unname(sqrt(diag(C %*% V %*% t(C)))), sigma = s$sigma, r2 = s$r.squared,
         adj_r2 = s$adj.r.squared, f = unname(s$fstatistic[1]), df = m$df.residual, n = nrow(model.frame(m))),
    "rsa")
cat("wrote", dir, "\n")
