// Command sharded splits an organization's portfolio run across processes
// and checks that nothing changes: the statements of two worker processes,
// put together, are exactly those of one process rating everything.
//
//	go run ./examples/sharded
//
// Rating is pure and per parent contract: a contract's statements depend
// on its own tree and usage only. So a portfolio run splits by parent
// contract id, with a stable hash (see shard), and the shards need nothing
// from one another. Each worker here loads the same portfolio file into a
// store of its own, as a worker in production reads the one shared store.
//
// Run without flags, the program is the coordinator: it builds a portfolio
// of 40 customers (a fixed seed: every run is the same), writes it to a
// temporary file as pricekit's own JSON — a bundle of documents
// (docs/documents.md) and the usage events — and starts itself twice as
// workers:
//
//	sharded -worker 0 -of 2 -portfolio FILE
//	sharded -worker 1 -of 2 -portfolio FILE
//
// A worker rates the parent contracts of its shard from 2026-01-01 through
// 2026-06-30 and writes their statements to stdout, as JSON lines: one
// statement a line, as pricekit writes it (docs/statements.md), sorted. The
// coordinator rates the whole portfolio itself, compares, prints a summary
// and exits 1 when the workers' statements are not exactly its own. With
// -dump it prints the portfolio file instead, to read the format.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// The organization whose portfolio is run, and the days rated.
var (
	org      = uuid.MustParse("0a000000-0000-4000-8000-000000000001")
	from, to = date.New(2026, time.January, 1), date.New(2026, time.June, 30)
)

// customers is the size of the portfolio: one parent contract each.
const customers = 40

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sharded:", err)
		os.Exit(1)
	}
}

// run parses args and plays the part they ask for, writing to w.
func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("sharded", flag.ContinueOnError)
	var (
		worker, of, workers int
		file                string
		dump                bool
	)
	fs.IntVar(&worker, "worker", -1, "be worker `k`: rate shard k of the portfolio and write its statements as JSON lines")
	fs.IntVar(&of, "of", 0, "the number of shards `n` (with -worker)")
	fs.StringVar(&file, "portfolio", "", "the portfolio `file` (with -worker)")
	fs.IntVar(&workers, "workers", 2, "the number of worker processes the coordinator starts")
	fs.BoolVar(&dump, "dump", false, "print the portfolio file and exit")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // the usage is printed
	} else if err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case dump:
		return writePortfolio(w, build())
	case worker >= 0:
		if of < 1 || worker >= of || file == "" {
			return fmt.Errorf("-worker %d -of %d -portfolio %q: want 0 ≤ k < n and a file", worker, of, file)
		}
		return work(ctx, w, file, worker, of)
	}
	if workers < 1 {
		return fmt.Errorf("-workers %d: want at least 1", workers)
	}
	return coordinate(ctx, w, workers)
}

// A portfolio is the documents of one organization and their usage: what
// the coordinator writes to the file the workers read. Its two fields are
// named as in a scenario document (docs/scenarios.md).
type portfolio struct {
	Objects contract.Objects `json:"objects"`
	Usage   []usage.Event    `json:"usage"`
}

// shard returns the shard of parent contract id among n: FNV-1a (32 bits)
// of the id's 16 bytes, modulo n. It depends on the id alone, so every
// process, of any build and on any machine, puts a contract in the same
// shard without asking anyone, and a contract added to the portfolio
// does not move the others.
//
// Hashing all 16 bytes matters: the first byte alone would do for random
// (version 4) ids, but time-ordered version 7 ids — what pricekit's
// stores give a document saved without an id, and what this portfolio
// has — begin with their creation time in milliseconds, so contracts
// created in the same weeks share their first bytes and would all land
// in one shard. FNV-1a mixes every byte, the random tail
// included; its slight bias modulo a small n is negligible.
func shard(id uuid.UUID, n int) int {
	const offset32, prime32 = 2166136261, 16777619
	h := uint32(offset32)
	for _, b := range id {
		h ^= uint32(b)
		h *= prime32
	}
	return int(h % uint32(n))
}

