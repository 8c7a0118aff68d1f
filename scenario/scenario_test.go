package scenario_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden statements under testdata/golden")

// scenarioFiles returns the conformance scenarios: the public ones and the
// project's extra ones.
func scenarioFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"../testdata/scenarios/*.json", "../testdata/scenarios-extra/*.json"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files, "no scenario files found")
	return files
}

func name(file string) string { return strings.TrimSuffix(filepath.Base(file), ".json") }

// TestConformance runs every scenario and requires it to match its expect.
func TestConformance(t *testing.T) {
	for _, file := range scenarioFiles(t) {
		t.Run(name(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			diffs, err := scenario.Check(context.Background(), data)
			require.NoError(t, err)
			assert.Empty(t, diffs, "differences from expect:\n  %s", strings.Join(diffs, "\n  "))
		})
	}
}

// TestGolden compares the full output of every scenario that gives
// statements with its golden file, so any change to a statement shows in
// review. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	for _, file := range scenarioFiles(t) {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		out := scenario.Evaluate(context.Background(), data)
		if out.Error != nil {
			continue // refused scenarios are checked by TestConformance
		}
		t.Run(name(file), func(t *testing.T) {
			got, err := json.MarshalIndent(out, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("..", "testdata", "golden", name(file)+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file; run go test ./scenario -update")
			assert.Equal(t, string(want), string(got), "statements differ from %s", golden)
		})
	}
}

// read returns a public scenario as a generic JSON value to edit.
func read(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "scenarios", file))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}

func encode(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	return data
}

func TestCheckReportsDifferences(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	stmt := doc["expect"].(map[string]any)["statements"].([]any)[0].(map[string]any)
	stmt["total"] = "136.00"
	stmt["lines"].([]any)[2].(map[string]any)["amount"] = "-49.00"

	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Equal(t, []string{
		`statements[0].lines[2].amount: want "-49.00", got "-50.00"`,
		`statements[0].total: want "136.00", got "135.00"`,
	}, diffs)
}

func TestCheckReportsMissingAndExtraItems(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	stmt := doc["expect"].(map[string]any)["statements"].([]any)[0].(map[string]any)
	stmt["lines"] = stmt["lines"].([]any)[:3]
	stmt["no_such_field"] = "1"

	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"statements[0].lines: want 3 items, got 4",
		`statements[0].no_such_field: missing (want "1")`,
	}, diffs)
}

func TestCheckNumbersCompareByValue(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	stmt := doc["expect"].(map[string]any)["statements"].([]any)[0].(map[string]any)
	stmt["total"] = "135"
	stmt["subtotal"] = 200.0

	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Empty(t, diffs)
}

func TestCheckExpectedErrorMismatch(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	doc["expect"] = map[string]any{"error": "cycle"}
	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Equal(t, []string{"error: want cycle, got 1 statements"}, diffs)

	doc = read(t, "refuse-cycle.json")
	doc["expect"] = map[string]any{"error": "not_found"}
	diffs, err = scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	require.Len(t, diffs, 1)
	assert.True(t, strings.HasPrefix(diffs[0], "error: want not_found, got cycle ("), diffs[0])

	doc = read(t, "refuse-cycle.json")
	doc["expect"] = map[string]any{"statements": []any{}}
	diffs, err = scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	require.Len(t, diffs, 1)
	assert.True(t, strings.HasPrefix(diffs[0], "error: want statements, got cycle ("), diffs[0])
}

func TestCheckWithoutExpect(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	delete(doc, "expect")
	_, err := scenario.Check(context.Background(), encode(t, doc))
	require.ErrorIs(t, err, pricekit.ErrMissingInput)
	assert.Contains(t, err.Error(), `"expect"`)
}

func TestCheckMissingRun(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	delete(doc, "run")
	doc["expect"] = map[string]any{"error": "missing_input"}
	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Empty(t, diffs)

	out := scenario.Evaluate(context.Background(), encode(t, doc))
	require.NotNil(t, out.Error)
	assert.Equal(t, "missing_input", out.Error.Code)
	assert.Equal(t, "run", out.Error.Field)

	_, err = scenario.Parse(encode(t, doc))
	require.ErrorIs(t, err, pricekit.ErrMissingInput)
}

func TestEmptyDocument(t *testing.T) {
	for _, doc := range []string{"", "  \n", "null", "{}"} {
		t.Run(doc, func(t *testing.T) {
			_, err := scenario.Parse([]byte(doc))
			require.ErrorIs(t, err, pricekit.ErrMissingInput)

			out := scenario.Evaluate(context.Background(), []byte(doc))
			require.NotNil(t, out.Error)
			assert.Equal(t, "missing_input", out.Error.Code)
			assert.Empty(t, out.Statements)

			_, err = scenario.Check(context.Background(), []byte(doc))
			require.ErrorIs(t, err, pricekit.ErrMissingInput)
		})
	}
}

