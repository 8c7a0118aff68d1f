package billing

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
)

// fingerprint identifies a tree's documents, every version included: a
// hash of every field of every document, in bundle order. Two equal
// fingerprints mean nothing the tree's rating reads was saved in between.
// It walks the documents' fields by reflection, so a field added to a
// document is covered without a change here, and it writes no JSON: it
// runs on every rating of a contract with issued statements.
func fingerprint(objs contract.Objects) string {
	f := fingerprints.Get().(*fingerprinter)
	f.b = f.b[:0]
	f.value(reflect.ValueOf(&objs).Elem())
	sum := sha256.Sum256(f.b)
	fingerprints.Put(f)
	return hex.EncodeToString(sum[:16])
}

var fingerprints = sync.Pool{New: func() any { return &fingerprinter{b: make([]byte, 0, 4096)} }}

// fingerprinter writes the fields of a value into b, to hash at once.
type fingerprinter struct{ b []byte }

var decimalType = reflect.TypeFor[decimal.Decimal]()

func (f *fingerprinter) int(n int64) { f.b = binary.LittleEndian.AppendUint64(f.b, uint64(n)) }

func (f *fingerprinter) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == decimalType {
			// The coefficient and exponent: 5 and 5.0 differ, which only
			// makes a rating look again.
			d := v.Addr().Interface().(*decimal.Decimal)
			f.int(int64(d.Exponent()))
			if d.NumDigits() <= 18 {
				f.int(d.CoefficientInt64())
			} else {
				f.b = append(f.b, d.Coefficient().Bytes()...)
				f.int(int64(d.Sign()))
			}
			return
		}
		for i := range v.NumField() {
			f.value(v.Field(i))
		}
	case reflect.Slice:
		f.int(int64(v.Len()))
		for i := range v.Len() {
			f.value(v.Index(i))
		}
	case reflect.Array: // ids
		if v.Type().Elem().Kind() == reflect.Uint8 && v.CanAddr() {
			f.b = append(f.b, v.Bytes()...)
			return
		}
		for i := range v.Len() {
			f.value(v.Index(i))
		}
	case reflect.String:
		f.int(int64(v.Len()))
		f.b = append(f.b, v.String()...)
	case reflect.Bool:
		if v.Bool() {
			f.int(1)
		} else {
			f.int(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.int(int64(v.Uint()))
	default:
		// No document has such a field; should one come, it still counts,
		// by its type's name, and a change to it is found by JSON elsewhere.
		f.b = append(f.b, v.Type().String()...)
	}
}
