# Reference for toolkit.planning.analyses.omega_wald: omega of the total score of the correlated-factors CFA
# (std.lv = TRUE, ML, expected information) as a defined parameter, its delta-method SE and Wald interval.
# Data: omega_data.csv (300 simulated WAI-SR answers, written by the test's Population draw).
# Run: Rscript tests/reference/planning/omega_wald.R  (from the repository root)
suppressMessages(library(lavaan))
d <- read.csv("tests/reference/planning/omega_data.csv")
model <- '
task =~ t1*wai_sr_01 + t2*wai_sr_02 + t3*wai_sr_10 + t4*wai_sr_12
bond =~ b1*wai_sr_03 + b2*wai_sr_05 + b3*wai_sr_07 + b4*wai_sr_09
goal =~ g1*wai_sr_04 + g2*wai_sr_06 + g3*wai_sr_08 + g4*wai_sr_11
task ~~ tb*bond
task ~~ tg*goal
bond ~~ bg*goal
wai_sr_01 ~~ e1*wai_sr_01
wai_sr_02 ~~ e2*wai_sr_02
wai_sr_10 ~~ e3*wai_sr_10
wai_sr_12 ~~ e4*wai_sr_12
wai_sr_03 ~~ e5*wai_sr_03
wai_sr_05 ~~ e6*wai_sr_05
wai_sr_07 ~~ e7*wai_sr_07
wai_sr_09 ~~ e8*wai_sr_09
wai_sr_04 ~~ e9*wai_sr_04
wai_sr_06 ~~ e10*wai_sr_06
wai_sr_08 ~~ e11*wai_sr_08
wai_sr_11 ~~ e12*wai_sr_11
T := t1 + t2 + t3 + t4
B := b1 + b2 + b3 + b4
G := g1 + g2 + g3 + g4
num := T^2 + B^2 + G^2 + 2*tb*T*B + 2*tg*T*G + 2*bg*B*G
omega := num / (num + e1 + e2 + e3 + e4 + e5 + e6 + e7 + e8 + e9 + e10 + e11 + e12)
'
fit <- cfa(model, data = d, std.lv = TRUE, estimator = "ML", information = "expected")
pe <- parameterEstimates(fit, level = 0.95)
row <- pe[pe$lhs == "omega", ]
out <- sprintf('{"estimate": %.12f, "se": %.12f, "ci_low": %.12f, "ci_high": %.12f, "lavaan": "%s", "R": "%s"}',
               row$est, row$se, row$ci.lower, row$ci.upper, packageVersion("lavaan"), getRversion())
writeLines(out, "tests/reference/planning/omega_wald.json")
cat(out, "\n")
