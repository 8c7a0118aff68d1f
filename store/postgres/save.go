package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
)

// Save implements [store.Saver] in one transaction. It holds the
// organization's advisory lock from its first read to its commit, so the
// version preconditions, references and cycles it checks are those it
// writes over.
func (s *Store) Save(ctx context.Context, org uuid.UUID, b store.Batch) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	if b.Len() == 0 {
		return contract.Objects{}, pricekit.Errorf(pricekit.ErrMissingInput, "store", "", "nothing to save")
	}
	objs := b.Objects.Clone()
	if err := objs.Validate(); err != nil {
		return contract.Objects{}, err
	}
	if err := store.ClaimOrganization(&objs, org); err != nil {
		return contract.Objects{}, err
	}
	objs.IDs(s.newID)
	rows, err := stage(objs)
	if err != nil {
		return contract.Objects{}, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return s.save(ctx, tx, org, b.IfVersion, objs, rows)
	})
	if err != nil {
		return contract.Objects{}, err
	}
	// Give back what Get will read: the documents decoded from the JSON
	// just stored, in batch order, each version saved of a versioned one.
	var out contract.Objects
	for _, r := range rows {
		if r.versions == nil {
			r.versions = []version{{body: r.body}}
		}
		for _, v := range r.versions {
			if err := decode(&out, r.kind, v.body); err != nil {
				return contract.Objects{}, fmt.Errorf("postgres: save: %w", err)
			}
		}
	}
	return out, nil
}

type storedDoc struct {
	kind    contract.Kind
	version int64
}

func (s *Store) save(ctx context.Context, tx pgx.Tx, org uuid.UUID, ifVersion map[uuid.UUID]int64,
	objs contract.Objects, rows []row) error {
	// Lock, then read the kind and version of every id the batch names.
	ids := make([]uuid.UUID, 0, len(rows)+len(ifVersion))
	for _, r := range rows {
		ids = append(ids, r.id)
	}
	for id := range ifVersion {
		ids = append(ids, id)
	}
	ids = append(ids, references(objs)...)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, orgLock(org)); err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	stored := map[uuid.UUID]storedDoc{}
	q, err := tx.Query(ctx, `SELECT id, kind, version FROM pricekit_documents WHERE org = $1 AND id = ANY($2)`,
		org, ids)
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	var (
		id   uuid.UUID
		kind string
		ver  int64
	)
	_, err = pgx.ForEachRow(q, []any{&id, &kind, &ver}, func() error {
		stored[id] = storedDoc{kind: contract.Kind(kind), version: ver}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}

	for id, want := range ifVersion {
		if have := stored[id].version; have != want {
			return pricekit.Errorf(pricekit.ErrConflict, "store", id.String(),
				fmt.Sprintf("stored at version %d, not %d", have, want))
		}
	}
	kindOf := func(id uuid.UUID) (contract.Kind, bool) {
		d, ok := stored[id]
		return d.kind, ok
	}
	if err := store.CheckKinds(objs, kindOf); err != nil {
		return err
	}
	if err := store.CheckReferences(objs, kindOf); err != nil {
		return err
	}
	if err := s.checkTrees(ctx, tx, org, objs, rows); err != nil {
		return err
	}
	if err := checkIssuedParents(ctx, tx, org, objs); err != nil {
		return err
	}
	if err := checkFeeVersions(ctx, tx, org, objs); err != nil {
		return err
	}
	return write(ctx, tx, org, rows, func(id uuid.UUID) bool { _, ok := stored[id]; return ok })
}

