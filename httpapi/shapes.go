package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
)

// The service's clients read amounts as JSON numbers and a tier plan's
// tiers as lists; the library writes decimals as strings and tiers as
// objects. These shapes belong to this package: the library's own JSON
// stays as it is.

// numeric names the fields whose decimals are written as numbers, in
// documents and in statements.
var numeric = map[string]bool{
	"amount": true, "percentage": true, "threshold": true, "package_size": true, "free_quantity": true,
	"minimum": true, "maximum": true, "rate": true, "event_fee": true, "event_minimum": true,
	"event_maximum": true, "unit_price": true, "flat_fee": true, "start": true, "end": true,
	"quantity": true, "subtotal": true, "discounts": true, "minimums": true, "maximums": true,
	"adjustments": true, "credits": true, "total": true, "remaining": true, "granted": true,
	"increment": true,
}

// shape writes doc, a document or a statement, as the service did: v's
// JSON with its decimals as numbers, a tier plan's tiers as "tier": [[start,
// end, unit_price(, flat_fee)], …], and a customer's id also as
// customer_id.
func shape(doc any) (map[string]any, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	numbers(m)
	switch doc.(type) {
	case contract.Customer:
		m["customer_id"] = m["id"]
	}
	if k, ok := contract.KindOf(doc); ok && k == contract.KindPlan {
		if tiers, ok := m["tiers"].([]any); ok {
			m["tier"] = tierLists(tiers)
			delete(m, "tiers")
		}
	}
	return m, nil
}

// numbers turns the decimal strings of numeric fields into numbers, all
// the way down.
func numbers(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && numeric[k] {
				if _, err := decimal.NewFromString(s); err == nil {
					v[k] = json.Number(s)
				}
				continue
			}
			numbers(x)
		}
	case []any:
		for _, x := range v {
			numbers(x)
		}
	}
}

// tierLists writes tiers, as objects, as the lists the service's clients
// give: [start, end, unit_price], and flat_fee fourth when it is not zero.
func tierLists(tiers []any) []any {
	out := make([]any, len(tiers))
	for i, t := range tiers {
		m, ok := t.(map[string]any)
		if !ok {
			out[i] = t
			continue
		}
		l := []any{m["start"], m["end"], m["unit_price"]}
		if f, ok := m["flat_fee"].(json.Number); ok {
			if d, err := decimal.NewFromString(f.String()); err != nil || !d.IsZero() {
				l = append(l, f)
			}
		}
		out[i] = l
	}
	return out
}

// asGiven names the fields of err as body did: a tier plan's tiers as
// "tier" when it gave them so.
func asGiven(k contract.Kind, body []byte, err error) error {
	var m map[string]json.RawMessage
	if k != contract.KindPlan || json.Unmarshal(body, &m) != nil {
		return err
	}
	if _, ok := m["tier"]; !ok {
		return err
	}
	if _, both := m["tiers"]; both {
		return err
	}
	for _, e := range pricekit.All(err) {
		for _, prefix := range []string{"tiers[0].", ""} { // a save names it within its batch
			rest, ok := strings.CutPrefix(e.Field, prefix+"tiers")
			if ok && (rest == "" || rest[0] == '[' || rest[0] == '.') {
				e.Field = prefix + "tier" + rest
				break
			}
		}
	}
	return err
}

// fromService rewrites a body in the service's shapes for the library: a
// tier plan's "tier" is its "tiers", and the "period" the service's
// clients send on tier plans means nothing and is dropped. Other bodies
// pass as they are; what is not an object is left for the decoder to
// refuse.
func fromService(k contract.Kind, body []byte) []byte {
	if k != contract.KindPlan {
		return body
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if t, ok := m["tier"]; ok {
		if _, both := m["tiers"]; !both {
			m["tiers"] = t
			delete(m, "tier")
		}
	}
	delete(m, "period")
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}
