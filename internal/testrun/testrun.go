// Package testrun sizes the project's randomized and soak tests. A default
// run (go test ./...) keeps every assertion and runs them over fewer random
// cases, so it stays quick on a small machine; with PRICEKIT_LONG set, as
// CI's .ci/run sets it, they run over all of them.
package testrun

import "os"

// Long reports whether the long runs are asked for (PRICEKIT_LONG set and
// not "0").
func Long() bool {
	v := os.Getenv("PRICEKIT_LONG")
	return v != "" && v != "0"
}

// Cases returns normal, or long when the long runs are asked for.
func Cases(normal, long int) int {
	if Long() {
		return long
	}
	return normal
}
