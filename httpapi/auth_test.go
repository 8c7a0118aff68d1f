package httpapi

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/store/memory"
)

func TestAuthenticateHook(t *testing.T) {
	mine := uuid.New()
	h := New(memory.New(), Options{Authenticate: func(r *http.Request) (uuid.UUID, error) {
		if r.Header.Get("Authorization") != "Key secret" {
			return uuid.Nil, errors.New("unknown key")
		}
		return mine, nil
	}})
	c := newClient(t, h)
	c.Org = mine
	status, v := c.do("POST", c.path("/plans/fixedfee"), feeBody)
	assert.Equal(t, http.StatusUnauthorized, status, "%v", v)
	c.Auth = "Key secret"
	c.create("/plans/fixedfee", feeBody)
	status, v = c.get("/plans/fixedfees")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, v, 1)
	other := c.otherOrg()
	status, _ = other.get("/plans/fixedfees")
	assert.Equal(t, http.StatusNotFound, status, "another organization's path")
	status, _ = other.do("POST", other.path("/plans/fixedfee"), feeBody)
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = c.do("POST", "/login", `{"username": "a", "password": "b"}`)
	assert.Equal(t, http.StatusNotFound, status, "no login without a credential check")
}

func TestLogin(t *testing.T) {
	org := uuid.New()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := New(memory.New(), Options{TokenTTL: time.Minute, Login: func(_ context.Context, user, pass string) (uuid.UUID, bool) {
		return org, user == "ada" && pass == "correct horse"
	}})
	h.tokens.now = func() time.Time { return now }
	c := newClient(t, h)
	c.Org = org

	status, _ := c.get("/plans/fixedfees")
	assert.Equal(t, http.StatusUnauthorized, status, "no token")
	for _, body := range []string{`{"username": "ada", "password": "wrong"}`, `{"username": "eve", "password": "correct horse"}`} {
		status, v := c.do("POST", "/login", body)
		assert.Equal(t, http.StatusUnauthorized, status, "%v", v)
		assert.NotContains(t, v.(map[string]any), "access_token")
	}
	status, v := c.do("POST", "/login", "")
	assert.Equal(t, http.StatusBadRequest, status, "%v", v)
	status, v = c.do("POST", "/login", `{"username": "ada"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "%v", v)
	status, v = c.do("POST", "/login", `{"username": "ada", "password": "correct horse", "mfa": 1}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "unknown field: %v", v)

	status, v = c.do("POST", "/login", `{"username": "ada", "password": "correct horse"}`)
	require.Equal(t, http.StatusOK, status, "%v", v)
	tok := v.(map[string]any)["access_token"].(string)
	assert.GreaterOrEqual(t, len(tok), 40, "32 random bytes")
	assert.Equal(t, num("60"), v.(map[string]any)["expires_in"])
	_, v2 := c.do("POST", "/login", `{"username": "ada", "password": "correct horse"}`)
	assert.NotEqual(t, tok, v2.(map[string]any)["access_token"], "every token is new")

	c.Auth = "bearer " + tok
	c.create("/plans/fixedfee", feeBody)
	c.Auth = "Bearer " + tok
	status, _ = c.get("/plans/fixedfees")
	assert.Equal(t, http.StatusOK, status)
	for _, bad := range []string{"Bearer " + tok[:len(tok)-1], "Bearer " + tok + "x", tok, "Basic " + tok, "Bearer "} {
		c.Auth = bad
		status, _ = c.get("/plans/fixedfees")
		assert.Equal(t, http.StatusUnauthorized, status, "%q", bad)
	}
	c.Auth = "Bearer " + tok
	other := c.otherOrg()
	status, _ = other.get("/plans/fixedfees")
	assert.Equal(t, http.StatusNotFound, status, "another organization's path")

	now = now.Add(61 * time.Second)
	status, _ = c.get("/plans/fixedfees")
	assert.Equal(t, http.StatusUnauthorized, status, "expired")
}
