package expect

// WholeEval is the evaluation over a whole timeline as it was before the
// folds (whole_test.go), for the external tests.
var WholeEval = wholeEval
