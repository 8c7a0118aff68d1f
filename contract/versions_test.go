package contract_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
)

func TestEffectiveFromOnlyOnVersionedKinds(t *testing.T) {
	for kind, doc := range map[contract.Kind]string{
		contract.KindCustomer:         `{"customer_name": "Acme", "effective_from": "2024-03-01"}`,
		contract.KindCredit:           `{"amount": "10", "effective_from": "2024-03-01"}`,
		contract.KindBillingFrequency: `{"frequency": "M", "effective_from": "2024-03-01"}`,
		contract.KindProductContract:  `{"tiers": "` + uuid.NewString() + `", "start_date": "2024-01-01", "effective_from": "2024-03-01"}`,
		contract.KindSubContract:      `{"start_date": "2024-01-01", "effective_from": "2024-03-01"}`,
		contract.KindParentContract:   `{"start_date": "2024-01-01", "effective_from": "2024-03-01"}`,
	} {
		t.Run(string(kind), func(t *testing.T) {
			assert.False(t, kind.Versioned())
			var o contract.Objects
			err := json.Unmarshal([]byte(`{"`+string(kind)+`": [`+doc+`]}`), &o)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			e := pricekit.First(err)
			assert.Equal(t, string(kind)+"[0].effective_from", e.Field)
			assert.Contains(t, e.Message, "no versions")
		})
	}
	for kind, doc := range map[contract.Kind]string{
		contract.KindPlan:     `{"pricing_type": 1, "tiers": [[0, null, "0.10"]], "effective_from": "2024-03-01T00:00:00Z"}`,
		contract.KindFixedFee: `{"amount": "10", "effective_from": "2024-03-01"}`,
		contract.KindDiscount: `{"percentage": 10, "effective_from": "2024-03-01"}`,
		contract.KindMinimum:  `{"amount": "10", "effective_from": "2024-03-01"}`,
	} {
		t.Run(string(kind), func(t *testing.T) {
			assert.True(t, kind.Versioned())
			var o contract.Objects
			require.NoError(t, json.Unmarshal([]byte(`{"`+string(kind)+`": [`+doc+`]}`), &o))
			data, err := json.Marshal(o)
			require.NoError(t, err)
			assert.Contains(t, string(data), `"effective_from":"2024-03-01"`, "written back as a day")
			var again contract.Objects
			require.NoError(t, json.Unmarshal(data, &again))
			back, err := json.Marshal(again)
			require.NoError(t, err)
			assert.JSONEq(t, string(data), string(back))
		})
	}
	var o contract.Objects
	err := json.Unmarshal([]byte(`{"fixed_fees": [{"amount": "1", "effective_from": "10000-01-01"}]}`), &o)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	err = json.Unmarshal([]byte(`{"fixed_fees": [{"amount": "1", "effective_from": 20240301}]}`), &o)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
}

func TestVersionSets(t *testing.T) {
	id := uuid.New()
	fee := func(amount string, from string) plan.FixedFee {
		f := plan.FixedFee{ID: id, Amount: dec(amount)}
		if from != "" {
			f.EffectiveFrom = day(from)
		}
		return f
	}
	amounts := func(fs []plan.FixedFee) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Amount.String())
		}
		return out
	}
	set := contract.VersionSet([]plan.FixedFee{fee("60", "2024-03-01"), fee("30", ""), fee("70", "2024-03-01"),
		fee("50", "2024-02-01"), fee("20", "")}, contract.FeeFrom)
	assert.Equal(t, []string{"20", "50", "70"}, amounts(set), "last base and last of each day, base first")
	assert.Equal(t, "20", contract.At(set, contract.FeeFrom, day("2024-01-31")).Amount.String())
	assert.Equal(t, "50", contract.At(set, contract.FeeFrom, day("2024-02-29")).Amount.String())
	assert.Equal(t, "70", contract.At(set, contract.FeeFrom, day("2024-03-01")).Amount.String())

	dated := contract.VersionSet([]plan.FixedFee{fee("90", "2024-05-01"), fee("80", "2024-04-01")}, contract.FeeFrom)
	assert.Equal(t, "80", contract.At(dated, contract.FeeFrom, day("2024-01-01")).Amount.String(),
		"before every version, the earliest")
	assert.Equal(t, []string{"20", "50", "70", "80", "90"}, amounts(contract.MergeVersions(set, dated, contract.FeeFrom)),
		"dated versions are added")
	assert.Equal(t, []string{"10"}, amounts(contract.MergeVersions(set, []plan.FixedFee{fee("10", "")}, contract.FeeFrom)),
		"a base version is a correction: it replaces every version")
	assert.Equal(t, []string{"20", "50", "75"},
		amounts(contract.MergeVersions(set, []plan.FixedFee{fee("75", "2024-03-01")}, contract.FeeFrom)),
		"a version of the same day replaces it")
}
