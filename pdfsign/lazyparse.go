package pdfsign

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// parseObject parses one object's body (no stream) into pdfcpu's types.
// A small parser handles the usual forms and gives the same values as
// pdfcpu's (strings kept as written, hex strings upper-cased, names with
// #xx decoded, null dictionary entries dropped); anything unusual
// (comments, malformed numbers, white space in hex strings, too deep) is left to
// pdfcpu's parser, which also knows how to skip junk.
func parseObject(c context.Context, body []byte, maxDepth int) (types.Object, error) {
	p := fastParser{b: body, maxDepth: maxDepth}
	if o, err := p.value(0); err == nil {
		return o, nil
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	s := string(body)
	return model.ParseObjectContext(c, &s, 0, maxDepth)
}

var errNotFast = errors.New("not for the fast parser")

type fastParser struct {
	b        []byte
	i        int
	maxDepth int
}

func (p *fastParser) skipSpace() {
	for p.i < len(p.b) && isPDFSpace(p.b[p.i]) {
		p.i++
	}
}

// token reads regular characters.
func (p *fastParser) token() []byte {
	j := p.i
	for j < len(p.b) && !isPDFSpace(p.b[j]) && !isPDFDelim(p.b[j]) {
		j++
	}
	t := p.b[p.i:j]
	p.i = j
	return t
}

func (p *fastParser) value(depth int) (types.Object, error) {
	if depth > p.maxDepth {
		return nil, errNotFast
	}
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, errNotFast
	}
	switch c := p.b[p.i]; c {
	case '<':
		if p.i+1 < len(p.b) && p.b[p.i+1] == '<' {
			return p.dict(depth)
		}
		return p.hex()
	case '[':
		p.i++
		a := types.Array{}
		for {
			p.skipSpace()
			if p.i >= len(p.b) {
				return nil, errNotFast
			}
			if p.b[p.i] == ']' {
				p.i++
				return a, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case '(':
		return p.str()
	case '/':
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		return types.Name(n), nil
	case '%', ')', '>', ']', '{', '}':
		return nil, errNotFast
	}
	tok := p.token()
	switch string(tok) {
	case "true":
		return types.Boolean(true), nil
	case "false":
		return types.Boolean(false), nil
	case "null":
		return nil, nil
	}
	if !numeric(tok) {
		return nil, errNotFast
	}
	if !digits(tok) {
		f, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return nil, errNotFast
		}
		return types.Float(f), nil
	}
	n, err := strconv.Atoi(string(tok))
	if err != nil {
		return nil, errNotFast
	}
	// An indirect reference "n g R"?
	save := p.i
	if p.i < len(p.b) && isPDFSpace(p.b[p.i]) {
		p.skipSpace()
		if g := p.token(); len(g) > 0 && digits(g) && p.i < len(p.b) && isPDFSpace(p.b[p.i]) {
			p.skipSpace()
			if r := p.token(); string(r) == "R" {
				gen, err := strconv.Atoi(string(g))
				if err != nil {
					return nil, errNotFast
				}
				return *types.NewIndirectRef(n, gen), nil
			}
		}
	}
	p.i = save
	return types.Integer(n), nil
}

func (p *fastParser) dict(depth int) (types.Object, error) {
	p.i += 2
	d := types.Dict{}
	for {
		p.skipSpace()
		if p.i+1 < len(p.b) && p.b[p.i] == '>' && p.b[p.i+1] == '>' {
			p.i += 2
			return d, nil
		}
		if p.i >= len(p.b) || p.b[p.i] != '/' {
			return nil, errNotFast
		}
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if v != nil {
			d[k] = v
		}
	}
}

func (p *fastParser) name() (string, error) {
	p.i++ // '/'
	n := p.token()
	if p.i < len(p.b) && (p.b[p.i] == '{' || p.b[p.i] == '}') {
		return "", errNotFast
	}
	if bytes.IndexByte(n, '#') >= 0 {
		d, err := types.DecodeName(string(n)) // #xx escapes, as pdfcpu
		if err != nil {
			return "", errNotFast
		}
		return d, nil
	}
	return string(n), nil // possibly empty: "/" alone is the empty name
}

// str reads a literal string as pdfcpu does: the bytes between the
// balanced parentheses, escapes as written.
func (p *fastParser) str() (types.Object, error) {
	depth, escaped := 0, false
	for j := p.i; j < len(p.b); j++ {
		c := p.b[j]
		if escaped {
			escaped = false
			continue
		}
		switch c {
		case '\\':
			escaped = true
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			s := string(p.b[p.i+1 : j])
			p.i = j + 1
			return types.StringLiteral(s), nil
		}
	}
	return nil, errNotFast
}

// hex reads a hexadecimal string of hex digits only (pdfcpu upper-cases it
// and completes an odd count with a 0).
func (p *fastParser) hex() (types.Object, error) {
	j := p.i + 1
	for j < len(p.b) && p.b[j] != '>' {
		c := p.b[j]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, errNotFast
		}
		j++
	}
	if j >= len(p.b) {
		return nil, errNotFast
	}
	s := strings.ToUpper(string(p.b[p.i+1 : j]))
	if len(s)%2 != 0 {
		s += "0" // a missing final digit is 0 (7.3.4.3)
	}
	p.i = j + 1
	return types.HexLiteral(s), nil
}

func digits(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// numeric: [+-] digits with at most one '.', at least one digit.
func numeric(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	dot, n := false, 0
	for _, c := range b {
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			n++
		default:
			return false
		}
	}
	return n > 0 && len(b) <= 40
}
