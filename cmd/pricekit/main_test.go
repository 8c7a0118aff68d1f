package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/httpapi/apitest"
)

// When PRICEKIT_TEST_MAIN is set, the test binary is the command: the
// tests start it as a real process, with the flags the tests were built
// with (race, cover), and no toolchain needed at test time.
func TestMain(m *testing.M) {
	if os.Getenv("PRICEKIT_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func scenarios(t *testing.T) []string {
	files, err := filepath.Glob("../../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRate(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "scenarios", "calendar-proration.json")
	code, out, _ := runCmd("rate", file)
	require.Equal(t, 0, code)
	var got struct {
		Statements []json.RawMessage `json:"statements"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.NotEmpty(t, got.Statements)

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"objects": {"tiers": [{"tiers": [[5, null, 1]]}]}}`), 0o600))
	code, out, _ = runCmd("rate", bad)
	assert.Equal(t, 1, code, "a refused scenario")
	assert.Contains(t, out, `"error"`)

	code, _, _ = runCmd("rate", filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, 2, code)
	code, _, _ = runCmd("rate")
	assert.Equal(t, 2, code)
}

func TestCheck(t *testing.T) {
	files := scenarios(t)
	code, out, errOut := runCmd(append([]string{"check"}, files...)...)
	require.Equal(t, 0, code, "%s%s", out, errOut)
	assert.Equal(t, len(files), strings.Count(out, ": ok\n"))

	// The same scenario with a wrong total differs.
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	expect := doc["expect"].(map[string]any)
	st := expect["statements"].([]any)[0].(map[string]any)
	st["total"] = "123456.78"
	wrong, err := json.Marshal(doc)
	require.NoError(t, err)
	f := filepath.Join(t.TempDir(), "wrong.json")
	require.NoError(t, os.WriteFile(f, wrong, 0o600))
	code, out, _ = runCmd("check", files[0], f)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, files[0]+": ok")
	assert.Contains(t, out, f+": 1 difference(s) from expect:")
	assert.Contains(t, out, "123456.78")

	code, _, _ = runCmd("check")
	assert.Equal(t, 2, code)
	code, _, _ = runCmd("nonsense")
	assert.Equal(t, 2, code)
}

// server is a pricekit serve process.
type server struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	logs []map[string]any
	done chan struct{}
}

// startServe starts `pricekit serve` with args as a real process and
// waits until it listens.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "PRICEKIT_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, done: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			s.mu.Lock()
			s.logs = append(s.logs, rec)
			s.mu.Unlock()
			if rec["msg"] == "listening" {
				listening <- rec["addr"].(string)
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
		_ = cmd.Wait()
	})
	select {
	case s.base = <-listening:
	case <-time.After(30 * time.Second):
		t.Fatal("pricekit serve did not start")
	}
	return s
}

// stop sends SIGTERM and returns the exit status.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	<-s.done
	err := s.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

