package plan

import "github.com/shopspring/decimal"

// DecimalText is the text of the decimal reference implementation for
// the tiers' price of q, which an Explanation's integer path must write
// alike.
func DecimalText(pr *Pricer, q decimal.Decimal, places int32) string {
	_, s := pr.price(q, places, true)
	return s
}

// TextWithDecimals is the text of x written with decimals only, which
// its integer path must write alike.
func TextWithDecimals(x Explanation) string { return string(x.appendText(nil, false)) }