// share returns the ids of shard k among n, in the order given. It is
// never nil: an empty shard rates nothing, while a nil billing.Run.Contracts
// would rate the whole organization.
func share(ids []uuid.UUID, k, n int) []uuid.UUID {
	out := []uuid.UUID{}
	for _, id := range ids {
		if shard(id, n) == k {
			out = append(out, id)
		}
	}
	return out
}

// work is a worker: it loads the portfolio in file into a store of its
// own, rates shard k of n and writes its statements to w, one a line.
func work(ctx context.Context, w io.Writer, file string, k, n int) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	st, parents, err := load(ctx, data)
	if err != nil {
		return err
	}
	lines, err := rate(ctx, st, share(parents, k, n))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, l := range lines {
		bw.Write(l)        // bufio keeps the first error for Flush
		bw.WriteByte('\n') // likewise
	}
	return bw.Flush()
}

// load saves a portfolio file's documents in one batch to a new in-memory
// store, ingests its usage in one batch, and returns the store and the
// ids of its parent contracts, in the order they were saved.
func load(ctx context.Context, data []byte) (*memory.Store, []uuid.UUID, error) {
	var p portfolio
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, nil, fmt.Errorf("portfolio: %w", err)
	}
	st := memory.New()
	if _, err := st.Save(ctx, org, store.Batch{Objects: p.Objects}); err != nil {
		return nil, nil, err
	}
	if _, err := st.Ingest(ctx, org, p.Usage); err != nil {
		return nil, nil, err
	}
	// Every worker lists the parent contracts and keeps its share.
	parents, err := st.List(ctx, org, contract.KindParentContract)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]uuid.UUID, len(parents.ParentContracts))
	for i, pc := range parents.ParentContracts {
		ids[i] = pc.ID
	}
	return st, ids, nil
}

// rate rates the given parent contracts from st over [from, to] and
// returns their statements as JSON, one slice each, sorted bytewise: by
// contract id, then period, as the JSON begins with them.
func rate(ctx context.Context, st billing.Reader, ids []uuid.UUID) ([][]byte, error) {
	var lines [][]byte
	err := billing.Portfolio(ctx, st, org, billing.Run{From: from, To: to, Contracts: ids}, func(r billing.Result) error {
		if r.Err != nil {
			return fmt.Errorf("parent contract %s: %w", r.Contract, r.Err)
		}
		for _, s := range r.Statements {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			lines = append(lines, b)
		}
		return nil
	})
	slices.SortFunc(lines, bytes.Compare)
	return lines, err
}

// coordinate builds the portfolio, has it rated by n worker processes and
// by this one, compares the two and writes a summary to w.
func coordinate(ctx context.Context, w io.Writer, n int) error {
	f, err := os.CreateTemp("", "pricekit-portfolio-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	p := build()
	if err := writePortfolio(f, p); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}

	outs, err := startWorkers(ctx, f.Name(), n)
	if err != nil {
		return err
	}

	// This process rates everything, from the same file.
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return err
	}
	st, parents, err := load(ctx, data)
	if err != nil {
		return err
	}
	all, err := rate(ctx, st, parents)
	if err != nil {
		return err
	}
	shards := make([][][]byte, n)
	for k, out := range outs {
		shards[k] = splitLines(out)
	}
	sum, err := compare(all, shards, parents)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "portfolio: %d parent contracts, %d usage events, rated %s – %s (%d bytes of JSON)\n\n",
		len(parents), len(p.Usage), from, to, len(data))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "worker\tparent contracts\tstatements\tbilled (USD)\t")
	for k, s := range sum.workers {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t\n", k, s.contracts, s.statements, s.billed.StringFixed(2))
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%s\t\n", sum.all.contracts, sum.all.statements, sum.all.billed.StringFixed(2))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\nunion of %d workers = 1 process: yes\n", n)
	return err
}

