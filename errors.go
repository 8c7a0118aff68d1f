package pricekit

import (
	"errors"
	"strings"
)

// Code is the stable, machine-readable reason for a refusal (docs/errors.md).
// A Code is itself an error, so it is the sentinel callers match with
// errors.Is:
//
//	if errors.Is(err, pricekit.ErrInvalidTiers) { … }
type Code string

// The codes of docs/errors.md. They never change meaning.
const (
	ErrMissingInput       Code = "missing_input"
	ErrInvalidInput       Code = "invalid_input"
	ErrInvalidTiers       Code = "invalid_tiers"
	ErrUnknownReference   Code = "unknown_reference"
	ErrCycle              Code = "cycle"
	ErrDuplicateUsage     Code = "duplicate_usage"
	ErrUsageOutOfContract Code = "usage_out_of_contract"
	ErrNotFound           Code = "not_found"
	ErrConflict           Code = "conflict"
)

// Error implements error, so a bare Code can be returned or matched.
func (c Code) Error() string { return string(c) }

// Error is a refusal: a stable [Code], the path of the offending field
// (such as "tiers[1].start" or "usage[3].quantity"; empty when the whole
// document is at fault) and a message for a person.
//
// errors.Is(err, code) reports whether an *Error carries that code, also
// through errors.Join and wrapping.
type Error struct {
	Code    Code
	Op      string // the package or operation that refused, such as "plan"
	Field   string
	Message string
}

// Errorf builds an *Error. Op names the refusing package; field is the path
// of the offending field.
func Errorf(code Code, op, field, message string) *Error {
	return &Error{Code: code, Op: op, Field: field, Message: message}
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Is reports whether target is e's code.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// Prefix returns a copy of err in which every *Error's field path is prefixed
// with prefix (joined with "." or directly before an index). It keeps
// errors.Join structure, so no problem is lost.
func Prefix(prefix string, err error) error {
	if err == nil || prefix == "" {
		return err
	}
	switch e := err.(type) {
	case *Error:
		c := *e
		switch {
		case c.Field == "":
			c.Field = prefix
		case strings.HasPrefix(c.Field, "["):
			c.Field = prefix + c.Field
		default:
			c.Field = prefix + "." + c.Field
		}
		return &c
	case interface{ Unwrap() []error }:
		var out []error
		for _, x := range e.Unwrap() {
			out = append(out, Prefix(prefix, x))
		}
		return errors.Join(out...)
	}
	return err
}

// First returns the first *Error in err's tree (depth first, in order), or
// nil. The scenario program reports it as the refusal's code and field.
func First(err error) *Error {
	if all := All(err); len(all) > 0 {
		return all[0]
	}
	return nil
}

// All returns every *Error in err's tree, depth first and in order,
// through errors.Join and wrapping: each refusal of a batch or a bundle,
// for a host to show them all. A bare Code counts as an Error of that
// code.
func All(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *Error:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		case Code:
			out = append(out, &Error{Code: e, Message: string(e)})
		}
	}
	walk(err)
	return out
}
