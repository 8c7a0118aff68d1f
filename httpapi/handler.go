package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
)

// Options configure a [Handler]. The zero Options serve every
// organization named in a path, without authentication: how a service's
// tests, or a drop-in on a loopback address, use it.
type Options struct {
	// Authenticate, when set, maps a request to the organization it acts
	// for, or refuses it (401). A request for another organization's path
	// is answered 404, as if it did not exist.
	Authenticate func(r *http.Request) (uuid.UUID, error)
	// Login, when set (and Authenticate is not), enables POST /login: it
	// checks a username and password and names the organization they act
	// for. Login answers an opaque, random token, which authenticates
	// requests as "Authorization: Bearer TOKEN" until it expires.
	Login func(ctx context.Context, username, password string) (org uuid.UUID, ok bool)
	// TokenTTL is how long a token of Login lasts (default 1 hour).
	TokenTTL time.Duration
	// MaxBody is the largest request body read, in bytes (default 8 MiB);
	// a larger one is refused with 413.
	MaxBody int64
	// Now is the clock (default time.Now): what "today" is for a factory
	// run of evergreen contracts, and when tokens expire.
	Now func() time.Time
}

// Handler serves the API of the pricing web service over a store. It is
// safe for concurrent use.
type Handler struct {
	mux     *http.ServeMux
	opts    Options
	real    *space
	sim     *space
	tokens  *tokens
	maxBody int64
	now     func() time.Time
}

// space is where a path's documents live: the store given to New, or the
// simulation space (a memory store of its own), with the statements of
// each organization's last factory run.
type space struct {
	store store.Store
	sim   bool

	mu      sync.Mutex
	charges map[uuid.UUID][]rating.Statement
}

func (sp *space) lastRun(org uuid.UUID) []rating.Statement {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.charges[org]
}

func (sp *space) keepRun(org uuid.UUID, st []rating.Statement) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.charges[org] = st
}

// New returns a Handler over st: paths under /contracts/{org_id} work on
// st, the same paths under /sim/contracts/{org_id} on a simulation space
// that nothing reaches st from.
func New(st store.Store, opts Options) *Handler {
	h := &Handler{
		mux:     http.NewServeMux(),
		opts:    opts,
		real:    &space{store: st, charges: map[uuid.UUID][]rating.Statement{}},
		sim:     &space{store: memory.New(), sim: true, charges: map[uuid.UUID][]rating.Statement{}},
		maxBody: opts.MaxBody,
		now:     opts.Now,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxBody <= 0 {
		h.maxBody = 8 << 20
	}
	if opts.Authenticate == nil && opts.Login != nil {
		ttl := opts.TokenTTL
		if ttl <= 0 {
			ttl = time.Hour
		}
		h.tokens = newTokens(ttl, h.now)
		h.mux.HandleFunc("POST /login", h.login)
	}
	for _, sp := range []*space{h.real, h.sim} {
		prefix := "/contracts/{org}"
		if sp.sim {
			prefix = "/sim" + prefix
		}
		for _, r := range routes() {
			h.mux.Handle(r.method+" "+prefix+r.path, h.scoped(sp, r.serve))
		}
	}
	return h
}

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
	h.mux.ServeHTTP(w, r)
}

// call is one request to a route, its organization checked.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	org   uuid.UUID
	space *space
	h     *Handler
}

func (c *call) ctx() context.Context { return c.r.Context() }

// scoped checks the request's organization, then serves it.
func (h *Handler) scoped(sp *space, serve func(*call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := uuid.Parse(r.PathValue("org"))
		if err != nil {
			writeJSON(w, http.StatusNotFound, message("no organization "+r.PathValue("org")))
			return
		}
		switch {
		case h.opts.Authenticate != nil:
			got, err := h.opts.Authenticate(r)
			if err != nil {
				writeJSON(w, http.StatusUnauthorized, message(err.Error()))
				return
			}
			if got != org {
				writeJSON(w, http.StatusNotFound, message("no organization "+org.String()))
				return
			}
		case h.tokens != nil:
			got, ok := h.tokens.check(r.Header.Get("Authorization"))
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="pricekit"`)
				writeJSON(w, http.StatusUnauthorized, message("a valid access token is required"))
				return
			}
			if got != org {
				writeJSON(w, http.StatusNotFound, message("no organization "+org.String()))
				return
			}
		}
		serve(&call{w: w, r: r, org: org, space: sp, h: h})
	})
}

// writeJSON writes v as the answer, with its status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // the client went away: nothing to tell it
}

func message(m string) map[string]string { return map[string]string{"message": m} }

// tooLarge tells a body cut by MaxBody from a bad one.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}
