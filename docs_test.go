package pricekit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
)

// readers are the methods of the strict JSON reader (internal/jsonx) that
// consume a field by name: every call to one with a literal name is a
// field some decoder accepts.
var readers = map[string]bool{"String": true, "Bool": true, "Int": true, "Decimal": true, "UUID": true,
	"UUIDs": true, "Date": true, "Raw": true, "Has": true, "List": true}

// acceptedFields lists, by the file that reads it, every JSON field name
// the module's decoders read.
func acceptedFields(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || path == filepath.Join("internal", "jsonx")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkgs := map[string]bool{}
		for _, im := range f.Imports {
			name := strings.Trim(im.Path.Value, `"`)
			name = name[strings.LastIndex(name, "/")+1:]
			if im.Name != nil {
				name = im.Name.Name
			}
			pkgs[name] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			arg := 0
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if pkg, ok := fn.X.(*ast.Ident); !readers[fn.Sel.Name] || (ok && pkgs[pkg.Name]) {
					return true
				}
			case *ast.Ident: // required(o, "name", …)
				if fn.Name != "required" || len(call.Args) < 2 {
					return true
				}
				arg = 1
			default:
				return true
			}
			lit, ok := call.Args[arg].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			name, err := strconv.Unquote(lit.Value)
			if err == nil && name != "" {
				out[name] = append(out[name], path)
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestDocsNameEveryField: every field a decoder accepts is named in the
// reference in docs/, as `field`, so the project explains all of its JSON
// without any document outside the repository.
func TestDocsNameEveryField(t *testing.T) {
	var docs strings.Builder
	files, err := filepath.Glob(filepath.Join("docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		docs.Write(data)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`\"?([a-z_]+)\"?`").FindAllStringSubmatch(docs.String(), -1) {
		named[m[1]] = true
	}
	// JSON tables and examples name fields in backticks or as "field":.
	for _, m := range regexp.MustCompile(`"([a-z_]+)":`).FindAllStringSubmatch(docs.String(), -1) {
		named[m[1]] = true
	}

	fields := acceptedFields(t)
	require.Greater(t, len(fields), 40, "the scan found too few fields to be reading the decoders")
	for _, k := range contract.Kinds() {
		fields[string(k)] = append(fields[string(k)], "contract.Kinds")
	}
	var missing []string
	for name, where := range fields {
		if !named[name] {
			missing = append(missing, name+" (read in "+strings.Join(where, ", ")+")")
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "fields accepted by the decoders but not named in docs/")
}

// TestNoReferenceOutsideTheRepository: the project points at its own docs,
// never at documents a user does not have.
func TestNoReferenceOutsideTheRepository(t *testing.T) {
	outside := regexp.MustCompile(`SPEC\b|\.\./shared|STYLE\.md`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || path == "docs_test.go" || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".md")) {
			return nil
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		if !outside.Match(data) {
			return nil
		}
		for i, line := range strings.Split(string(data), "\n") {
			if outside.MatchString(line) {
				t.Errorf("%s:%d points outside the repository: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	require.NoError(t, err)
}
