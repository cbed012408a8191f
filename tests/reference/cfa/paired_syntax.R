# The lavaan syntax of one step of the two-rater invariance model, as toolkit.validity.raters.paired_syntax writes
# it (items <item>_<suffix>, factors <factor>_<suffix>). Sourced by make_reference.R (continuous items) and
# ordinal/make_reference.R (nthresholds given: ordinal items, no intercepts; the scalar step holds the thresholds
# equal and frees the second rater's scale factors).
paired_syntax <- function(keys, prefix, suffixes, step, nthresholds = NULL) {
  lines <- c()
  for (s in suffixes) {
    for (f in names(keys)) {
      it <- sprintf(prefix, keys[[f]])
      terms <- paste0("NA*", it, "_", s)
      if (step != "configural") terms <- paste0(terms, " + l_", it, "*", it, "_", s)
      lines <- c(lines, sprintf("%s_%s =~ %s", f, s, paste(terms, collapse = " + ")))
      first <- s == suffixes[1]
      lines <- c(lines, sprintf("%s_%s ~~ %s*%s_%s", f, s, if (first || step == "configural") "1" else "NA", f, s))
      lines <- c(lines, sprintf("%s_%s ~ %s*1", f, s, if (first || step %in% c("configural", "metric")) "0" else "NA"))
      for (i in seq_along(it)) {
        v <- paste0(it[i], "_", s)
        if (!is.null(nthresholds)) {
          if (step == "scalar") {
            k <- seq_len(nthresholds)
            lines <- c(lines, sprintf("%s | %s", v, paste0("th_", it[i], "_", k, "*t", k, collapse = " + ")))
            if (!first) lines <- c(lines, sprintf("%s ~*~ NA*%s", v, v))
          }
          next
        }
        lines <- c(lines, if (step %in% c("scalar", "strict")) sprintf("%s ~ i_%s*1", v, it[i]) else sprintf("%s ~ 1", v))
        if (step == "strict") lines <- c(lines, sprintf("%s ~~ e_%s*%s", v, it[i], v))
      }
    }
  }
  for (f in names(keys)) for (k in keys[[f]]) {
    it <- sprintf(prefix, k)
    lines <- c(lines, sprintf("%s_%s ~~ %s_%s", it, suffixes[1], it, suffixes[2]))
  }
  paste(lines, collapse = "\n")
}
