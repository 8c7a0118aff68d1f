package plan

import "github.com/shopspring/decimal"

// DecimalText is the text of the decimal reference implementation, which
// an Explanation's integer path must write alike.
func DecimalText(pr *Pricer, q decimal.Decimal, places int32) string {
	_, s := pr.price(q, places, true)
	return s
}
