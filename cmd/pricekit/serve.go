package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pricekit/pricekit/httpapi"
	"github.com/pricekit/pricekit/store"
	pkch "github.com/pricekit/pricekit/store/clickhouse"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/store/postgres"
)

// serveConfig is what the flags of serve set.
type serveConfig struct {
	addr, postgres, clickhouse, users string
	open                              bool
	maxBody                           int64
	readTimeout, writeTimeout         time.Duration
	idleTimeout, shutdownTimeout      time.Duration
	tokenTTL                          time.Duration
}

func serveFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("pricekit serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "the address to listen on (port 0: any free port)")
	fs.StringVar(&c.postgres, "postgres", "", "keep documents and usage in this PostgreSQL database (a pgx DSN); memory by default")
	fs.StringVar(&c.clickhouse, "clickhouse", "", "keep usage in this ClickHouse database (clickhouse://HOST:PORT/DB), documents in -postgres or memory")
	fs.StringVar(&c.users, "users", "", "a users file (see pricekit user): enables POST /login and requires its tokens")
	fs.BoolVar(&c.open, "open", false, "allow a non-loopback address without -users: every organization to anyone who reaches it")
	fs.Int64Var(&c.maxBody, "max-body", 8<<20, "the largest request body, in bytes")
	fs.DurationVar(&c.readTimeout, "read-timeout", 30*time.Second, "the longest a request may take to arrive")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 5*time.Minute, "the longest an answer may take (a factory run included)")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long requests in flight may finish at shutdown")
	fs.DurationVar(&c.tokenTTL, "token-ttl", time.Hour, "how long a login token lasts")
	if err := fs.Parse(args); err != nil {
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pricekit serve: unexpected argument %q\n", fs.Arg(0))
		return c, errUsage
	}
	return c, nil
}

// serve runs the API until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := serveFlags(args, stderr)
	if err != nil {
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := serveWith(ctx, cfg, log); err != nil {
		log.Error("pricekit serve stopped", "error", err.Error())
		return 1
	}
	return 0
}

func serveWith(ctx context.Context, cfg serveConfig, log *slog.Logger) error {
	if cfg.users == "" && !cfg.open && !loopback(cfg.addr) {
		return fmt.Errorf("%s is not a loopback address: without -users every organization is served to anyone who reaches it; give -users, or -open to mean it", cfg.addr)
	}
	st, what, closeStore, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	opts := httpapi.Options{MaxBody: cfg.maxBody, TokenTTL: cfg.tokenTTL}
	if cfg.users != "" {
		users, err := readUsers(cfg.users)
		if err != nil {
			return err
		}
		opts.Login = users.login
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           accessLog(log, httpapi.New(st, opts)),
		ReadHeaderTimeout: min(cfg.readTimeout, 10*time.Second),
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", "http://"+ln.Addr().String(), "store", what, "login", cfg.users != "")
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running past the timeout are cut off before the
		// store's connections close under them.
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// loopback reports whether addr's host is a loopback address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openStore opens the store the flags name, migrated, with a description
// for the log and a func that closes its connections.
func openStore(ctx context.Context, cfg serveConfig) (store.Store, string, func(), error) {
	var (
		docs    store.Documents = memory.New()
		what                    = "memory"
		closers []func()
	)
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if cfg.postgres != "" {
		pool, err := pgxpool.New(ctx, cfg.postgres)
		if err != nil {
			return nil, "", nil, fmt.Errorf("postgres: %w", err)
		}
		closers = append(closers, pool.Close)
		pg := postgres.New(pool)
		if err := pg.Migrate(ctx); err != nil {
			closeAll()
			return nil, "", nil, err
		}
		docs, what = pg, "postgres"
	}
	if cfg.clickhouse == "" {
		return docs.(store.Store), what, closeAll, nil
	}
	opts, err := clickhouse.ParseDSN(cfg.clickhouse)
	if err != nil {
		closeAll()
		return nil, "", nil, fmt.Errorf("clickhouse: %w", err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		closeAll()
		return nil, "", nil, fmt.Errorf("clickhouse: %w", err)
	}
	closers = append(closers, func() { _ = conn.Close() })
	ch := pkch.New(conn, docs)
	if err := ch.Migrate(ctx); err != nil {
		closeAll()
		return nil, "", nil, err
	}
	return ch, what + " with usage in clickhouse", closeAll, nil
}

// accessLog logs every request as it ends: method, path, status, bytes
// written, duration and the client's address.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr))
	})
}

// recorder keeps the status and size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}
