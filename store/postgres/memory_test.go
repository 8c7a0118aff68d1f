package postgres

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// TestMatchesMemory loads the objects and usage of every conformance
// scenario into this store and into the in-memory one: both must accept or
// refuse the same way and read back the same documents and usage.
func TestMatchesMemory(t *testing.T) {
	files, err := filepath.Glob("../../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	ctx := context.Background()
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			pg, org := newStore(t)
			mem := memory.New()
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			var doc struct {
				Objects json.RawMessage `json:"objects"`
				Usage   []json.RawMessage
				Run     struct {
					ContractID uuid.UUID `json:"contract_id"`
					From, To   string
				}
				Expect struct{ Statements []json.RawMessage }
			}
			require.NoError(t, json.Unmarshal(raw, &doc))
			var objs contract.Objects
			if err := json.Unmarshal(doc.Objects, &objs); err != nil {
				// Refused when read, before any store sees it.
				assert.NotNil(t, pricekit.First(err), "%v", err)
				return
			}
			for i := range objs.Customers {
				objs.Customers[i].OrganizationID = uuid.Nil
			}
			for i := range objs.ParentContracts {
				objs.ParentContracts[i].OrganizationID = uuid.Nil
			}
			_, errPG := pg.Save(ctx, org, store.Batch{Objects: objs})
			_, errMem := mem.Save(ctx, org, store.Batch{Objects: objs})
			require.Equal(t, codeOf(errMem), codeOf(errPG), "save: memory %v, postgres %v", errMem, errPG)
			if errPG != nil {
				return
			}
			var events []usage.Event
			for _, r := range doc.Usage {
				var e usage.Event
				require.NoError(t, json.Unmarshal(r, &e))
				events = append(events, e)
			}
			if len(events) > 0 {
				gotPG, errPG := pg.Ingest(ctx, org, events)
				gotMem, errMem := mem.Ingest(ctx, org, events)
				require.Equal(t, codeOf(errMem), codeOf(errPG), "ingest: memory %v, postgres %v", errMem, errPG)
				assert.Equal(t, gotMem, gotPG)
			}

			listPG, err := pg.List(ctx, org)
			require.NoError(t, err)
			listMem, err := mem.List(ctx, org)
			require.NoError(t, err)
			assert.JSONEq(t, asJSON(t, listMem), asJSON(t, listPG))

			var pcs []uuid.UUID
			for _, p := range listMem.ProductContracts {
				pcs = append(pcs, p.ID)
			}
			usePG, err := pg.Usage(ctx, org, pcs, minDay, maxDay)
			require.NoError(t, err)
			useMem, err := mem.Usage(ctx, org, pcs, minDay, maxDay)
			require.NoError(t, err)
			assert.JSONEq(t, asJSON(t, useMem), asJSON(t, usePG))

			// And so the same statements.
			from, to := date.MustParseISO(doc.Run.From), date.MustParseISO(doc.Run.To)
			ratedPG, errPG := billing.Rate(ctx, pg, org, doc.Run.ContractID, from, to)
			ratedMem, errMem := billing.Rate(ctx, mem, org, doc.Run.ContractID, from, to)
			require.Equal(t, codeOf(errMem), codeOf(errPG), "rate: memory %v, postgres %v", errMem, errPG)
			assert.JSONEq(t, asJSON(t, ratedMem), asJSON(t, ratedPG))
			if len(doc.Expect.Statements) > 0 {
				require.NoError(t, errPG)
				assert.Len(t, ratedPG, len(doc.Expect.Statements))
			}
		})
	}
}

func codeOf(err error) pricekit.Code {
	if err == nil {
		return ""
	}
	if e := pricekit.First(err); e != nil {
		return e.Code
	}
	return "not a pricekit error: " + pricekit.Code(err.Error())
}
