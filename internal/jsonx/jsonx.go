// Package jsonx reads pricekit's JSON documents strictly: every field is
// consumed through a typed accessor, unknown fields are refused, and every
// problem is reported as a *pricekit.Error with the field's path.
//
// It accepts the seed's spellings: decimals as numbers or strings, ids as a
// single id or a list, days as dates or datetimes.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/limits"
)

// Object is a JSON object being read field by field. Its methods record
// problems instead of returning them; Err returns them all at the end.
type Object struct {
	op     string
	fields map[string]json.RawMessage
	used   map[string]bool
	errs   []error
}

// Parse reads data as a JSON object. An empty or null document, or {}, is
// missing_input; anything that is not an object is invalid_input.
func Parse(op string, data []byte) (*Object, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, pricekit.Errorf(pricekit.ErrMissingInput, op, "", "empty document")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil || fields == nil {
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, op, "", "want a JSON object")
	}
	if len(fields) == 0 {
		return nil, pricekit.Errorf(pricekit.ErrMissingInput, op, "", "empty document")
	}
	if err := checkDuplicateKeys(op, trimmed); err != nil {
		return nil, err
	}
	return &Object{op: op, fields: fields, used: make(map[string]bool, len(fields))}, nil
}

// checkDuplicateKeys refuses an object that names a field twice: which one
// wins would otherwise be the decoder's choice, not the author's.
func checkDuplicateKeys(op string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // '{'
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, "", "want a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return pricekit.Errorf(pricekit.ErrInvalidInput, op, "", "malformed JSON")
		}
		key, _ := tok.(string)
		if seen[key] {
			return pricekit.Errorf(pricekit.ErrInvalidInput, op, key, "field given twice")
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return pricekit.Errorf(pricekit.ErrInvalidInput, op, key, "malformed JSON")
		}
	}
	return nil
}

// Fail records a problem with a field.
func (o *Object) Fail(code pricekit.Code, field, format string, args ...any) {
	o.errs = append(o.errs, pricekit.Errorf(code, o.op, field, fmt.Sprintf(format, args...)))
}

// Add records an error returned by a nested reader, under field.
func (o *Object) Add(field string, err error) {
	if err != nil {
		o.errs = append(o.errs, pricekit.Prefix(field, err))
	}
}

// Has reports whether the field is present and not null.
func (o *Object) Has(name string) bool {
	raw, ok := o.fields[name]
	return ok && !isNull(raw)
}

// Unversioned refuses effective_from on a document of a kind that has no
// versions (docs/versions.md), naming the kind, such as "a credit".
func (o *Object) Unversioned(what string) {
	o.used["effective_from"] = true
	if o.Has("effective_from") { // null is as good as absent
		o.Fail(pricekit.ErrInvalidInput, "effective_from",
			"%s has no versions: save it again without effective_from to change it", what)
	}
}

// Raw returns the field's raw JSON (nil when absent or null) and marks it read.
func (o *Object) Raw(name string) json.RawMessage {
	o.used[name] = true
	raw, ok := o.fields[name]
	if !ok || isNull(raw) {
		return nil
	}
	return raw
}

// Fields returns a copy of the object's fields as they were given, none
// of them marked as read.
func (o *Object) Fields() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(o.fields))
	for k, v := range o.fields {
		out[k] = v
	}
	return out
}

// Err reports every problem found, joined. Unknown fields come first: a
// misspelled field name is the likeliest cause of the problems after it
// (such as a required field reported missing).
func (o *Object) Err() error {
	var unknown []string
	for name := range o.fields {
		if !o.used[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	var errs []error
	for _, name := range unknown {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, o.op, name, "unknown field"))
	}
	return errors.Join(append(errs, o.errs...)...)
}

