# Export the BDI scores of suddengains' example data set (sgdata, 43 cases) to CSV.
#
# suddengains (Wiedemann, Thew, Stott & Ehlers; MIT licence) is not on this machine's package mirror; its
# data file data/sgdata.RData comes from the package's source repository (milanwiedemann/suddengains,
# version 0.7.2). Run from the repository root:
#   Rscript tests/reference/sessions/export_sgdata.R <path to sgdata.RData>
# Writes tests/reference/sessions/sgdata_bdi.csv (id, bdi_s0 .. bdi_s12; the follow-ups and the rumination
# scores are not used).
args <- commandArgs(trailingOnly = TRUE)
load(args[1])
cols <- c("id", paste0("bdi_s", 0:12))
write.csv(sgdata[, cols], "tests/reference/sessions/sgdata_bdi.csv", row.names = FALSE, na = "")
cat("R", R.version$major, R.version$minor, "; wrote", nrow(sgdata), "rows\n")
