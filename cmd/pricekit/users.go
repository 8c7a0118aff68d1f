package main

import (
	"bufio"
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/google/uuid"
)

// A users file is a JSON list of users, each with the organization it acts
// for and its password as a salted PBKDF2-SHA256 hash:
//
//	[{"username": "ada", "organization_id": "…", "salt": "…", "hash": "…", "iterations": 600000}]
//
// (salt and hash in base64); `pricekit user` writes an entry. No password
// is ever stored.
type userEntry struct {
	Username       string    `json:"username"`
	OrganizationID uuid.UUID `json:"organization_id"`
	Salt           []byte    `json:"salt"`
	Hash           []byte    `json:"hash"`
	Iterations     int       `json:"iterations"`
}

const (
	iterations = 600_000 // OWASP's figure for PBKDF2-HMAC-SHA256
	hashLen    = 32
)

type users struct {
	byName map[string]userEntry
	dummy  userEntry // checked when the name is unknown, so both take as long
	// slots bound the hashes computed at once: each takes a core for a
	// fraction of a second, and logins must not take the server's CPU.
	slots chan struct{}
}

// readUsers reads a users file.
func readUsers(path string) (*users, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var list []userEntry
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	u := &users{byName: map[string]userEntry{}}
	for i, e := range list {
		switch {
		case e.Username == "":
			return nil, fmt.Errorf("users file %s: entry %d has no username", path, i)
		case e.OrganizationID == uuid.Nil:
			return nil, fmt.Errorf("users file %s: %s has no organization_id", path, e.Username)
		case len(e.Salt) < 16 || len(e.Hash) != hashLen || e.Iterations < 100_000:
			return nil, fmt.Errorf("users file %s: %s needs a salt of 16 bytes or more, a 32-byte hash and 100 000 iterations or more (see pricekit user)", path, e.Username)
		}
		if _, dup := u.byName[e.Username]; dup {
			return nil, fmt.Errorf("users file %s: %s is listed twice", path, e.Username)
		}
		u.byName[e.Username] = e
	}
	u.dummy = userEntry{Salt: make([]byte, 16), Hash: make([]byte, hashLen), Iterations: iterations}
	for _, e := range u.byName {
		u.dummy.Iterations = max(u.dummy.Iterations, e.Iterations)
	}
	u.slots = make(chan struct{}, max(runtime.GOMAXPROCS(0)/2, 1))
	return u, nil
}

// login checks a password against the file, waiting for a free slot (or
// the request's end).
func (u *users) login(ctx context.Context, username, password string) (uuid.UUID, bool) {
	select {
	case u.slots <- struct{}{}:
		defer func() { <-u.slots }()
	case <-ctx.Done():
		return uuid.Nil, false
	}
	e, known := u.byName[username]
	if !known {
		e = u.dummy
	}
	got, err := pbkdf2.Key(sha256.New, password, e.Salt, e.Iterations, hashLen)
	if err != nil {
		return uuid.Nil, false
	}
	ok := subtle.ConstantTimeCompare(got, e.Hash) == 1
	return e.OrganizationID, ok && known
}

// user writes a users file entry for a password read from stdin.
func user(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pricekit user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var org, name string
	fs.StringVar(&org, "org", "", "the organization id the user acts for")
	fs.StringVar(&name, "username", "", "the user's name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	id, err := uuid.Parse(org)
	if err != nil || name == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: pricekit user -org ID -username NAME   (the password on stdin)")
		return 2
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	password := strings.TrimRight(line, "\r\n")
	if (err != nil && err != io.EOF) || password == "" {
		fmt.Fprintln(stderr, "pricekit user: give the password on stdin")
		return 2
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		fmt.Fprintln(stderr, "pricekit user:", err)
		return 1
	}
	hash, err := pbkdf2.Key(sha256.New, password, salt, iterations, hashLen)
	if err != nil {
		fmt.Fprintln(stderr, "pricekit user:", err)
		return 1
	}
	e := userEntry{Username: name, OrganizationID: id, Salt: salt, Hash: hash, Iterations: iterations}
	out, _ := json.Marshal(e)
	fmt.Fprintln(stdout, string(out))
	return 0
}
