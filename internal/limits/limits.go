// Package limits holds the bounds every document and event must keep,
// whether it arrives as JSON or through the Go API: text is valid UTF-8
// without NUL characters; a decimal has at most 38 significant digits and
// 28 after the point; a day lies in 0001-01-02 .. 9999-12-31. Beyond them a
// value is invalid_input, in every store alike.
package limits

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pricekit/pricekit"
)

// Text checks that s is valid UTF-8 without NUL characters.
func Text(op, field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field, "text is not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field, fmt.Sprintf("text holds a NUL character at byte %d", strings.IndexByte(s, 0)))
	}
	return nil
}