// checkTrees reads the stored trees the batch touches — the contracts
// above its sub and parent contracts, up to the parent contracts, and
// everything below those — and runs [store.CheckTrees] on them.
func (s *Store) checkTrees(ctx context.Context, tx pgx.Tx, org uuid.UUID, objs contract.Objects, rows []row) error {
	var nodes []uuid.UUID
	for _, r := range rows {
		if r.node {
			nodes = append(nodes, r.id)
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	containers := map[uuid.UUID][]uuid.UUID{}
	parents := map[uuid.UUID]bool{}
	q, err := tx.Query(ctx, `
		WITH RECURSIVE up(id) AS (
			SELECT unnest($2::uuid[])
			UNION
			SELECT l.parent FROM up JOIN pricekit_links l
			  ON l.org = $1 AND l.child = up.id AND l.rel = 'sub_contracts'
		)
		SELECT up.id, d.kind, l.parent FROM up
		JOIN pricekit_documents d ON d.org = $1 AND d.id = up.id
		LEFT JOIN pricekit_links l ON l.org = $1 AND l.child = up.id AND l.rel = 'sub_contracts'`, org, nodes)
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	var (
		id, container pgtype.UUID
		kind          string
		above         []uuid.UUID
	)
	if _, err := pgx.ForEachRow(q, []any{&id, &kind, &container}, func() error {
		c := uuid.UUID(id.Bytes)
		if contract.Kind(kind) == contract.KindParentContract {
			parents[c] = true
		}
		if container.Valid {
			containers[c] = append(containers[c], uuid.UUID(container.Bytes))
		}
		above = append(above, c)
		return nil
	}); err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	subs, products := map[uuid.UUID][]uuid.UUID{}, map[uuid.UUID][]uuid.UUID{}
	start := append(above, nodes...)
	for _, r := range rows {
		start = append(start, r.subs...)
	}
	q, err = tx.Query(ctx, `
		WITH RECURSIVE below(id) AS (
			SELECT unnest($2::uuid[])
			UNION
			SELECT l.child FROM below JOIN pricekit_links l
			  ON l.org = $1 AND l.parent = below.id AND l.rel = 'sub_contracts'
		)
		SELECT l.parent, l.child, l.rel FROM below JOIN pricekit_links l
		  ON l.org = $1 AND l.parent = below.id`, org, start)
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	var parent, child uuid.UUID
	var rel string
	if _, err := pgx.ForEachRow(q, []any{&parent, &child, &rel}, func() error {
		if rel == "sub_contracts" {
			subs[parent] = append(subs[parent], child)
		} else {
			products[parent] = append(products[parent], child)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	return store.CheckTrees(objs, store.Graph{
		Lists:      func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) { return subs[id], products[id] },
		Containers: func(id uuid.UUID) []uuid.UUID { return containers[id] },
		IsParent:   func(id uuid.UUID) bool { return parents[id] },
	})
}

// write upserts the rows, rewrites the links of the contracts among them
// and saves the versions of the versioned ones, in one round trip. A
// version set holding a base version replaces every stored version of its
// document; one of dated versions is added to them, replacing those of the
// same days ([contract.MergeVersions]), and the document's body is then
// its latest version, stored or saved. isStored reports whether an id is
// stored already.
func write(ctx context.Context, tx pgx.Tx, org uuid.UUID, rows []row, isStored func(uuid.UUID) bool) error {
	n := len(rows)
	var (
		ids       = make([]uuid.UUID, n)
		kinds     = make([]string, n)
		bodies    = make([]string, n)
		customers = make([]pgtype.UUID, n)
		zones     = make([]pgtype.Text, n)
		products  = make([]pgtype.UUID, n)
		starts    = make([]pgtype.Date, n)
		ends      = make([]pgtype.Date, n)

		nodes                  []uuid.UUID
		linkFrom, linkTo, rels []string

		corrected, merged []uuid.UUID // stored documents saved with and without a base version
		versionIDs        []uuid.UUID
		versionFroms      []pgtype.Date
		versionBodies     []string
	)
	for i, r := range rows {
		ids[i], kinds[i], bodies[i] = r.id, string(r.kind), string(r.body)
		customers[i], zones[i], products[i], starts[i], ends[i] = r.customer, r.timezone, r.product, r.start, r.end
		if r.versions != nil {
			if isStored(r.id) {
				if r.versions[0].from == 0 {
					corrected = append(corrected, r.id)
				} else {
					merged = append(merged, r.id)
				}
			}
			for _, v := range r.versions {
				versionIDs, versionFroms = append(versionIDs, r.id), append(versionFroms, pgFrom(v.from))
				versionBodies = append(versionBodies, string(v.body))
			}
		}
		if !r.node {
			continue
		}
		nodes = append(nodes, r.id)
		for _, c := range r.subs {
			linkFrom, linkTo, rels = append(linkFrom, r.id.String()), append(linkTo, c.String()), append(rels, "sub_contracts")
		}
		for _, c := range r.products {
			linkFrom, linkTo, rels = append(linkFrom, r.id.String()), append(linkTo, c.String()), append(rels, "product_contracts")
		}
	}
	batch := &pgx.Batch{}
	batch.Queue(`
		INSERT INTO pricekit_documents AS d
		       (org, id, kind, version, body, customer_id, timezone, product_id, start_day, end_day)
		SELECT $1, t.id, t.kind, 1, t.body::jsonb, t.customer_id, t.timezone, t.product_id, t.start_day, t.end_day
		FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::uuid[], $8::date[], $9::date[])
		     WITH ORDINALITY AS t(id, kind, body, customer_id, timezone, product_id, start_day, end_day, ord)
		ORDER BY t.ord
		ON CONFLICT (org, id) DO UPDATE SET
		       version = d.version + 1, body = excluded.body, customer_id = excluded.customer_id,
		       timezone = excluded.timezone, product_id = excluded.product_id,
		       start_day = excluded.start_day, end_day = excluded.end_day, updated_at = now()
		WHERE d.kind = excluded.kind`,
		org, ids, kinds, bodies, customers, zones, products, starts, ends)
	if len(nodes) > 0 {
		batch.Queue(`DELETE FROM pricekit_links WHERE org = $1 AND parent = ANY($2)`, org, nodes)
	}
	if len(linkFrom) > 0 {
		batch.Queue(`
			INSERT INTO pricekit_links (org, parent, child, rel)
			SELECT $1, t.parent::uuid, t.child::uuid, t.rel
			FROM unnest($2::text[], $3::text[], $4::text[]) AS t(parent, child, rel)
			ON CONFLICT DO NOTHING`, org, linkFrom, linkTo, rels)
	}
	if len(corrected) > 0 {
		batch.Queue(`DELETE FROM pricekit_document_versions WHERE org = $1 AND id = ANY($2)`, org, corrected)
	}
	if len(versionIDs) > 0 {
		batch.Queue(`
			INSERT INTO pricekit_document_versions (org, id, effective_from, body)
			SELECT $1, t.id, t.effective_from, t.body::jsonb
			FROM unnest($2::uuid[], $3::date[], $4::text[]) AS t(id, effective_from, body)
			ON CONFLICT (org, id, effective_from) DO UPDATE SET body = excluded.body`,
			org, versionIDs, versionFroms, versionBodies)
	}
	if len(merged) > 0 {
		// A stored version may be later than every one saved.
		batch.Queue(`
			UPDATE pricekit_documents d SET body = v.body
			FROM (SELECT DISTINCT ON (id) id, body FROM pricekit_document_versions
			      WHERE org = $1 AND id = ANY($2) ORDER BY id, effective_from DESC) v
			WHERE d.org = $1 AND d.id = v.id`, org, merged)
	}
	br := tx.SendBatch(ctx, batch)
	tag, err := br.Exec()
	if err == nil && tag.RowsAffected() != int64(n) {
		err = fmt.Errorf("wrote %d of %d documents", tag.RowsAffected(), n)
	}
	for i := 1; i < batch.Len() && err == nil; i++ {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	return nil
}

// references lists every id the batch's documents refer to.
func references(o contract.Objects) []uuid.UUID {
	var ids []uuid.UUID
	node := func(s contract.SubContract) {
		if s.BillingFrequency != uuid.Nil {
			ids = append(ids, s.BillingFrequency)
		}
		for _, l := range s.Lists() {
			ids = append(ids, l.IDs...)
		}
	}
	for _, p := range o.ProductContracts {
		ids = append(ids, p.PlanID)
		if p.BillingFrequency != uuid.Nil {
			ids = append(ids, p.BillingFrequency)
		}
	}
	for _, s := range o.SubContracts {
		node(s)
	}
	for _, p := range o.ParentContracts {
		node(p.SubContract)
	}
	return ids
}

// checkIssuedParents runs [store.CheckIssuedParents] on the batch's parent
// contracts that have issued statements, as stored.
func checkIssuedParents(ctx context.Context, tx pgx.Tx, org uuid.UUID, objs contract.Objects) error {
	if len(objs.ParentContracts) == 0 {
		return nil
	}
	ids := objs.IDsOf(contract.KindParentContract)
	q, err := tx.Query(ctx, `SELECT d.id, d.body FROM pricekit_documents d
		WHERE d.org = $1 AND d.id = ANY($2) AND d.kind = 'parent_contracts'
		AND EXISTS (SELECT 1 FROM pricekit_issued_statements i WHERE i.org = d.org AND i.contract = d.id)`, org, ids)
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	issued := map[uuid.UUID]contract.ParentContract{}
	var id uuid.UUID
	var body []byte
	if _, err := pgx.ForEachRow(q, []any{&id, &body}, func() error {
		var p contract.ParentContract
		if err := json.Unmarshal(body, &p); err != nil {
			return fmt.Errorf("postgres: save: stored parent contract %s does not decode: %w", id, err)
		}
		issued[id] = p
		return nil
	}); err != nil {
		return err
	}
	return store.CheckIssuedParents(objs, func(id uuid.UUID) (contract.ParentContract, bool) {
		p, ok := issued[id]
		return p, ok
	})
}

// checkFeeVersions refuses dated versions of a stored fee whose period is
// not the stored versions' ([contract.CheckFeeVersions]); a batch holding
// a base version replaces them all, and the batch itself was validated.
func checkFeeVersions(ctx context.Context, tx pgx.Tx, org uuid.UUID, objs contract.Objects) error {
	var ids []uuid.UUID
	for _, set := range objs.Sets(contract.KindFixedFee) {
		if f := set.Docs[0].(plan.FixedFee); f.EffectiveFrom != 0 {
			ids = append(ids, set.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	q, err := tx.Query(ctx, `SELECT body FROM pricekit_document_versions WHERE org = $1 AND id = ANY($2) ORDER BY id, effective_from`,
		org, ids)
	if err != nil {
		return fmt.Errorf("postgres: save: %w", err)
	}
	stored := map[uuid.UUID][]plan.FixedFee{}
	var body []byte
	if _, err := pgx.ForEachRow(q, []any{&body}, func() error {
		var f plan.FixedFee
		if err := json.Unmarshal(body, &f); err != nil {
			return fmt.Errorf("postgres: save: a stored fee version does not decode: %w", err)
		}
		stored[f.ID] = append(stored[f.ID], f)
		return nil
	}); err != nil {
		return err
	}
	for i, f := range objs.FixedFees {
		if old := stored[f.ID]; len(old) > 0 && f.EffectiveFrom != 0 {
			if err := contract.CheckFeeVersions([]plan.FixedFee{old[0], f}, fmt.Sprintf("fixed_fees[%d]", i)); err != nil {
				return err
			}
		}
	}
	return nil
}