func (s *server) logged(msg string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, r := range s.logs {
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// TestServe runs the service's whole flow against a pricekit serve
// process, then stops it gracefully.
func TestServe(t *testing.T) {
	s := startServe(t)
	apitest.New(t, s.base).Flow()
	assert.Equal(t, 0, s.stop(t))
	reqs := s.logged("request")
	require.NotEmpty(t, reqs)
	first := reqs[0]
	assert.Equal(t, "POST", first["method"])
	assert.Contains(t, first["path"], "/plans/tier")
	assert.Equal(t, json.Number("201"), json.Number(fmt.Sprint(first["status"])))
	assert.NotEmpty(t, s.logged("stopped"), "a graceful stop")
}

func TestServeLimitsBodies(t *testing.T) {
	s := startServe(t, "-max-body", "100")
	c := apitest.New(t, s.base)
	status, _ := c.Do("POST", c.Path("/plans/fixedfee"), `{"display_name": "`+strings.Repeat("x", 200)+`", "amount": 1}`)
	assert.Equal(t, 413, status)
}

func TestServeRefusesAnOpenAddress(t *testing.T) {
	code, _, errOut := runCmd("serve", "-addr", "0.0.0.0:0")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not a loopback address")
	code, _, _ = runCmd("serve", "-nonsense")
	assert.Equal(t, 2, code)
}

// TestServeWithUsers logs in with a users file written by pricekit user.
func TestServeWithUsers(t *testing.T) {
	org := uuid.New()
	var out bytes.Buffer
	code := run(context.Background(), []string{"user", "-org", org.String(), "-username", "ada"},
		strings.NewReader("correct horse\n"), &out, io.Discard)
	require.Equal(t, 0, code)
	assert.NotContains(t, out.String(), "correct horse")
	file := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(file, []byte("["+strings.TrimSpace(out.String())+"]"), 0o600))

	s := startServe(t, "-users", file)
	c := apitest.New(t, s.base)
	c.Org = org
	status, _ := c.Do("GET", c.Path("/plans/tiers"), "")
	assert.Equal(t, 401, status)
	status, _ = c.Do("POST", "/login", `{"username": "ada", "password": "wrong"}`)
	assert.Equal(t, 401, status)
	status, v := c.Do("POST", "/login", `{"username": "ada", "password": "correct horse"}`)
	require.Equal(t, 200, status, "%v", v)
	c.Auth = "Bearer " + v.(map[string]any)["access_token"].(string)
	c.Flow()
	other := *c
	other.Org = uuid.New()
	status, _ = other.Do("GET", other.Path("/plans/tiers"), "")
	assert.Equal(t, 404, status, "another organization")

	for _, bad := range []string{`[{"username": "ada"}]`, `{"users": 1}`, `[{"username": "x", "organization_id": "` + org.String() + `", "salt": "AAAA", "hash": "AAAA", "iterations": 1}]`} {
		f := filepath.Join(t.TempDir(), "bad.json")
		require.NoError(t, os.WriteFile(f, []byte(bad), 0o600))
		code, _, errOut := runCmd("serve", "-users", f)
		assert.Equal(t, 1, code, bad)
		assert.Contains(t, errOut, "users file", bad)
	}
}

// TestConcurrentClientsOnPostgres has 32 clients build contracts and
// ingest usage at once against pricekit serve on PostgreSQL, and counts:
// every object and every event is there, and each contract is billed its
// own usage.
func TestConcurrentClientsOnPostgres(t *testing.T) {
	dsn := serverDSN(t, "PRICEKIT_POSTGRES_DSN", ".ci/setup-postgres.sh")
	s := startServe(t, "-postgres", schemaDSN(t, dsn))
	const clients, batches, perBatch = 32, 5, 20
	org := uuid.New()
	built := make([]apitest.IDs, clients)
	// Parallel subtests: each client fails its own test, and the group
	// returns when all are done.
	t.Run("clients", func(t *testing.T) {
		for i := range clients {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c := apitest.New(t, s.base)
				c.Org = org
				x := c.Build(c.Path(""))
				built[i] = x
				for b := range batches {
					var evs []string
					for e := range perBatch {
						evs = append(evs, fmt.Sprintf(`{"id": "c%d-b%d-e%d", "contract_id": %q, "date": "2024-01-%02d", "quantity": 1}`,
							i, b, e, x.Product, 1+e))
					}
					status, v := c.Do("POST", c.Path("/usage"), "["+strings.Join(evs, ",")+"]")
					require.Equal(t, 201, status, "batch %d: %v", b, v)
				}
			})
		}
	})
	c := apitest.New(t, s.base)
	c.Org = org
	for path, want := range map[string]int{"/plans/tiers": clients, "/plans/fixedfees": clients, "/modifiers/discounts": clients,
		"/modifiers/minimums": clients, "/modifiers/credits": clients, "/modifiers/billing_frequencies": clients, "/customers": clients} {
		status, v := c.Do("GET", c.Path(path), "")
		require.Equal(t, 200, status)
		assert.Len(t, v, want, path)
	}
	status, v := c.Do("POST", c.Path("/factory/run"), "")
	require.Equal(t, 200, status, "%v", v)
	assert.Equal(t, json.Number(fmt.Sprint(2*clients)), v.(map[string]any)["statements"])
	_, v = c.Do("GET", c.Path("/factory/charges"), "")
	usageOf := map[string]string{}
	for _, st := range v.([]any) {
		st := st.(map[string]any)
		if st["period_start"] != "2024-01-01" {
			continue
		}
		for _, l := range st["lines"].([]any) {
			if l := l.(map[string]any); l["kind"] == "usage" {
				usageOf[st["contract_id"].(string)] = fmt.Sprint(l["quantity"])
			}
		}
	}
	require.Len(t, usageOf, clients)
	for _, x := range built {
		assert.Equal(t, fmt.Sprint(batches*perBatch), usageOf[x.Parent], "contract %s", x.Parent)
	}
}

// schemaDSN returns dsn in a fresh schema, dropped at the end of the test.
func schemaDSN(t *testing.T, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "pricekit_serve_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	_, err = admin.Exec(t.Context(), "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	_ = admin.Close(t.Context())
	t.Cleanup(func() {
		ctx := context.Background()
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(ctx)
		}
	})
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

// TestServeWithClickHouse runs the flow with usage kept in ClickHouse.
func TestServeWithClickHouse(t *testing.T) {
	dsn := serverDSN(t, "PRICEKIT_CLICKHOUSE_DSN", ".ci/setup-clickhouse.sh")
	opts, err := clickhouse.ParseDSN(dsn)
	require.NoError(t, err)
	conn, err := clickhouse.Open(opts)
	require.NoError(t, err)
	defer conn.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := "pricekit_serve_test_" + hex.EncodeToString(b[:])
	require.NoError(t, conn.Exec(t.Context(), "CREATE DATABASE "+db))
	t.Cleanup(func() { _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db) })
	s := startServe(t, "-clickhouse", strings.TrimSuffix(dsn, "/"+opts.Auth.Database)+"/"+db)
	apitest.New(t, s.base).Flow()
	assert.Equal(t, 0, s.stop(t))
}

// serverDSN returns the address of a server the test needs, from the
// environment variable name: without one it skips, and in CI it fails
// (setup is the script that CI starts it with).
func serverDSN(t *testing.T, name, setup string) string {
	t.Helper()
	dsn := os.Getenv(name)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must provide a server (%s)", name, setup)
		}
		t.Skip("no " + name)
	}
	return dsn
}

// TestServeDrainsOnStop stops the server while a request's body is still
// to come: it is answered, and only then does the server exit.
func TestServeDrainsOnStop(t *testing.T) {
	s := startServe(t)
	org := uuid.New()
	body := apitest.FixedFee
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	// Expect: 100-continue: the server says "100 Continue" when the
	// handler starts reading the body, so the request is in flight.
	_, err = fmt.Fprintf(conn, "POST /contracts/%s/plans/fixedfee HTTP/1.1\r\nHost: pricekit\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", org, len(body))
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", line)
	_, err = rd.ReadString('\n') // the blank line after it
	require.NoError(t, err)

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool { return len(s.logged("shutting down")) > 0 }, 10*time.Second, 10*time.Millisecond)
	_, err = io.WriteString(conn, body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "the request in flight is answered")
	<-s.done
	require.NoError(t, s.cmd.Wait())
	assert.NotEmpty(t, s.logged("stopped"))
}
