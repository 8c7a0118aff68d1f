package postgres

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
)

// The days a DATE column holds here: PostgreSQL itself goes from 4713 BC
// to 5874897 AD; a store keeps to the years a calendar day can be written
// in (0001–9999), which every real contract and event fits.
var (
	minDay = date.New(1, 1, 1)
	maxDay = date.New(9999, 12, 31)
)

// pgDay converts a day to a DATE value; 0 is NULL.
func pgDay(d date.Date) pgtype.Date {
	if d == 0 {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: d.MidnightUTC(), Valid: true}
}

// pgBound converts the bound of a day range to a DATE, beyond the range a
// store holds as -infinity or infinity, so callers may pass any day.
func pgBound(d date.Date) pgtype.Date {
	switch {
	case d < minDay:
		return pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	case d > maxDay:
		return pgtype.Date{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return pgtype.Date{Time: d.MidnightUTC(), Valid: true}
}

// fromPGDay converts a DATE back; NULL is 0.
func fromPGDay(d pgtype.Date) date.Date {
	if !d.Valid || d.InfinityModifier != pgtype.Finite {
		return 0
	}
	return date.New(d.Time.Year(), d.Time.Month(), d.Time.Day())
}

func inRange(d date.Date) bool { return d == 0 || (d >= minDay && d <= maxDay) }

func pgUUID(id uuid.UUID) pgtype.UUID {
	if id == uuid.Nil {
		return pgtype.UUID{}
	}
	return pgtype.UUID{Bytes: id, Valid: true}
}

func fromPGUUID(id pgtype.UUID) uuid.UUID {
	if !id.Valid {
		return uuid.Nil
	}
	return id.Bytes
}

// row is one document as it is written: its canonical JSON and the typed
// columns queries need.
type row struct {
	id        uuid.UUID
	kind      contract.Kind
	body      []byte      // of a versioned document, the body of its latest version
	from      date.Date   // versioned kinds: the effective_from of the document staged
	versions  []version   // versioned kinds: the version set saved, base first, then by day
	customer  pgtype.UUID // parent contracts
	timezone  pgtype.Text // parent contracts
	product   pgtype.UUID // product contracts
	start     pgtype.Date // product contracts
	end       pgtype.Date // product contracts
	node      bool        // a sub or parent contract: its links are rewritten
	subs      []uuid.UUID // sub contracts it holds
	products  []uuid.UUID // product contracts it holds
	batchPath string      // such as "sub_contracts[2]", for errors
}

// version is one version of a versioned document as it is written.
type version struct {
	from date.Date // zero: the base version
	body []byte
}

func versionFrom(v *version) date.Date { return v.from }

// pgFrom converts the day of a version to its effective_from column: the
// base version (0) is -infinity, before every day.
func pgFrom(d date.Date) pgtype.Date {
	if d == 0 {
		return pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	return pgDay(d)
}

// stage turns a batch (ids filled) into rows, kind by kind in build order
// and within a kind in batch order. A later document with an id seen
// earlier in the same kind replaces it in place, except that the documents
// of one id of a versioned kind are its version set
// ([contract.VersionSet]); an id given to documents of two kinds is
// invalid_input.
func stage(o contract.Objects) ([]row, error) {
	var (
		rows  []row
		index = map[uuid.UUID]int{}
		errs  []error
	)
	add := func(kind contract.Kind, i int, id uuid.UUID, v any, fill func(*row)) {
		path := fmt.Sprintf("%s[%d]", kind, i)
		body, err := json.Marshal(v)
		if err != nil {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "store", path, err.Error()))
			return
		}
		r := row{id: id, kind: kind, body: body, batchPath: path}
		if fill != nil {
			fill(&r)
		}
		j, ok := index[id]
		if ok && rows[j].kind != kind {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "store", path+".id",
				fmt.Sprintf("id %s is also the id of %s", id, rows[j].batchPath)))
			return
		}
		if kind.Versioned() {
			if ok {
				r.versions = rows[j].versions
			}
			r.versions = append(r.versions, version{from: r.from, body: body})
		}
		if ok {
			rows[j] = r
			return
		}
		index[id] = len(rows)
		rows = append(rows, r)
	}
	from := func(d date.Date) func(*row) { return func(r *row) { r.from = d } }
	node := func(s contract.SubContract) func(*row) {
		return func(r *row) {
			r.node, r.subs, r.products = true, s.SubContracts, s.ProductContracts
		}
	}
	o.Each(func(kind contract.Kind, i int, id uuid.UUID, doc any) {
		var fill func(*row)
		switch v := doc.(type) {
		case plan.FixedFee:
			fill = from(v.EffectiveFrom)
		case plan.TierPlan:
			fill = from(v.EffectiveFrom)
		case modifier.Discount:
			fill = from(v.EffectiveFrom)
		case modifier.Minimum:
			fill = from(v.EffectiveFrom)
		case modifier.Maximum:
			fill = from(v.EffectiveFrom)
		case contract.ProductContract:
			fill = func(r *row) { r.product, r.start, r.end = pgUUID(v.ProductID), pgDay(v.Start), pgDay(v.End) }
		case contract.SubContract:
			fill = node(v)
		case contract.ParentContract:
			fill = func(r *row) {
				node(v.SubContract)(r)
				r.customer = pgUUID(v.CustomerID)
				r.timezone = pgtype.Text{String: v.TimeZone, Valid: true}
			}
		}
		add(kind, i, id, doc, fill)
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for i := range rows {
		if r := &rows[i]; r.versions != nil {
			r.versions = contract.VersionSet(r.versions, versionFrom)
			r.body = r.versions[len(r.versions)-1].body
		}
	}
	return rows, nil
}

// decode reads a stored document of kind k and appends it to o.
func decode(o *contract.Objects, k contract.Kind, body []byte) error {
	if err := o.Decode(k, body); err != nil {
		return fmt.Errorf("stored %s document does not decode: %w", k, err)
	}
	return nil
}
