package main

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store/memory"
)

// asMain, set in the environment, makes the test binary the program: the
// coordinator starts os.Executable() as its workers, which under go test
// is this test binary, not the example's. Re-running the test binary is
// more robust than building the example with go build: it needs no
// toolchain or module cache at test time, builds nothing more, and runs
// the workers with the very flags the tests were built with (-race,
// -cover). The workers inherit the variable, so they run main too.
const asMain = "PRICEKIT_SHARDED_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main() // exits 1 on error
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCoordinator runs the program as a user does, in a process of its
// own that starts two workers, and checks its summary against a rating of
// the portfolio done here.
func TestCoordinator(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), asMain+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "the coordinator failed:\n%s%s", out, stderr.String())
	assert.Empty(t, stderr.String())
	assert.Contains(t, string(out), "\nunion of 2 workers = 1 process: yes\n")

	rows := summaryRows(t, out)
	require.Len(t, rows, 3, "two workers and all:\n%s", out)
	assertSummary(t, rows)
}

// TestCoordinatorInProcess runs the coordinator in the test's process
// with three workers (which are processes still).
func TestCoordinatorInProcess(t *testing.T) {
	t.Setenv(asMain, "1") // for the workers
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-workers", "3"}, &out))
	assert.Contains(t, out.String(), "\nunion of 3 workers = 1 process: yes\n")
	rows := summaryRows(t, out.Bytes())
	require.Len(t, rows, 4, "three workers and all:\n%s", out.String())
	assertSummary(t, rows)

	var again bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-workers", "3"}, &again))
	assert.Equal(t, out.String(), again.String(), "every run is the same")
}

// row is one line of the summary table.
type row struct {
	name                  string
	contracts, statements int
	billed                decimal.Decimal
}

// summaryRows reads the table the coordinator prints.
func summaryRows(t *testing.T, out []byte) []row {
	t.Helper()
	var rows []row
	for _, m := range regexp.MustCompile(`(?m)^ *(\d+|all) +(\d+) +(\d+) +(-?\d+\.\d\d)$`).FindAllSubmatch(out, -1) {
		c, err := strconv.Atoi(string(m[2]))
		require.NoError(t, err)
		s, err := strconv.Atoi(string(m[3]))
		require.NoError(t, err)
		rows = append(rows, row{string(m[1]), c, s, decimal.RequireFromString(string(m[4]))})
	}
	return rows
}

// assertSummary checks the summary's rows, the workers' first and "all"
// last, against this process's own rating of the portfolio.
func assertSummary(t *testing.T, rows []row) {
	t.Helper()
	_, parents, all := rateAll(t)
	workers, total := rows[:len(rows)-1], rows[len(rows)-1]
	assert.Equal(t, "all", total.name)
	var contracts, statements int
	billed := decimal.Zero
	for k, r := range workers {
		assert.Equal(t, strconv.Itoa(k), r.name)
		assert.Positive(t, r.contracts, "worker %d has contracts", k)
		assert.Equal(t, len(share(parents, k, len(workers))), r.contracts, "worker %d rates its shard", k)
		contracts, statements, billed = contracts+r.contracts, statements+r.statements, billed.Add(r.billed)
	}
	assert.Equal(t, len(parents), contracts)
	assert.Equal(t, len(parents), total.contracts)
	assert.Equal(t, len(all), statements)
	assert.Equal(t, len(all), total.statements)
	want := decimal.Zero
	for _, s := range decode(t, all) {
		want = want.Add(s.Total)
	}
	assertDec(t, want, billed, "the workers' totals add up to one process's")
	assertDec(t, want, total.billed, "all")
}

// rateAll loads the portfolio as the coordinator does and rates all of it
// in one call.
func rateAll(t *testing.T) (*memory.Store, []uuid.UUID, [][]byte) {
	t.Helper()
	var file bytes.Buffer
	require.NoError(t, writePortfolio(&file, build()))
	st, parents, err := load(context.Background(), file.Bytes())
	require.NoError(t, err)
	require.Len(t, parents, customers)
	all, err := rate(context.Background(), st, parents)
	require.NoError(t, err)
	return st, parents, all
}

