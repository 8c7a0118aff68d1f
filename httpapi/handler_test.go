package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/httpapi/apitest"
	"github.com/pricekit/pricekit/store/memory"
)

// client drives a Handler through a real HTTP server on a loopback port,
// as a service's tests would, with paths of one organization's real space.
type client struct{ *apitest.Client }

func newClient(t *testing.T, h http.Handler) *client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &client{apitest.New(t, srv.URL)}
}

func (c *client) do(method, path, body string) (int, any) {
	c.T.Helper()
	return c.Do(method, path, body)
}

func (c *client) path(p string) string { return c.Path(p) }

func (c *client) create(p, body string) map[string]any {
	c.T.Helper()
	return c.Create(c.Path(p), body)
}

func (c *client) get(p string) (int, any) {
	c.T.Helper()
	return c.Do("GET", c.Path(p), "")
}

// otherOrg is c for another organization.
func (c *client) otherOrg() *client {
	o := *c.Client
	o.Org = uuid.New()
	return &client{&o}
}

func num(s string) json.Number { return json.Number(s) }

const (
	tierBody = apitest.TierPlan
	feeBody  = apitest.FixedFee
	discBody = apitest.Discount
	freqBody = apitest.Frequency
)

func TestCreateAndRead(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	x := c.Build(c.path(""))

	status, v := c.get("/plans/tier/" + x.Plan)
	require.Equal(t, http.StatusOK, status)
	p := v.(map[string]any)
	assert.Equal(t, []any{[]any{num("0"), num("100"), num("0.1")}, []any{num("101"), nil, num("0.2")}}, p["tier"], "tiers as given")
	assert.Equal(t, num("1"), p["pricing_type"])
	assert.NotContains(t, p, "period", "a tier plan's period means nothing")

	status, v = c.get("/plans/fixedfee/" + x.Fee)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, num("100"), v.(map[string]any)["amount"])
	assert.Contains(t, v.(map[string]any), "period")
	assert.Nil(t, v.(map[string]any)["period"])

	status, v = c.get("/modifiers/credit/" + x.Credit)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "1Y", v.(map[string]any)["expiry"])
	assert.Equal(t, num("20"), v.(map[string]any)["amount"])

	status, v = c.get("/modifiers/billing_frequency/" + x.Frequency)
	require.Equal(t, http.StatusOK, status)
	f := v.(map[string]any)
	assert.Equal(t, []any{num("2"), num("1"), "M", "S", false}, []any{f["type"], f["interval"], f["frequency"], f["anchor"], f["eq"]})

	for path, id := range map[string]string{"/modifiers/discount/": x.Discount, "/modifiers/minimum/": x.Minimum,
		"/customers/": x.Customer, "/productcontract/": x.Product, "/subcontract/": x.Sub} {
		status, v := c.get(path + id)
		assert.Equal(t, http.StatusOK, status, path)
		assert.Equal(t, id, v.(map[string]any)["id"], path)
	}

	status, v = c.get("/contract/" + x.Parent)
	require.Equal(t, http.StatusOK, status)
	pc := v.(map[string]any)
	assert.Equal(t, c.Org.String(), pc["organization_id"])
	assert.Equal(t, x.Customer, pc["customer_id"])
	assert.Equal(t, []any{x.Minimum}, pc["minimums"])
	assert.Equal(t, []any{x.Fee}, pc["fixed_fees"])
	assert.Equal(t, []any{x.Credit}, pc["credits"])
	assert.Equal(t, false, pc["override_underlying"])
	subs := pc["sub_contracts"].([]any)
	require.Len(t, subs, 1)
	sub := subs[0].(map[string]any)
	assert.Equal(t, x.Sub, sub["id"])
	assert.Equal(t, []any{x.Discount}, sub["discounts"])
	products := sub["product_contracts"].([]any)
	require.Len(t, products, 1)
	assert.Equal(t, x.Product, products[0].(map[string]any)["id"])
	assert.Equal(t, x.ProductID, products[0].(map[string]any)["product_id"])

	status, v = c.get("/customer/" + x.Customer)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, v, 1)
	assert.Equal(t, x.Parent, v.([]any)[0].(map[string]any)["id"])
}

