package offline

import "strings"

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// must returns v, failing the test run loudly if err is set; the engine's
// functions fail only when their context ends.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
