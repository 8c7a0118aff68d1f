package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
)

// tokens are the access tokens Login handed out. Only their SHA-256 is
// kept, and a token is found by its hash: how long a lookup takes tells
// nothing of how close a guess of the token was.
type tokens struct {
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	byID map[[32]byte]grant
}

type grant struct {
	org     uuid.UUID
	expires time.Time
}

func newTokens(ttl time.Duration, now func() time.Time) *tokens {
	return &tokens{ttl: ttl, now: now, byID: map[[32]byte]grant{}}
}

// issue returns a new random token for org.
func (t *tokens) issue(org uuid.UUID) (string, time.Time, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, err
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(tok))
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, g := range t.byID { // forget the expired ones
		if !now.Before(g.expires) {
			delete(t.byID, k)
		}
	}
	exp := now.Add(t.ttl)
	t.byID[h] = grant{org: org, expires: exp}
	return tok, exp, nil
}

// check reads an Authorization header and returns the organization of its
// token, if it is one handed out and not expired.
func (t *tokens) check(header string) (uuid.UUID, bool) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return uuid.Nil, false
	}
	h := sha256.Sum256([]byte(tok))
	t.mu.Lock()
	g, found := t.byID[h]
	t.mu.Unlock()
	if !found || !t.now().Before(g.expires) {
		return uuid.Nil, false
	}
	return g.org, true
}

// login checks a username and password with Options.Login (its answer
// is the host's to make in constant time): 200
// {"access_token", "token_type", "expires_in"}, 401 when they are wrong.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, h: h}
	o, ok := c.object()
	if !ok {
		return
	}
	user, pass := o.String("username"), o.String("password")
	if err := o.Err(); err != nil {
		c.fail(err)
		return
	}
	if user == "" || pass == "" {
		c.fail(pricekit.Errorf(pricekit.ErrInvalidInput, "httpapi", "username", "username and password are required"))
		return
	}
	org, ok := h.opts.Login(r.Context(), user, pass)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, message("wrong username or password"))
		return
	}
	tok, exp, err := h.tokens.issue(org)
	if err != nil {
		c.fail(err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer",
		"expires_in": int(exp.Sub(h.tokens.now()).Round(time.Second) / time.Second)})
}
