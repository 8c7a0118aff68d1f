package contract

import (
	"fmt"
	"slices"

	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
)

// Versioned reports whether documents of kind k have versions
// (docs/versions.md): tier plans, fixed fees, discounts, minimums and
// maximums. A
// document of another kind is changed only by saving it again.
func (k Kind) Versioned() bool {
	e, ok := lookupKind(k)
	return ok && e.versioned()
}

// VersionSet orders the versions of one document, given in any order: it
// keeps the last base version (EffectiveFrom zero) and the last version of
// each day, base first, then by day. It is how a bundle holding one id
// several times reads (docs/versions.md).
func VersionSet[T any](vs []T, from func(*T) date.Date) []T {
	if len(vs) <= 1 {
		return vs
	}
	out := make([]T, 0, len(vs))
	for i := range vs {
		d := from(&vs[i])
		j := slices.IndexFunc(out, func(v T) bool { return from(&v) == d })
		if j >= 0 {
			out[j] = vs[i]
			continue
		}
		out = append(out, vs[i])
	}
	slices.SortStableFunc(out, func(a, b T) int { return int(from(&a)) - int(from(&b)) })
	return out
}

// MergeVersions returns the versions of a document once the versions in
// saved (a version set) are saved over those stored: saved alone when it
// holds a base version, a correction of the whole document; otherwise the
// stored versions with saved's added, each replacing a stored one of the
// same day.
func MergeVersions[T any](stored, saved []T, from func(*T) date.Date) []T {
	if len(saved) > 0 && from(&saved[0]) == 0 {
		return saved
	}
	return VersionSet(append(slices.Clone(stored), saved...), from)
}

// At returns the version of a version set in force on day: the latest
// whose EffectiveFrom is on or before it, or the earliest when none is.
func At[T any](vs []T, from func(*T) date.Date, day date.Date) *T {
	at := 0
	for i := 1; i < len(vs); i++ {
		if from(&vs[i]) <= day {
			at = i
		}
	}
	return &vs[at]
}

// PlanFrom returns the day a tier plan version takes effect, for
// VersionSet, MergeVersions and At; FeeFrom, DiscountFrom and MinimumFrom
// do the same for the other versioned kinds.
func PlanFrom(p *plan.TierPlan) date.Date { return p.EffectiveFrom }

// FeeFrom returns the day a fixed fee version takes effect.
func FeeFrom(f *plan.FixedFee) date.Date { return f.EffectiveFrom }

// DiscountFrom returns the day a discount version takes effect.
func DiscountFrom(d *modifier.Discount) date.Date { return d.EffectiveFrom }

// MinimumFrom returns the day a minimum version takes effect.
func MinimumFrom(m *modifier.Minimum) date.Date { return m.EffectiveFrom }

// MaximumFrom returns the day a maximum version takes effect.
func MaximumFrom(m *modifier.Maximum) date.Date { return m.EffectiveFrom }

// CheckFeeVersions refuses (invalid_input at path, such as
// "fixed_fees[2].period") versions of one fixed fee that do not share its
// period: each version prices the periods, or recurrences, that begin
// while it is in force, so versions of another period would bill some days
// twice and others never.
func CheckFeeVersions(vs []plan.FixedFee, path string) error {
	for _, v := range vs[min(1, len(vs)):] {
		if v.Period != vs[0].Period {
			return pricekit.Errorf(pricekit.ErrInvalidInput, "contract", path+".period",
				fmt.Sprintf("the versions of fee %s have one period: %q, not %q", v.ID, vs[0].Period.String(), v.Period.String()))
		}
	}
	return nil
}