// TestMaximums serves the library's maximums in the service's manner.
func TestMaximums(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	m := c.create("/modifiers/maximums", `{"display_name": "Cap", "amount": 900}`)
	assert.Equal(t, num("900"), m["amount"])
	status, v := c.get("/modifiers/maximum/" + m["id"].(string))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, m, v)
	_, v = c.get("/modifiers/maximums")
	assert.Equal(t, []any{m}, v)
	status, v = c.do("POST", c.path("/modifiers/maximums"), `{"amount": -1}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "amount", v.(map[string]any)["field"])
}

func TestLists(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	lists := []string{"/plans/fixedfees", "/plans/tiers", "/modifiers/discounts", "/modifiers/minimums",
		"/modifiers/credits", "/modifiers/billing_frequencies", "/customer/" + uuid.NewString()}
	for _, l := range lists {
		status, v := c.get(l)
		assert.Equal(t, http.StatusOK, status, l)
		assert.Equal(t, []any{}, v, "%s: [] when empty", l)
	}
	x := c.Build(c.path(""))
	for l, id := range map[string]string{"/plans/fixedfees": x.Fee, "/plans/tiers": x.Plan, "/modifiers/discounts": x.Discount,
		"/modifiers/minimums": x.Minimum, "/modifiers/credits": x.Credit, "/modifiers/billing_frequencies": x.Frequency} {
		status, v := c.get(l)
		require.Equal(t, http.StatusOK, status, l)
		require.Len(t, v, 1, l)
		assert.Equal(t, id, v.([]any)[0].(map[string]any)["id"], l)
	}
}

func TestReplaceByID(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	fee := c.create("/plans/fixedfee", feeBody)
	again := c.create("/plans/fixedfee", fmt.Sprintf(`{"id": %q, "display_name": "Platform", "amount": 120.5, "period": null}`, fee["id"]))
	assert.Equal(t, fee["id"], again["id"])
	_, v := c.get("/plans/fixedfees")
	require.Len(t, v, 1)
	assert.Equal(t, num("120.5"), v.([]any)[0].(map[string]any)["amount"])
}

func TestUpdateCustomer(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	id := c.create("/customers", `{"customer_name": "Acme", "customer_email": "a@acme.test"}`)["customer_id"].(string)
	status, v := c.do("PUT", c.path("/customers/"+id), `{"customer_name": "Acme Corp", "customer_email": "b@acme.test"}`)
	require.Equal(t, http.StatusOK, status, "%v", v)
	assert.Equal(t, "Acme Corp", v.(map[string]any)["customer_name"])
	_, v = c.get("/customers/" + id)
	assert.Equal(t, "b@acme.test", v.(map[string]any)["customer_email"])

	status, _ = c.do("PUT", c.path("/customers/"+uuid.NewString()), `{"customer_name": "X"}`)
	assert.Equal(t, http.StatusNotFound, status, "an unknown customer")
	status, v = c.do("PUT", c.path("/customers/"+id), fmt.Sprintf(`{"id": %q, "customer_name": "X"}`, uuid.NewString()))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "id", v.(map[string]any)["field"])
	_, v = c.get("/customers/" + id)
	assert.Equal(t, "Acme Corp", v.(map[string]any)["customer_name"], "unchanged")
}

func TestNotFound(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	for _, p := range []string{"/plans/fixedfee/", "/plans/tier/", "/modifiers/discount/", "/modifiers/minimum/",
		"/modifiers/credit/", "/modifiers/billing_frequency/", "/contract/", "/customers/"} {
		status, v := c.get(p + uuid.NewString())
		assert.Equal(t, http.StatusNotFound, status, p)
		assert.Equal(t, "not_found", v.(map[string]any)["code"], p)
		status, _ = c.get(p + "not-a-uuid")
		assert.Equal(t, http.StatusNotFound, status, p)
	}
	// A fee's id is no tier plan.
	fee := c.create("/plans/fixedfee", feeBody)
	status, _ := c.get("/plans/tier/" + fee["id"].(string))
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = c.do("GET", "/contracts/not-an-org/plans/tiers", "")
	assert.Equal(t, http.StatusNotFound, status)
}

// TestBadInput sends every kind of bad body: each is refused with its
// status, code and field, and nothing is stored.
func TestBadInput(t *testing.T) {
	st := memory.New()
	c := newClient(t, New(st, Options{}))
	for _, tc := range []struct {
		name, path, body string
		status           int
		code, field      string
	}{
		{"empty body", "/plans/tier", "", 400, "", ""},
		{"empty object", "/modifiers/discounts", "{}", 400, "", ""},
		{"whitespace", "/plans/fixedfee", " \n ", 400, "", ""},
		{"not JSON", "/plans/fixedfee", `{"amount": `, 422, "invalid_input", ""},
		{"unknown field", "/plans/fixedfee", `{"amount": 1, "colour": "red"}`, 422, "invalid_input", "colour"},
		{"wrong type", "/plans/fixedfee", `{"amount": "lots"}`, 422, "invalid_input", "amount"},
		{"negative amount", "/modifiers/minimums", `{"amount": -5}`, 422, "invalid_input", "amount"},
		{"percentage above 100", "/modifiers/discounts", `{"percentage": 120}`, 422, "invalid_input", "percentage"},
		{"bad tiers, with the service's period", "/plans/tier", `{"tier": [[5, 100, 0.1]], "pricing_type": 1, "period": "1D"}`, 400, "invalid_tiers", "tier[0].start"},
		{"gap between tiers", "/plans/tier", `{"tier": [[0, 100, 0.1], [150, null, 0.2]], "pricing_type": 1}`, 400, "invalid_tiers", ""},
		{"unknown frequency", "/modifiers/billing_frequency", `{"type": 1, "interval": 1, "frequency": "X"}`, 422, "invalid_input", "frequency"},
		{"unknown plan", "/productcontract", fmt.Sprintf(`{"product_id": %q, "tiers": %q, "start_date": "2024-01-01"}`, uuid.NewString(), uuid.NewString()), 422, "unknown_reference", "product_contracts[0].tiers"},
		{"unknown sub contract", "/parentcontract", fmt.Sprintf(`{"customer_id": %q, "start_date": "2024-01-01", "sub_contracts": [%q]}`, uuid.NewString(), uuid.NewString()), 422, "unknown_reference", "parent_contracts[0].sub_contracts[0]"},
		{"end before start", "/subcontract", `{"start_date": "2024-02-01", "end_date": "2024-01-01"}`, 422, "invalid_input", "end_date"},
		{"bad date", "/subcontract", `{"start_date": "yesterday"}`, 422, "invalid_input", "start_date"},
		{"not an object", "/customers", `[1, 2]`, 422, "invalid_input", ""},
		{"usage not a list", "/usage", `{"usage": 5}`, 422, "invalid_input", "usage"},
		{"usage of no contract", "/usage", fmt.Sprintf(`[{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 1}]`, uuid.NewString()), 422, "usage_out_of_contract", "usage[0].contract_id"},
		{"usage with a bad quantity", "/usage", fmt.Sprintf(`[{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": -1}]`, uuid.NewString()), 422, "invalid_input", "usage[0].quantity"},
		{"sim dates without dates", "/modifiers/billing_frequency/sim_dates", freqBody, 422, "invalid_input", "end_date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, v := c.do("POST", c.path(tc.path), tc.body)
			assert.Equal(t, tc.status, status, "%v", v)
			m := v.(map[string]any)
			assert.NotEmpty(t, m["message"])
			if tc.status == 400 && tc.code == "" {
				assert.Equal(t, "No input data provided", m["message"])
			}
			if tc.code != "" {
				assert.Equal(t, tc.code, m["code"], "%v", m)
				fields := []any{m["field"]}
				for _, e := range asList(m["errors"]) {
					fields = append(fields, e.(map[string]any)["field"])
				}
				if tc.field != "" {
					assert.Contains(t, fields, tc.field, "%v", m)
				}
			}
		})
	}
	for _, l := range []string{"/plans/fixedfees", "/plans/tiers", "/modifiers/discounts", "/modifiers/minimums",
		"/modifiers/billing_frequencies", "/customers"} {
		_, v := c.get(l)
		assert.Equal(t, []any{}, v, "%s: nothing stored", l)
	}
	all, err := st.List(t.Context(), c.Org)
	require.NoError(t, err)
	assert.Zero(t, all.Len(), "no document of any kind stored")
}

func asList(v any) []any { l, _ := v.([]any); return l }

func TestBodyLimit(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{MaxBody: 64}))
	status, _ := c.do("POST", c.path("/plans/fixedfee"), `{"display_name": "`+strings.Repeat("x", 100)+`", "amount": 1}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	_, v := c.get("/plans/fixedfees")
	assert.Equal(t, []any{}, v)
}

func TestSimDates(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	status, v := c.do("POST", c.path("/modifiers/billing_frequency/sim_dates"),
		`{"type": 2, "interval": 1, "frequency": "M", "anchor": "S", "eq": false, "start_date": "2024-01-15", "end_date": "2024-03-31"}`)
	require.Equal(t, http.StatusOK, status, "%v", v)
	want := map[string]any{"dates": []any{
		[]any{"2024-01-15", "2024-01-31"}, []any{"2024-02-01", "2024-02-29"}, []any{"2024-03-01", "2024-03-31"}}}
	assert.Equal(t, want, v)
	freq := c.create("/modifiers/billing_frequency", freqBody)["id"].(string)
	status, v = c.do("POST", c.path("/modifiers/billing_frequency/sim_dates"),
		fmt.Sprintf(`{"billing_frequency": %q, "start_date": "2024-01-15", "end_date": "2024-03-31"}`, freq))
	require.Equal(t, http.StatusOK, status, "%v", v)
	assert.Equal(t, want, v, "by the id of a stored frequency")
	status, v = c.do("POST", c.path("/modifiers/billing_frequency/sim_dates"),
		`{"type": 2, "interval": 0, "frequency": "M", "start_date": "2024-01-15", "end_date": "2024-03-31"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "interval", v.(map[string]any)["field"])
	status, v = c.do("POST", c.path("/modifiers/billing_frequency/sim_dates"),
		`{"type": 1, "interval": 1, "frequency": "D", "start_date": "0001-01-02", "end_date": "9999-12-31"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "3.6 million days")
	assert.Equal(t, "end_date", v.(map[string]any)["field"])
}

// TestFactoryRun ingests usage and runs the factory: the charges are the
// statements of every parent contract, with amounts as numbers.
func TestFactoryRun(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	status, v := c.get("/factory/charges")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, v, "no run yet")
	x := c.Build(c.path(""))
	status, v = c.do("POST", c.path("/usage"), apitest.Usage(x))
	require.Equal(t, http.StatusCreated, status, "%v", v)
	assert.Equal(t, map[string]any{"added": num("2"), "replayed": num("0")}, v)

	status, v = c.do("POST", c.path("/factory/run"), "")
	require.Equal(t, http.StatusOK, status, "%v", v)
	assert.Equal(t, map[string]any{"contracts": num("1"), "statements": num("2")}, v)
	status, v = c.get("/factory/charges")
	require.Equal(t, http.StatusOK, status)
	charges := v.([]any)
	require.Len(t, charges, 2)
	jan := charges[0].(map[string]any)
	assert.Equal(t, x.Parent, jan["contract_id"])
	// January: 100 × 0.1 + 50 × 0.2 = 20.00 usage, 10% off = 18.00, fee
	// 100.00; 118.00 is above the minimum; the credit pays 20.00: 98.00.
	assert.Equal(t, num("120.00"), jan["subtotal"])
	assert.Equal(t, num("98.00"), jan["total"])
	feb := charges[1].(map[string]any)
	// February: 50 × 0.1 = 5.00, less 10% = 4.50, fee 100.00: 104.50.
	assert.Equal(t, num("104.50"), feb["total"])
}

// TestSimulationSpace checks that /sim works on a space of its own:
// nothing created there is in the real store, and a run with given usage
// stores none of it.
func TestSimulationSpace(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	sim := "/sim/contracts/" + c.Org.String()
	x := c.Build(sim)
	status, _ := c.get("/plans/tier/" + x.Plan)
	assert.Equal(t, http.StatusNotFound, status, "not in the real store")
	_, v := c.get("/plans/tiers")
	assert.Equal(t, []any{}, v)

	run := fmt.Sprintf(`{"usage": [{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 150}]}`, x.Product)
	status, v = c.do("POST", sim+"/factory/run", run)
	require.Equal(t, http.StatusOK, status, "%v", v)
	assert.Equal(t, num("2"), v.(map[string]any)["statements"])
	_, v = c.do("GET", sim+"/factory/charges", "")
	require.Len(t, v, 2)
	assert.Equal(t, num("98.00"), v.([]any)[0].(map[string]any)["total"])
	_, v = c.get("/factory/charges")
	assert.Equal(t, []any{}, v, "the real space ran nothing")

	// The given usage was not stored: a run without it bills no usage.
	status, v = c.do("POST", sim+"/factory/run", "")
	require.Equal(t, http.StatusOK, status, "%v", v)
	_, v = c.do("GET", sim+"/factory/charges", "")
	jan := v.([]any)[0].(map[string]any)
	assert.Equal(t, num("100.00"), jan["subtotal"], "the fee alone: no usage stored")
	assert.Equal(t, num("80.00"), jan["total"])

	status, v = c.do("POST", sim+"/factory/run", fmt.Sprintf(`{"usage": [{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 1}]}`, uuid.NewString()))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "usage_out_of_contract", v.(map[string]any)["code"])
}

// TestServiceFlow runs the service's whole flow in-process.
func TestServiceFlow(t *testing.T) {
	newClient(t, New(memory.New(), Options{})).Flow()
}

// TestFactoryRunEvergreen rates a contract without an end date through
// today, and every contract through a body's "to".
func TestFactoryRunEvergreen(t *testing.T) {
	today := time.Date(2024, 2, 10, 12, 0, 0, 0, time.UTC)
	c := newClient(t, New(memory.New(), Options{Now: func() time.Time { return today }}))
	x := c.Build(c.path(""))
	status, v := c.do("POST", c.path("/parentcontract"), fmt.Sprintf(`{"display_name": "Evergreen", "customer_id": %q,
		"start_date": "2024-01-01", "end_date": null, "billing_frequency": %q, "fixed_fees": [%q]}`, x.Customer, x.Frequency, x.Fee))
	require.Equal(t, http.StatusCreated, status, "%v", v)
	evergreen := v.(map[string]any)["id"]

	status, v = c.do("POST", c.path("/factory/run"), "")
	require.Equal(t, http.StatusOK, status, "%v", v)
	assert.Equal(t, map[string]any{"contracts": num("2"), "statements": num("4")}, v, "two months each, no errors")
	_, v = c.get("/factory/charges")
	var months []any
	for _, st := range v.([]any) {
		if st.(map[string]any)["contract_id"] == evergreen {
			months = append(months, st.(map[string]any)["period_start"])
		}
	}
	assert.Equal(t, []any{"2024-01-01", "2024-02-01"}, months, "through today, 10 February")

	status, v = c.do("POST", c.path("/factory/run"), `{"to": "2024-01-31"}`)
	require.Equal(t, http.StatusOK, status, "%v", v)
	assert.Equal(t, num("2"), v.(map[string]any)["statements"], "January of each")
	status, v = c.do("POST", c.path("/factory/run"), `{"to": "soon"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "to", v.(map[string]any)["field"])
	status, v = c.do("POST", c.path("/factory/run"), `{"usage": []}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "usage is given under /sim only: %v", v)
}

// TestSimulationUsage checks the usage given to a simulated run: a
// product contract under two parent contracts bills both, as a run on the
// stored usage does, and bad usage is refused whole, leaving the last
// run's charges.
func TestSimulationUsage(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	sim := c.SimPath("")
	x := c.Build(sim)
	status, v := c.do("POST", sim+"/parentcontract", fmt.Sprintf(`{"display_name": "Second", "customer_id": %q,
		"start_date": "2024-01-01", "end_date": "2024-01-31", "sub_contracts": [%q]}`, x.Customer, x.Sub))
	require.Equal(t, http.StatusCreated, status, "%v", v)
	run := fmt.Sprintf(`{"usage": [{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 150}]}`, x.Product)
	status, v = c.do("POST", sim+"/factory/run", run)
	require.Equal(t, http.StatusOK, status, "%v", v)
	_, v = c.do("GET", sim+"/factory/charges", "")
	billed := map[any]int{}
	for _, st := range v.([]any) {
		for _, l := range st.(map[string]any)["lines"].([]any) {
			if l := l.(map[string]any); l["kind"] == "usage" && l["quantity"] == num("150") {
				billed[st.(map[string]any)["contract_id"]]++
			}
		}
	}
	assert.Len(t, billed, 2, "both parent contracts bill the shared product contract: %v", billed)

	for _, bad := range []struct{ body, code, field string }{
		{fmt.Sprintf(`{"usage": [{"id": "u1", "contract_id": %q, "date": "2025-01-05", "quantity": 1}]}`, x.Product), "usage_out_of_contract", "usage[0].date"},
		{fmt.Sprintf(`{"usage": [{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 1},
			{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 2}]}`, x.Product, x.Product), "duplicate_usage", "usage[1].id"},
		{`{"usage": [{"id": "u1", "quantity": 1}]}`, "invalid_input", "usage[0].contract_id"},
	} {
		status, v = c.do("POST", sim+"/factory/run", bad.body)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", v)
		m := v.(map[string]any)
		assert.Equal(t, bad.code, m["code"], "%v", m)
		assert.Equal(t, bad.field, m["field"], "%v", m)
	}
	_, v = c.do("GET", sim+"/factory/charges", "")
	assert.Len(t, v, 3, "the last run's charges stay")
}

// TestBadUsageStoresNothing refuses a batch with one bad event whole: the
// good event in it is not billed.
func TestBadUsageStoresNothing(t *testing.T) {
	c := newClient(t, New(memory.New(), Options{}))
	x := c.Build(c.path(""))
	status, v := c.do("POST", c.path("/usage"), fmt.Sprintf(`[
		{"id": "good", "contract_id": %q, "date": "2024-01-05", "quantity": 150},
		{"id": "bad", "contract_id": %q, "date": "2025-01-05", "quantity": 1}]`, x.Product, x.Product))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "usage[1].date", v.(map[string]any)["field"])
	status, _ = c.do("POST", c.path("/factory/run"), "")
	require.Equal(t, http.StatusOK, status)
	_, v = c.get("/factory/charges")
	assert.Equal(t, num("100.00"), v.([]any)[0].(map[string]any)["subtotal"], "the fee alone")
}
