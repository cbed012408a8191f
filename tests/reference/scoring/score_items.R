# Reference scores for the scoring engine from R's psych::scoreItems.
# Run from the repository root:  Rscript tests/reference/scoring/score_items.R
# Writes tests/reference/scoring/*.csv (committed; the tests need no R).
# R 4.2, psych 2.2.9 (Debian's r-cran-psych).
suppressMessages(library(psych))
out_dir <- "tests/reference/scoring"

score_sample <- function(file, prefix, n_items, keys_list, reversed, min, max, out) {
  d <- read.csv(file.path("data-samples", file), check.names = FALSE)
  cols <- sprintf("%s_%02d", prefix, seq_len(n_items))
  x <- as.matrix(d[, cols])
  keys <- lapply(keys_list, function(k) ifelse(k %in% reversed, paste0("-", cols[k]), cols[k]))
  keys$total <- ifelse(seq_len(n_items) %in% reversed, paste0("-", cols), cols)
  # means of the answered keyed items (no imputation), and sums of complete rows
  m <- scoreItems(keys, x, totals = FALSE, impute = "none", min = min, max = max)$scores
  s <- scoreItems(keys, x, totals = TRUE, impute = "none", min = min, max = max)$scores
  res <- data.frame(row = seq_len(nrow(x)) - 1, m)
  names(res)[-1] <- paste0(names(res)[-1], "_mean")
  sums <- as.data.frame(s)
  names(sums) <- paste0(names(sums), "_sum")
  res <- cbind(res, sums)
  write.csv(res, file.path(out_dir, out), row.names = FALSE)
}

wai36 <- list(task = c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
              bond = c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36),
              goal = c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34))
score_sample("wai36_client_therapist.csv", "wai36", 36, wai36,
             c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34), 1, 7, "wai36_client_therapist.csv")
waisr <- list(task = c(1, 2, 10, 12), bond = c(3, 5, 7, 9), goal = c(4, 6, 8, 11))
score_sample("wai_sr_sessions.csv", "wai_sr", 12, waisr, c(), 1, 5, "wai_sr_sessions.csv")