// Finish reports every problem of the document: those found while reading
// it (unknown fields first) and those of validated, the error of the
// decoded value's Validate. A validation problem at a field that could not
// be read is left out: it would only repeat the reading problem. Unknown
// fields never hide the rest.
func (o *Object) Finish(validated error) error {
	read := o.Err()
	if read == nil || validated == nil {
		return errors.Join(read, validated)
	}
	var failed []string
	for _, e := range flatten(read) {
		if pe, ok := e.(*pricekit.Error); ok && pe.Field != "" {
			failed = append(failed, pe.Field)
		}
	}
	errs := []error{read}
	for _, e := range flatten(validated) {
		if pe, ok := e.(*pricekit.Error); ok && within(pe.Field, failed) {
			continue
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// within reports whether field is one of fields or lies beneath one.
func within(field string, fields []string) bool {
	for _, f := range fields {
		if field == f || strings.HasPrefix(field, f+".") || strings.HasPrefix(field, f+"[") {
			return true
		}
	}
	return false
}

// flatten lists the errors joined in err.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// String reads a string field; absent or null gives "".
func (o *Object) String(name string) string {
	raw := o.Raw(name)
	if raw == nil {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "want a string")
	}
	return s
}

// Bool reads a boolean field; absent or null gives false.
func (o *Object) Bool(name string) bool {
	raw := o.Raw(name)
	if raw == nil {
		return false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "want true or false")
	}
	return b
}

// Int reads a JSON integer; absent or null gives (0, false).
func (o *Object) Int(name string) (int, bool) {
	raw := o.Raw(name)
	if raw == nil {
		return 0, false
	}
	n, err := ParseInt(raw)
	if err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "%v", err)
		return 0, false
	}
	return n, true
}

// ParseInt reads a JSON integer token (no fraction, no exponent, no string).
func ParseInt(raw json.RawMessage) (int, error) {
	s := string(bytes.TrimSpace(raw))
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, invalid("want a whole number, got %s", clip(s))
	}
	return int(n), nil
}

// Decimal reads a decimal given as a JSON number or a string; absent or null
// gives (zero, false).
func (o *Object) Decimal(name string) (decimal.Decimal, bool) {
	raw := o.Raw(name)
	if raw == nil {
		return decimal.Decimal{}, false
	}
	d, err := ParseDecimal(raw)
	if err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "%v", err)
		return decimal.Decimal{}, false
	}
	return d, true
}