func TestShard(t *testing.T) {
	_, parents, _ := rateAll(t)

	t.Run("FNV-1a of the 16 bytes, modulo n", func(t *testing.T) {
		for _, id := range parents {
			h := fnv.New32a()
			h.Write(id[:])
			for _, n := range []int{1, 2, 3, 7} {
				assert.Equal(t, int(h.Sum32()%uint32(n)), shard(id, n), "%s of %d", id, n)
				assert.Equal(t, shard(id, n), shard(uuid.MustParse(id.String()), n), "depends on the id's value only")
			}
		}
	})

	t.Run("every contract in exactly one shard", func(t *testing.T) {
		for _, n := range []int{1, 2, 3, 5, 64} {
			var union []uuid.UUID
			for k := range n {
				s := share(parents, k, n)
				assert.NotNil(t, s, "an empty shard is empty, not nil (nil would rate everything)")
				for _, id := range s {
					assert.Equal(t, k, shard(id, n))
				}
				union = append(union, s...)
			}
			assert.ElementsMatch(t, parents, union, "%d shards", n)
		}
	})

	t.Run("no shard of 2 or 3 is empty", func(t *testing.T) {
		for _, n := range []int{2, 3} {
			for k := range n {
				assert.NotEmpty(t, share(parents, k, n), "shard %d of %d", k, n)
			}
		}
	})

	t.Run("the first byte would not split", func(t *testing.T) {
		// Why shard hashes the whole id: the portfolio's ids are
		// time-ordered, as a host's are, and begin alike.
		for _, id := range parents {
			assert.Equal(t, uuid.Version(7), id.Version())
			assert.Equal(t, parents[0][0], id[0])
		}
	})
}

// TestShardsRateAsOneProcess splits the portfolio into 1, 2 and 3 shards
// in this process, rates each shard on its own store, and finds the
// statements of one run over everything.
func TestShardsRateAsOneProcess(t *testing.T) {
	_, parents, all := rateAll(t)
	var file bytes.Buffer
	require.NoError(t, writePortfolio(&file, build()))
	for _, n := range []int{1, 2, 3} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			shards := make([][][]byte, n)
			var union [][]byte
			for k := range n {
				st, _, err := load(context.Background(), file.Bytes()) // a store per worker
				require.NoError(t, err)
				shards[k], err = rate(context.Background(), st, share(parents, k, n))
				require.NoError(t, err)
				union = append(union, shards[k]...)
			}
			slices.SortFunc(union, bytes.Compare)
			require.Len(t, union, len(all))
			for i := range all {
				assert.Equal(t, string(all[i]), string(union[i]))
			}
			sum, err := compare(all, shards, parents)
			require.NoError(t, err)
			assert.Equal(t, len(parents), sum.all.contracts)
		})
	}
}

