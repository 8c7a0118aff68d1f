package httpapi

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store/memory"
)

// FuzzCreate posts arbitrary bodies to every create path: each is stored
// (201) or refused with a status of the API (400, 413 or 422, never a
// 500), and a refused body stores nothing.
func FuzzCreate(f *testing.F) {
	for _, s := range []string{tierBody, feeBody, discBody, freqBody, `{"tier": [[5, 1, 2]]}`, `{"tiers": 7, "tier": []}`,
		`{"amount": 1e999}`, `[]`, `{`, `{"customer_name": "\u0000"}`, `{"start_date": "2024-02-30"}`, `{"usage": [{}]}`} {
		for p := range 12 {
			f.Add(s, uint8(p))
		}
	}
	st := memory.New()
	h := New(st, Options{MaxBody: 1 << 16})
	org := uuid.New()
	paths := []string{"/plans/tier", "/plans/fixedfee", "/modifiers/discounts", "/modifiers/minimums", "/modifiers/maximums",
		"/modifiers/credits", "/modifiers/billing_frequency", "/productcontract", "/subcontract", "/parentcontract",
		"/customers", "/usage"}
	f.Fuzz(func(t *testing.T, body string, p uint8) {
		path := paths[int(p)%len(paths)]
		before, err := st.List(t.Context(), org)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/contracts/"+org.String()+path, strings.NewReader(body)))
		after, err := st.List(t.Context(), org)
		if err != nil {
			t.Fatal(err)
		}
		switch rec.Code {
		case http.StatusCreated:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			if !maps.Equal(count(after), count(before)) {
				t.Fatalf("%s %q: refused with %d but the store changed", path, body, rec.Code)
			}
			if !strings.Contains(rec.Body.String(), `"message"`) {
				t.Fatalf("%s %q: refused with %d without a message: %s", path, body, rec.Code, rec.Body)
			}
		default:
			t.Fatalf("%s %q: status %d: %s", path, body, rec.Code, rec.Body)
		}
	})
}

// count is the number of documents of each kind.
func count(o contract.Objects) map[contract.Kind]int {
	m := map[contract.Kind]int{}
	for _, k := range contract.Kinds() {
		m[k] = len(o.IDsOf(k))
	}
	return m
}
