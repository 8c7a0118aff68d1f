package postgres

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
)

// TestMigrateKeepsBaseVersions migrates a database holding documents saved
// before versions existed: each versioned document becomes its base
// version, and dated versions are added to it.
func TestMigrateKeepsBaseVersions(t *testing.T) {
	if testPool == nil {
		t.Skip("no PRICEKIT_POSTGRES_DSN")
	}
	ctx := context.Background()
	pool, drop, err := schemaPool(ctx, "pricekit_migrate3")
	require.NoError(t, err)
	defer drop()
	s := New(pool)
	require.NoError(t, s.migrate(ctx, 2))

	org := uuid.New()
	fee := plan.FixedFee{ID: idFee, Amount: decimal.RequireFromString("30"), Period: plan.FeePeriod{Once: true}}
	credit := modifier.Credit{ID: idCredit, Amount: decimal.RequireFromString("5")}
	for _, d := range []struct {
		kind contract.Kind
		id   uuid.UUID
		v    any
	}{{contract.KindFixedFee, fee.ID, fee}, {contract.KindCredit, credit.ID, credit}} {
		body, err := json.Marshal(d.v)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `INSERT INTO pricekit_documents (org, id, kind, version, body)
			VALUES ($1, $2, $3, 3, $4::jsonb)`, org, d.id, string(d.kind), string(body))
		require.NoError(t, err)
	}
	require.NoError(t, s.Migrate(ctx))

	got, err := s.Versions(ctx, org, contract.KindFixedFee, fee.ID)
	require.NoError(t, err)
	assert.Equal(t, asJSON(t, []plan.FixedFee{fee}), asJSON(t, got.FixedFees), "the stored fee is its base version")
	got, err = s.Versions(ctx, org, contract.KindCredit, credit.ID)
	require.NoError(t, err)
	assert.Equal(t, asJSON(t, []modifier.Credit{credit}), asJSON(t, got.Credits))
	var rows int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM pricekit_document_versions`).Scan(&rows))
	assert.Equal(t, 1, rows, "documents without versions have none")

	march := fee
	march.Amount, march.EffectiveFrom = decimal.RequireFromString("60"), date.New(2024, 3, 1)
	_, err = s.Save(ctx, org, batchOf(contract.Objects{FixedFees: []plan.FixedFee{march}}))
	require.NoError(t, err)
	got, err = s.Versions(ctx, org, contract.KindFixedFee, fee.ID)
	require.NoError(t, err)
	assert.Equal(t, asJSON(t, []plan.FixedFee{fee, march}), asJSON(t, got.FixedFees))
	got, err = s.Get(ctx, org, contract.KindFixedFee, fee.ID)
	require.NoError(t, err)
	assert.Equal(t, asJSON(t, []plan.FixedFee{march}), asJSON(t, got.FixedFees), "Get reads the latest version")
	v, err := s.Version(ctx, org, fee.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(4), v)
}