func TestEmptyShardRatesNothing(t *testing.T) {
	st, parents, _ := rateAll(t)
	var empty []uuid.UUID
	for k := range 64 {
		if s := share(parents, k, 64); len(s) == 0 {
			empty = s
			break
		}
	}
	require.NotNil(t, empty, "64 shards of 40 contracts leave one empty")
	got, err := rate(context.Background(), st, empty)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestCompareRefuses: compare catches every way the workers' statements
// can differ from one process's.
func TestCompareRefuses(t *testing.T) {
	_, parents, all := rateAll(t)
	good := make([][][]byte, 2)
	for k := range 2 {
		for _, l := range all {
			if shard(statement(t, l).ContractID, 2) == k {
				good[k] = append(good[k], l)
			}
		}
	}
	_, err := compare(all, good, parents)
	require.NoError(t, err)

	// tamper returns a copy of good changed by f.
	tamper := func(f func(s [][][]byte) [][][]byte) [][][]byte {
		c := make([][][]byte, len(good))
		for k := range good {
			c[k] = slices.Clone(good[k])
		}
		return f(c)
	}
	contractOf := func(l []byte) uuid.UUID { return statement(t, l).ContractID }
	tests := []struct {
		name   string
		shards [][][]byte
		want   string
	}{
		{"a statement missing", tamper(func(s [][][]byte) [][][]byte {
			s[0] = slices.Delete(s[0], 1, 2) // the contract still has its others
			return s
		}), "union of 2 workers = 1 process: no"},
		{"a contract missing", tamper(func(s [][][]byte) [][][]byte {
			id := contractOf(s[1][len(s[1])-1])
			s[1] = slices.DeleteFunc(s[1], func(l []byte) bool { return contractOf(l) == id })
			return s
		}), "rated by no worker"},
		{"a statement twice", tamper(func(s [][][]byte) [][][]byte {
			s[0] = slices.Insert(s[0], 1, s[0][1])
			return s
		}), "union of 2 workers = 1 process: no"},
		{"a contract rated by the wrong worker", tamper(func(s [][][]byte) [][][]byte {
			s[0], s[1] = s[1], s[0]
			return s
		}), "is of shard"},
		{"a statement changed", tamper(func(s [][][]byte) [][][]byte {
			st := statement(t, s[0][0])
			st.Lines[0].Calculation = rating.CalculationText("changed")
			b, err := json.Marshal(st)
			require.NoError(t, err)
			s[0][0] = b
			return s
		}), "statement 1 differs"},
		{"a total that is not the sum of the lines", tamper(func(s [][][]byte) [][][]byte {
			st := statement(t, s[0][0])
			st.Total = st.Total.Add(decimal.NewFromInt(1))
			b, err := json.Marshal(st)
			require.NoError(t, err)
			s[0][0] = b
			return s
		}), "worker 0: line 1"},
		{"not sorted", tamper(func(s [][][]byte) [][][]byte {
			s[1][0], s[1][1] = s[1][1], s[1][0]
			return s
		}), "worker 1: statements not sorted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compare(all, tt.shards, parents)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestPortfolio: the portfolio is the same on every build, and holds what
// the example says it does.
func TestPortfolio(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, writePortfolio(&a, build()))
	require.NoError(t, writePortfolio(&b, build()))
	require.Equal(t, a.String(), b.String())
	require.True(t, json.Valid(a.Bytes()))

	p := build()
	quarterly := map[uuid.UUID]bool{}
	for _, f := range p.Objects.BillingFrequencies {
		if f.Unit == schedule.Quarter {
			for _, pc := range p.Objects.ParentContracts {
				quarterly[pc.ID] = quarterly[pc.ID] || pc.BillingFrequency == f.ID
			}
		}
	}
	_, _, all := rateAll(t)
	kinds := map[rating.Kind]int{}
	var partial, quarters, months int
	for _, l := range all {
		s := statement(t, l)
		if quarterly[s.ContractID] {
			quarters++
		} else {
			months++
		}
		for _, ln := range s.Lines {
			kinds[ln.Kind]++
			if ln.Kind == rating.KindFixedFee && !ln.Proration.Equal(decimal.NewFromInt(1)) {
				partial++
			}
		}
	}
	assert.Positive(t, quarters, "quarterly statements")
	assert.Positive(t, months, "monthly statements")
	assert.Positive(t, partial, "contracts starting within the range have a partial first period")
	for _, k := range []rating.Kind{rating.KindUsage, rating.KindFixedFee, rating.KindDiscount, rating.KindCredit} {
		assert.Positive(t, kinds[k], "%s lines", k)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-worker", "2", "-of", "2", "-portfolio", "f.json"},
		{"-worker", "0", "-portfolio", "f.json"},
		{"-worker", "0", "-of", "2"},
		{"-workers", "0"},
		{"extra"},
		{"-unknown"},
	} {
		t.Run(args[0], func(t *testing.T) {
			var out bytes.Buffer
			assert.Error(t, run(context.Background(), args, &out))
			assert.Empty(t, out.String())
		})
	}
}

// statement decodes one line, strictly.
func statement(t *testing.T, line []byte) rating.Statement {
	t.Helper()
	var s rating.Statement
	require.NoError(t, json.Unmarshal(line, &s))
	return s
}

// decode decodes lines, strictly.
func decode(t *testing.T, lines [][]byte) []rating.Statement {
	t.Helper()
	out := make([]rating.Statement, len(lines))
	for i, l := range lines {
		out[i] = statement(t, l)
	}
	return out
}

// assertDec checks a decimal by value: 1.0 and 1.00 are equal.
func assertDec(t *testing.T, want, got decimal.Decimal, why string) {
	t.Helper()
	assert.Truef(t, want.Equal(got), "got %s, want %s: %s", got.StringFixed(2), want.StringFixed(2), why)
}