var (
	plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	plainString = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$|^[+-]?\.[0-9]+$`)
)

// maxDecimalText bounds the text of a decimal before it is parsed: a
// decimal within the limits is far shorter, whatever its spelling.
const maxDecimalText = 200

// ParseDecimal reads a JSON number or a string holding a plain decimal
// ("12", "-0.5"). NaN, infinities, spaces and exponents in strings are
// refused, and so is a decimal beyond the limits of docs/errors.md (38
// significant digits, 28 places).
func ParseDecimal(raw json.RawMessage) (decimal.Decimal, error) {
	s := string(bytes.TrimSpace(raw))
	if len(s) > maxDecimalText {
		return decimal.Decimal{}, invalid("decimal %s is too long", clip(s))
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal([]byte(s), &str); err != nil || !plainString.MatchString(str) {
			return decimal.Decimal{}, invalid("want a decimal, got %s", clip(s))
		}
		s = str
	} else if !plainNumber.MatchString(s) {
		return decimal.Decimal{}, invalid("want a decimal, got %s", clip(s))
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// The exponent is checked before the number is built: 1e2000000000
		// is short to write and enormous to hold.
		exp, err := strconv.Atoi(s[i+1:])
		if err != nil || exp > limits.MaxDigits+1 || exp < -(limits.MaxPlaces+limits.MaxDigits+1) {
			return decimal.Decimal{}, invalid("decimal %s is out of range", clip(s))
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, invalid("want a decimal, got %s", clip(s))
	}
	if err := limits.Decimal("", "", d); err != nil {
		return decimal.Decimal{}, invalid("decimal %s: %s", clip(s), pricekit.First(err).Message)
	}
	return d, nil
}

// UUID reads an id; absent or null gives (uuid.Nil, false).
func (o *Object) UUID(name string) (uuid.UUID, bool) {
	raw := o.Raw(name)
	if raw == nil {
		return uuid.Nil, false
	}
	id, err := ParseUUID(raw)
	if err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "%v", err)
		return uuid.Nil, false
	}
	return id, true
}

// ParseUUID reads a JSON string holding a UUID in canonical text, any case.
func ParseUUID(raw json.RawMessage) (uuid.UUID, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return uuid.Nil, invalid("want an id string, got %s", clip(string(raw)))
	}
	if len(s) != 36 {
		return uuid.Nil, invalid("malformed id %q", clip(s))
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, invalid("malformed id %q", clip(s))
	}
	return id, nil
}

// UUIDs reads a list of ids, also given as a single id; absent, null or an
// empty list gives nil.
func (o *Object) UUIDs(name string) []uuid.UUID {
	raw := o.Raw(name)
	if raw == nil {
		return nil
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			o.Fail(pricekit.ErrInvalidInput, name, "want a list of ids")
			return nil
		}
		var ids []uuid.UUID // an empty list reads as nil, like an absent one
		for i, item := range items {
			id, err := ParseUUID(item)
			if err != nil {
				o.Fail(pricekit.ErrInvalidInput, fmt.Sprintf("%s[%d]", name, i), "%v", err)
				continue
			}
			ids = append(ids, id)
		}
		return ids
	}
	id, err := ParseUUID(raw)
	if err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "%v", err)
		return nil
	}
	return []uuid.UUID{id}
}

// Date reads a calendar day given as "2024-01-31", a datetime
// ("2024-01-31T23:59:59") or RFC 3339: the day written in it, whatever the
// time or offset. Absent or null gives (0, false).
func (o *Object) Date(name string) (date.Date, bool) {
	raw := o.Raw(name)
	if raw == nil {
		return 0, false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "want a date string")
		return 0, false
	}
	d, err := ParseDay(s)
	if err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "%v", err)
		return 0, false
	}
	return d, true
}

var dayPattern = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})`)

// ParseDay reads the day written at the start of a date or datetime string.
func ParseDay(s string) (date.Date, error) {
	m := dayPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, invalid("malformed date %q (want YYYY-MM-DD)", clip(s))
	}
	if rest := s[len(m[0]):]; rest != "" {
		if _, err := ParseTimestamp(s); err != nil {
			return 0, invalid("malformed date %q", clip(s))
		}
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	day := date.New(y, time.Month(mo), d)
	if dy, dm, dd := day.Date(); dy != y || int(dm) != mo || dd != d {
		return 0, invalid("no such day %q", clip(s))
	}
	if err := limits.Day("", "", day); err != nil {
		return 0, invalid("day %q is outside 0001-01-02 .. 9999-12-31", clip(s))
	}
	return day, nil
}

// ParseTimestamp reads an instant: RFC 3339, or a datetime without offset,
// which is UTC.
func ParseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalid("malformed timestamp %q (want RFC 3339)", clip(s))
}

// invalid is a refusal of a malformed value: invalid_input, with no
// operation or field of its own, so that a caller can place it.
func invalid(format string, args ...any) error {
	return pricekit.Errorf(pricekit.ErrInvalidInput, "", "", fmt.Sprintf(format, args...))
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// List splits a JSON array into its items; a single non-array value is
// refused. Absent or null gives nil.
func (o *Object) List(name string) []json.RawMessage {
	raw := o.Raw(name)
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		o.Fail(pricekit.ErrInvalidInput, name, "want a list")
		return nil
	}
	return items
}

// RequiredDecimal reads a decimal field that must be given, and reports
// it missing when it is not.
func (o *Object) RequiredDecimal(name string) decimal.Decimal {
	d, ok := o.Decimal(name)
	if !ok && !o.Has(name) {
		o.Fail(pricekit.ErrInvalidInput, name, "%s is required", name)
	}
	return d
}

// DayText returns a day as JSON writes it ("2024-01-31"), or nil for the
// zero day, for an optional field.
func DayText(d date.Date) *string {
	if d == 0 {
		return nil
	}
	s := d.String()
	return &s
}