// startWorkers runs n copies of this program as workers of the portfolio
// in file, all at once, and returns what each wrote to its stdout. Their
// stderr is this process's.
func startWorkers(ctx context.Context, file string, n int) ([][]byte, error) {
	// os.Executable names this very binary even when os.Args[0] is a
	// relative path or a name found through PATH; go run builds one in a
	// temporary directory, go test runs its test binary (see TestMain).
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	for k := range n {
		cmds[k] = exec.CommandContext(ctx, self, "-worker", fmt.Sprint(k), "-of", fmt.Sprint(n), "-portfolio", file)
		cmds[k].Stdout, cmds[k].Stderr = &outs[k], os.Stderr
		if err := cmds[k].Start(); err != nil {
			for _, c := range cmds[:k] {
				c.Process.Kill() // best effort; Wait below reaps it
				c.Wait()         // its error is that it was killed
			}
			return nil, fmt.Errorf("worker %d: %w", k, err)
		}
	}
	var errs []error
	for k, c := range cmds {
		if err := c.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("worker %d: %w", k, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	got := make([][]byte, n)
	for k := range outs {
		got[k] = outs[k].Bytes()
	}
	return got, nil
}

// splitLines returns the lines of out, without their newlines.
func splitLines(out []byte) [][]byte {
	var lines [][]byte
	for l := range bytes.Lines(out) {
		lines = append(lines, bytes.TrimSuffix(l, []byte("\n")))
	}
	return lines
}

// tally is what one worker, or the whole run, billed.
type tally struct {
	contracts, statements int
	billed                decimal.Decimal // the sum of the statements' totals
}

// summary is the outcome of a successful compare.
type summary struct {
	workers []tally
	all     tally
}

// compare checks the statements of n shards against those of one process
// rating every parent contract in parents: each shard's lines are sorted
// statements of its own contracts only, no contract is in two shards,
// every contract is in one, and the shards' lines together are exactly
// all's, byte for byte. all is sorted, as rate returns it.
func compare(all [][]byte, shards [][][]byte, parents []uuid.UUID) (summary, error) {
	n := len(shards)
	sum := summary{workers: make([]tally, n)}
	owner := map[uuid.UUID]int{} // parent contract → the shard that rated it
	var union [][]byte
	for k, lines := range shards {
		if !slices.IsSortedFunc(lines, bytes.Compare) {
			return sum, fmt.Errorf("worker %d: statements not sorted", k)
		}
		t := &sum.workers[k]
		t.billed = decimal.Zero
		for i, l := range lines {
			var s rating.Statement
			if err := json.Unmarshal(l, &s); err != nil { // strict: sums are checked too
				return sum, fmt.Errorf("worker %d: line %d: %w", k, i+1, err)
			}
			if again, err := json.Marshal(s); err != nil || !bytes.Equal(again, l) {
				return sum, fmt.Errorf("worker %d: line %d is not a statement as pricekit writes it", k, i+1)
			}
			if j := shard(s.ContractID, n); j != k {
				return sum, fmt.Errorf("worker %d: parent contract %s is of shard %d", k, s.ContractID, j)
			}
			if j, ok := owner[s.ContractID]; ok && j != k {
				return sum, fmt.Errorf("parent contract %s rated by workers %d and %d", s.ContractID, j, k)
			} else if !ok {
				owner[s.ContractID] = k
				t.contracts++
			}
			t.statements++
			t.billed = t.billed.Add(s.Total)
		}
		union = append(union, lines...)
	}
	for _, id := range parents {
		if _, ok := owner[id]; !ok {
			return sum, fmt.Errorf("parent contract %s (shard %d) rated by no worker", id, shard(id, n))
		}
	}
	if len(owner) != len(parents) {
		return sum, fmt.Errorf("workers rated %d parent contracts, the portfolio has %d", len(owner), len(parents))
	}
	slices.SortFunc(union, bytes.Compare)
	if len(union) != len(all) {
		return sum, fmt.Errorf("union of %d workers = 1 process: no, %d statements against %d", n, len(union), len(all))
	}
	for i := range all {
		if !bytes.Equal(union[i], all[i]) {
			return sum, fmt.Errorf("union of %d workers = 1 process: no, statement %d differs:\n  workers: %s\n  process: %s",
				n, i+1, union[i], all[i])
		}
	}
	sum.all = tally{contracts: len(parents), statements: len(all), billed: decimal.Zero}
	for _, t := range sum.workers {
		sum.all.billed = sum.all.billed.Add(t.billed)
	}
	return sum, nil
}

// writePortfolio writes p to w as JSON, one document or event a line, so
// that the file reads as well as it parses.
func writePortfolio(w io.Writer, p portfolio) error {
	bw := bufio.NewWriter(w)
	objs, err := json.Marshal(p.Objects)
	if err != nil {
		return err
	}
	// Break the bundle after each document: split the one-line JSON of
	// every list at its top-level commas.
	var lists map[string][]json.RawMessage
	if err := json.Unmarshal(objs, &lists); err != nil {
		return err
	}
	bw.WriteString("{\"objects\": {")
	for i, k := range contract.Kinds() {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n  %q: [", k)
		for j, doc := range lists[string(k)] {
			if j > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			bw.Write(doc)
		}
		bw.WriteString("]")
	}
	bw.WriteString("},\n\"usage\": [")
	for i, e := range p.Usage {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// build returns the portfolio: customers customers, each with one parent
// contract, and their usage from December 2025 through June 2026. Every
// choice comes from a fixed seed, so every run builds the same one.
//
// Every contract has an API product contract on graduated tiers and a
// platform fee; every third is billed quarterly, the others monthly (on
// the calendar, or — every fifth — on the anniversary of its start);
// every second also stores data, priced by volume on the month's peak;
// some have a discount, some a prepaid credit. Contracts start between
// July 2025 and April 2026, so some of the first periods are partial.
func build() portfolio {
	r := rand.New(rand.NewPCG(1, 2))
	g := ids{r: r, ms: time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}

	api := plan.TierPlan{ID: g.next(), DisplayName: "API calls", Pricing: plan.Graduated, Tiers: []plan.Tier{
		{Start: d("0"), End: decimal.NewNullDecimal(d("10000")), UnitPrice: d("0")},
		{Start: d("10000"), End: decimal.NewNullDecimal(d("100000")), UnitPrice: d("0.0015")},
		{Start: d("100000"), UnitPrice: d("0.001")},
	}}
	storage := plan.TierPlan{ID: g.next(), DisplayName: "Storage (GB, monthly peak)", Pricing: plan.Volume,
		Aggregation: plan.Max, Tiers: []plan.Tier{
			{Start: d("0"), End: decimal.NewNullDecimal(d("100")), UnitPrice: d("0.25")},
			{Start: d("100"), UnitPrice: d("0.20")},
		}}
	monthlyFee := plan.FixedFee{ID: g.next(), DisplayName: "Platform, monthly", Amount: d("49")}
	quarterlyFee := plan.FixedFee{ID: g.next(), DisplayName: "Platform, quarterly", Amount: d("135")}
	monthly := schedule.BillingFrequency{ID: g.next(), DisplayName: "Monthly, on the calendar",
		Type: schedule.Calendar, Interval: 1, Unit: schedule.Month, Anchor: schedule.AnchorStart}
	quarterly := schedule.BillingFrequency{ID: g.next(), DisplayName: "Quarterly, on the calendar",
		Type: schedule.Calendar, Interval: 1, Unit: schedule.Quarter, Anchor: schedule.AnchorStart}
	partner := modifier.Discount{ID: g.next(), DisplayName: "Partner 10%", Percentage: decimal.NewNullDecimal(d("10"))}
	loyalty := modifier.Discount{ID: g.next(), DisplayName: "Loyalty 25.00 off from 100.00",
		Amount: decimal.NewNullDecimal(d("25")), Threshold: decimal.NewNullDecimal(d("100"))}
	apiProduct, storageProduct := g.next(), g.next()

	p := portfolio{Objects: contract.Objects{
		Plans: []plan.TierPlan{api, storage}, FixedFees: []plan.FixedFee{monthlyFee, quarterlyFee},
		BillingFrequencies: []schedule.BillingFrequency{monthly, quarterly},
		Discounts:          []modifier.Discount{partner, loyalty},
	}}
	o := &p.Objects
	usageFrom := date.New(2025, time.December, 1)
	for i := range customers {
		cust := contract.Customer{ID: g.next(), DisplayName: fmt.Sprintf("Customer %02d", i+1), OrganizationID: org,
			Name: fmt.Sprintf("Customer %02d Ltd", i+1), Email: fmt.Sprintf("billing@customer%02d.test", i+1)}
		start := date.New(2025, time.July, 1) + date.Date(r.IntN(300)) // through 2026-04-26
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: g.next(), DisplayName: cust.DisplayName,
			Dates: contract.Dates{Start: start}, FixedFees: []uuid.UUID{monthlyFee.ID}}, CustomerID: cust.ID, OrganizationID: org}
		switch {
		case i%3 == 2:
			parent.BillingFrequency, parent.FixedFees = quarterly.ID, []uuid.UUID{quarterlyFee.ID}
		case i%5 != 0: // every fifth keeps the default: monthly from its start
			parent.BillingFrequency = monthly.ID
		}
		pcs := []contract.ProductContract{{ID: g.next(), DisplayName: "API", ProductID: apiProduct, PlanID: api.ID,
			Dates: contract.Dates{Start: start}}}
		if i%2 == 1 {
			pcs = append(pcs, contract.ProductContract{ID: g.next(), DisplayName: "Storage", ProductID: storageProduct,
				PlanID: storage.ID, Dates: contract.Dates{Start: start}})
		}
		for _, pc := range pcs {
			parent.ProductContracts = append(parent.ProductContracts, pc.ID)
		}
		switch {
		case i%4 == 1:
			parent.Discounts = []uuid.UUID{partner.ID}
		case i%7 == 3:
			parent.Discounts = []uuid.UUID{loyalty.ID}
		}
		if i%4 == 2 {
			credit := modifier.Credit{ID: g.next(), DisplayName: "Prepaid credit", Amount: decimal.NewFromInt(int64(100 * (1 + r.IntN(5))))}
			o.Credits = append(o.Credits, credit)
			parent.Credits = []uuid.UUID{credit.ID}
		}
		o.Customers = append(o.Customers, cust)
		o.ProductContracts = append(o.ProductContracts, pcs...)
		o.ParentContracts = append(o.ParentContracts, parent)

		// Usage on most days: API calls by the thousand, and the data
		// stored that day, in GB with one decimal.
		scale := 1 + r.IntN(8) // some customers use far more than others
		for day := max(start, usageFrom); day <= to; day++ {
			for _, pc := range pcs {
				if r.IntN(10) < 3 {
					continue
				}
				q := decimal.NewFromInt(int64(scale * (100 + r.IntN(900))))
				if pc.PlanID == storage.ID {
					q = decimal.New(int64(scale*(200+r.IntN(800))), -1)
				}
				p.Usage = append(p.Usage, usage.Event{ID: fmt.Sprintf("ev-%02d-%05d", i+1, len(p.Usage)+1),
					ContractID: pc.ID, Date: day, Quantity: q})
			}
		}
	}
	return p
}

// ids hands out time-ordered (version 7) ids, as a host's generator
// would, from a fixed clock and a fixed seed: one millisecond apart.
type ids struct {
	r  *rand.Rand
	ms int64 // the time of the last id, in Unix milliseconds
}

func (g *ids) next() uuid.UUID {
	g.ms++
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[0:8], uint64(g.ms)<<16|0x7000|uint64(g.r.Uint32()&0x0fff))
	binary.BigEndian.PutUint64(u[8:16], g.r.Uint64()>>2|1<<63) // variant 10
	return u
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
