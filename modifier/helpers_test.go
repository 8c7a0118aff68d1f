package modifier_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/dectest"

	"github.com/pricekit/pricekit/modifier"
)

func dec(s string) decimal.Decimal { return dectest.Dec(s) }

// sameValue compares documents, decimals by value.
func sameValue(a, b any) bool { return dectest.Same(a, b) }

func TestSameValue(t *testing.T) {
	a := modifier.Discount{Percentage: null("10.0")}
	if !sameValue(a, modifier.Discount{Percentage: null("10")}) || sameValue(a, modifier.Discount{Percentage: null("10.5")}) ||
		sameValue(a, modifier.Discount{Amount: null("10")}) {
		t.Fatal("sameValue is wrong")
	}
}

func null(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }
