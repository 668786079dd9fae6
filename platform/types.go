package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Str is a string field read leniently: the platform may send a number, a
// string or null where the manual says string. It is written as a string.
type Str string

// UnmarshalJSON accepts a string, a number (its exact text), a bool or null.
func (s *Str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		*s = Str(b) // JSON held in a field: keep its text
		return nil
	}
	*s = Str(FieldText(b))
	return nil
}

// Int is a field the manual types int: written as a JSON number, read from
// a number or a string of digits ("" reads as 0).
type Int int64

// UnmarshalJSON accepts 12, "12", "" and null.
func (n *Int) UnmarshalJSON(b []byte) error {
	t := strings.TrimSpace(FieldText(b))
	if t == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(t, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("%q is not an integer", t)
		}
		v = int64(f)
	}
	*n = Int(v)
	return nil
}

// SerialNum is the platform's guarantee serial (保函序列号). It exceeds 2^53
// in practice, so it is kept as its exact digits, never as a float64; it is
// read from a JSON number or string and written as a string.
type SerialNum string

// UnmarshalJSON keeps the digits of a number or the text of a string.
func (s *SerialNum) UnmarshalJSON(b []byte) error {
	*s = SerialNum(strings.TrimSpace(FieldText(b)))
	return nil
}

// Decimal is an amount the manual types decimal (e.g. 2.7 amount): written
// as a JSON number with its exact text, read from a number or a string.
type Decimal string

// MarshalJSON writes the amount as a number; empty writes 0.
func (d Decimal) MarshalJSON() ([]byte, error) {
	t := strings.TrimSpace(string(d))
	if t == "" {
		return []byte("0"), nil
	}
	if _, err := strconv.ParseFloat(t, 64); err != nil {
		return nil, fmt.Errorf("amount %q is not a number", t)
	}
	return []byte(t), nil
}

// UnmarshalJSON keeps the text of a number or string.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	*d = Decimal(strings.TrimSpace(FieldText(b)))
	return nil
}

// Decode reads a message leniently into dst (types above do the leniency),
// matching field names exactly: encoding/json alone folds case, so that
// ORDER_NO or \u017ftatus would fill order_no or status while the sign and
// the checks saw other names. A JSON object is read through ParseFields
// (duplicate or case-equal names are an error) and only the names that
// equal a field tag of dst go on to the struct.
func Decode(data []byte, dst any) error {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	trimmed := bytes.TrimSpace(data)
	if t != nil && t.Kind() == reflect.Struct && len(trimmed) > 0 && trimmed[0] == '{' {
		f, err := ParseFields(trimmed)
		if err != nil {
			return err
		}
		names := map[string]bool{}
		tagNames(t, names)
		for k := range f {
			if !names[k] {
				delete(f, k)
			}
		}
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrJSON, err)
		}
		data = b
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("%w: %v", ErrJSON, err)
	}
	return nil
}

// tagNames collects the JSON names of a struct's fields, embedded structs
// included.
func tagNames(t reflect.Type, names map[string]bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				tagNames(ft, names)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		names[name] = true
	}
}