func TestUnknownField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(doc map[string]any)
		field string
	}{
		{"top level", func(doc map[string]any) { doc["colour"] = "blue" }, "colour"},
		{"run", func(doc map[string]any) { doc["run"].(map[string]any)["until"] = "2024-02-01" }, "run.until"},
		{"object", func(doc map[string]any) {
			fees := doc["objects"].(map[string]any)["fixed_fees"].([]any)
			fees[1].(map[string]any)["colour"] = "blue"
		}, "objects.fixed_fees[1].colour"},
		{"kind of object", func(doc map[string]any) { doc["objects"].(map[string]any)["products"] = []any{} }, "objects.products"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := read(t, "hierarchy-rollup.json")
			tt.edit(doc)
			_, err := scenario.Parse(encode(t, doc))
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			out := scenario.Evaluate(context.Background(), encode(t, doc))
			require.NotNil(t, out.Error)
			assert.Equal(t, "invalid_input", out.Error.Code)
			assert.Equal(t, tt.field, out.Error.Field)
			assert.Contains(t, out.Error.Message, tt.field)

			doc["expect"] = map[string]any{"error": "invalid_input"}
			diffs, err := scenario.Check(context.Background(), encode(t, doc))
			require.NoError(t, err)
			assert.Empty(t, diffs)
		})
	}
}

func TestRunNamingSubContract(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	doc["run"].(map[string]any)["contract_id"] = "00000000-cc00-4000-8000-000000000009"
	out := scenario.Evaluate(context.Background(), encode(t, doc))
	require.NotNil(t, out.Error)
	assert.Equal(t, "not_found", out.Error.Code)

	doc["expect"] = map[string]any{"error": "not_found"}
	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Empty(t, diffs)

	s, err := scenario.Parse(encode(t, doc))
	require.NoError(t, err)
	_, err = s.Run(context.Background())
	require.ErrorIs(t, err, pricekit.ErrNotFound)
}

func TestLaterObjectReplacesEarlier(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	objs := doc["objects"].(map[string]any)
	fees := objs["fixed_fees"].([]any)
	replaced := map[string]any{}
	for k, v := range fees[0].(map[string]any) {
		replaced[k] = v
	}
	replaced["amount"] = "200"
	objs["fixed_fees"] = append(fees, replaced)
	// Parent fee 200 + team 100 − 50 = 250, then 10 % off: 225.
	doc["expect"] = map[string]any{"statements": []any{map[string]any{"subtotal": "300.00", "total": "225.00"}}}
	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Empty(t, diffs)
}

func TestEvaluateOutputJSON(t *testing.T) {
	data, err := os.ReadFile("../testdata/scenarios/refuse-cycle.json")
	require.NoError(t, err)
	out := scenario.Evaluate(context.Background(), data)
	b, err := json.Marshal(out)
	require.NoError(t, err)
	var got map[string]map[string]string
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "cycle", got["error"]["code"])
	assert.NotEmpty(t, got["error"]["message"])
	assert.NotContains(t, string(b), `"statements"`)
	assert.True(t, bytes.HasPrefix(b, []byte(`{"error":`)))
}

// TestRunOverlappingNoPeriod: a run whose range overlaps no billing period
// gives an empty list of statements, written as such, not an empty object.
func TestRunOverlappingNoPeriod(t *testing.T) {
	doc := read(t, "hierarchy-rollup.json")
	doc["run"].(map[string]any)["from"] = "2020-01-01"
	doc["run"].(map[string]any)["to"] = "2020-01-31"
	delete(doc, "expect")
	out := scenario.Evaluate(context.Background(), encode(t, doc))
	require.Nil(t, out.Error)
	got, err := json.Marshal(out)
	require.NoError(t, err)
	assert.JSONEq(t, `{"statements": []}`, string(got))

	doc["expect"] = map[string]any{"statements": []any{}}
	diffs, err := scenario.Check(context.Background(), encode(t, doc))
	require.NoError(t, err)
	assert.Empty(t, diffs)
}

func TestOutputJSON(t *testing.T) {
	refused, err := json.Marshal(scenario.Output{Error: &scenario.ErrorOutput{Code: "cycle", Field: "sub_contracts", Message: "m"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"error": {"code": "cycle", "field": "sub_contracts", "message": "m"}}`, string(refused))
	empty, err := json.Marshal(scenario.Output{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"statements": []}`, string(empty))
}
