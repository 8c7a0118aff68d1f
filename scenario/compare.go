package scenario

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// compare reports where got differs from want: only the fields want gives
// are compared (docs/scenarios.md), lists element by element, numbers by value.
func compare(path string, want, got any, diffs *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want an object, got %s", show(path), brief(got)))
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s: missing (want %s)", join(path, k), brief(w[k])))
				continue
			}
			compare(join(path, k), w[k], gv, diffs)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want a list, got %s", show(path), brief(got)))
			return
		}
		if len(w) != len(g) {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %d items, got %d", show(path), len(w), len(g)))
		}
		for i := range min(len(w), len(g)) {
			compare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], diffs)
		}
	default:
		if !sameScalar(want, got) {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %s, got %s", show(path), brief(want), brief(got)))
		}
	}
}

func sameScalar(want, got any) bool {
	if fmt.Sprint(want) == fmt.Sprint(got) {
		return true
	}
	wd, err1 := decimal.NewFromString(fmt.Sprint(want))
	gd, err2 := decimal.NewFromString(fmt.Sprint(got))
	return err1 == nil && err2 == nil && wd.Equal(gd)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func show(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

func brief(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
