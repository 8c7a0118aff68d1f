// Package apitest drives the pricing web service's API (package httpapi)
// over HTTP, as that service's clients do: the requests of its own tests,
// for a service's tests against `pricekit serve` or an httptest.Server,
// and for pricekit's.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Client sends requests to one organization of a server.
type Client struct {
	T    testing.TB
	Base string    // the server's URL, without a trailing slash
	Org  uuid.UUID // the organization of the paths
	Auth string    // an Authorization header to send, if any
	HTTP *http.Client
}

// New returns a Client of a fresh organization on the server at base.
func New(t testing.TB, base string) *Client {
	return &Client{T: t, Base: strings.TrimSuffix(base, "/"), Org: uuid.New(), HTTP: http.DefaultClient}
}

// Do sends body (JSON text, "" for none) to path and returns the status
// and the decoded answer, its numbers as json.Number.
func (c *Client) Do(method, path, body string) (int, any) {
	c.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	require.NoError(c.T, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Auth != "" {
		req.Header.Set("Authorization", c.Auth)
	}
	resp, err := c.HTTP.Do(req)
	require.NoError(c.T, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(c.T, err)
	var v any
	if len(bytes.TrimSpace(data)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		require.NoError(c.T, dec.Decode(&v), "answer %s", data)
	}
	return resp.StatusCode, v
}

// Path is a path of the organization's real space.
func (c *Client) Path(p string) string { return "/contracts/" + c.Org.String() + p }

// SimPath is a path of the organization's simulation space.
func (c *Client) SimPath(p string) string { return "/sim/contracts/" + c.Org.String() + p }

// Create posts body to the full path p and returns the answer, failing
// the test unless it is 201.
func (c *Client) Create(p, body string) map[string]any {
	c.T.Helper()
	status, v := c.Do("POST", p, body)
	require.Equal(c.T, http.StatusCreated, status, "POST %s: %v", p, v)
	return v.(map[string]any)
}

// The service's requests, as its own tests send them.
const (
	TierPlan  = `{"display_name": "API calls", "tier": [[0, 100, 0.1], [101, null, 0.2]], "pricing_type": 1, "period": "1D"}`
	FixedFee  = `{"display_name": "Platform", "amount": 100.0, "period": null}`
	Discount  = `{"display_name": "Launch", "percentage": 10}`
	Minimum   = `{"display_name": "Commit", "amount": 50}`
	Credit    = `{"display_name": "Prepaid", "amount": 20, "expiry": "1Y", "priority": 1}`
	Frequency = `{"display_name": "Calendar monthly", "type": 2, "interval": 1, "frequency": "M", "anchor": "S", "eq": false}`
)

// IDs are the ids of the objects Build creates.
type IDs struct {
	Plan, Fee, Discount, Minimum, Credit, Frequency, Customer string
	Product, ProductID, Sub, Parent                           string
}

// Build creates every object of a contract bottom-up under prefix (the
// result of Path or SimPath with ""), as the service's clients do: a tier
// plan (0.1 a unit to 100, then 0.2), a 100.00 fee, a 10% discount on the
// sub contract, a 50.00 minimum and a 20.00 credit on the parent contract,
// a calendar-monthly frequency, a customer, a product contract for 2024,
// a sub contract and a parent contract for January and February 2024.
func (c *Client) Build(prefix string) IDs {
	c.T.Helper()
	id := func(p, body, field string) string {
		c.T.Helper()
		return c.Create(prefix+p, body)[field].(string)
	}
	var x IDs
	x.Plan = id("/plans/tier", TierPlan, "id")
	x.Fee = id("/plans/fixedfee", FixedFee, "id")
	x.Discount = id("/modifiers/discounts", Discount, "id")
	x.Minimum = id("/modifiers/minimums", Minimum, "id")
	x.Credit = id("/modifiers/credits", Credit, "id")
	x.Frequency = id("/modifiers/billing_frequency", Frequency, "id")
	x.Customer = id("/customers", `{"customer_name": "Acme", "customer_email": "billing@acme.test"}`, "customer_id")
	x.ProductID = uuid.NewString()
	x.Product = id("/productcontract", fmt.Sprintf(`{"display_name": "Calls", "product_id": %q, "tiers": %q,
		"start_date": "2024-01-01", "end_date": "2024-12-31"}`, x.ProductID, x.Plan), "id")
	x.Sub = id("/subcontract", fmt.Sprintf(`{"display_name": "Team", "start_date": "2024-01-01",
		"product_contracts": [%q], "discounts": [%q]}`, x.Product, x.Discount), "id")
	x.Parent = id("/parentcontract", fmt.Sprintf(`{"display_name": "Acme 2024", "customer_id": %q,
		"start_date": "2024-01-01", "end_date": "2024-02-29", "billing_frequency": %q, "sub_contracts": [%q],
		"fixed_fees": [%q], "minimums": [%q], "credits": [%q]}`,
		x.Customer, x.Frequency, x.Sub, x.Fee, x.Minimum, x.Credit), "id")
	return x
}

// Usage is the usage of the flow: 150 units on 5 January and 50 on 5
// February, for the product contract of x.
func Usage(x IDs) string {
	return fmt.Sprintf(`[{"id": "u1", "contract_id": %q, "date": "2024-01-05", "quantity": 150},
		{"id": "u2", "contract_id": %q, "date": "2024-02-05", "quantity": 50}]`, x.Product, x.Product)
}

// Flow runs the service's whole flow in the real space: every object
// bottom-up, usage, a factory run and its charges, checked to the cent:
// January 100 × 0.1 + 50 × 0.2 = 20.00 of usage, less 10%, with the 100.00
// fee is 118.00, above the minimum, and the credit pays 20.00: 98.00;
// February 5.00 less 10% with the fee is 104.50. Then the same under /sim,
// its usage given to the run, which leaves the real space's charges alone.
func (c *Client) Flow() {
	c.T.Helper()
	x := c.Build(c.Path(""))
	status, v := c.Do("POST", c.Path("/usage"), Usage(x))
	require.Equal(c.T, http.StatusCreated, status, "usage: %v", v)
	c.run(c.Path(""), "", x)

	s := c.Build(c.SimPath(""))
	c.run(c.SimPath(""), fmt.Sprintf(`{"usage": %s}`, Usage(s)), s)
	status, v = c.Do("GET", c.Path("/factory/charges"), "")
	require.Equal(c.T, http.StatusOK, status)
	require.Len(c.T, v, 2, "the real space's charges are its own")
	require.Equal(c.T, x.Parent, v.([]any)[0].(map[string]any)["contract_id"])
}

// run runs the factory under prefix and checks its charges.
func (c *Client) run(prefix, body string, x IDs) {
	c.T.Helper()
	status, v := c.Do("POST", prefix+"/factory/run", body)
	require.Equal(c.T, http.StatusOK, status, "factory run: %v", v)
	require.Equal(c.T, json.Number("2"), v.(map[string]any)["statements"], "%v", v)
	status, v = c.Do("GET", prefix+"/factory/charges", "")
	require.Equal(c.T, http.StatusOK, status)
	charges, _ := v.([]any)
	require.Len(c.T, charges, 2)
	jan, feb := charges[0].(map[string]any), charges[1].(map[string]any)
	require.Equal(c.T, x.Parent, jan["contract_id"])
	require.Equal(c.T, json.Number("120.00"), jan["subtotal"])
	require.Equal(c.T, json.Number("98.00"), jan["total"])
	require.Equal(c.T, json.Number("104.50"), feb["total"])
}
