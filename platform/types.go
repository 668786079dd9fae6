package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// Decode reads a message leniently into dst (types above do the leniency).
func Decode(data []byte, dst any) error {
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("%w: %v", ErrJSON, err)
	}
	return nil
}
