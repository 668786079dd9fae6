// Package platform speaks the Fuzhou e-guarantee platform's protocol: the
// codec (sign, RSA), the messages of the manual, the Client and the outbound
// workflows. The decisions on what the manual leaves open are in
// shared/reference/protocol.md.
package platform

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// Fields is a decoded plaintext param: every field with its raw JSON value.
type Fields map[string]json.RawMessage

// Errors the codec returns; callers map them to the manual's status codes.
var (
	ErrDecrypt = errors.New("param cannot be decrypted")
	ErrJSON    = errors.New("param is not a JSON object")
	ErrSign    = errors.New("sign does not match")
)

// FieldText is the text a field contributes to the sign (protocol.md, sign
// step 3): strings as they are, numbers in plain decimal, null as empty, and
// objects or arrays as their JSON text.
func FieldText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s
		}
	}
	return string(raw)
}

// Sign computes the 5.1 sign over fields (every field but "sign"), with
// empty-valued fields included unless skipEmpty.
func Sign(secret string, fields Fields, skipEmpty bool) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		if k == "sign" {
			continue
		}
		if skipEmpty && FieldText(fields[k]) == "" {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(secret)
	for _, k := range names {
		b.WriteString(k)
		b.WriteString(FieldText(fields[k]))
	}
	b.WriteString(secret)
	sum := md5.Sum([]byte(b.String()))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// VerifySign checks fields["sign"] in constant time; where it fails, it
// checks once more without the empty-valued fields (protocol.md).
func VerifySign(secret string, fields Fields) bool {
	got := strings.ToUpper(FieldText(fields["sign"]))
	if got == "" {
		return false
	}
	eq := func(want string) bool {
		return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
	}
	return eq(Sign(secret, fields, false)) || eq(Sign(secret, fields, true))
}

// Marshal encodes v as JSON without HTML escaping and without a trailing
// newline. Chinese text stays UTF-8 (encoding/json never \u-escapes it).
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// ToFields turns a message struct (or map) into Fields.
func ToFields(msg any) (Fields, error) {
	b, err := Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	var f Fields
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("message is not a JSON object: %w", err)
	}
	return f, nil
}

// SignedPlaintext sets "sign" on the fields of msg and returns the JSON
// plaintext that is encrypted into param.
func SignedPlaintext(secret string, msg any) ([]byte, error) {
	f, err := ToFields(msg)
	if err != nil {
		return nil, err
	}
	delete(f, "sign")
	sign, _ := json.Marshal(Sign(secret, f, false))
	f["sign"] = sign
	return Marshal(f)
}

// Seal signs msg and encrypts it with pub into a param value.
func Seal(secret string, pub *rsa.PublicKey, msg any) (string, error) {
	plain, err := SignedPlaintext(secret, msg)
	if err != nil {
		return "", err
	}
	return EncryptParam(pub, plain)
}

// Open decrypts param with priv, parses it and verifies its sign. It returns
// the fields (also on a sign failure, for logging the method) and wraps
// ErrDecrypt, ErrJSON or ErrSign on failure. dst, when not nil, receives the
// decoded message.
func Open(secret string, priv *rsa.PrivateKey, param string, dst any) (Fields, []byte, error) {
	plain, err := DecryptParam(priv, param)
	if err != nil {
		return nil, nil, err
	}
	return OpenPlaintext(secret, plain, dst)
}

// OpenPlaintext is Open after the decryption: it parses the plaintext
// strictly (ParseFields) and verifies its sign (for a caller that decrypts
// block by block with ParamDecrypter).
func OpenPlaintext(secret string, plain []byte, dst any) (Fields, []byte, error) {
	f, err := ParseFields(plain)
	if err != nil {
		return nil, plain, err
	}
	if !VerifySign(secret, f) {
		return f, plain, ErrSign
	}
	if dst != nil {
		if err := Decode(plain, dst); err != nil {
			return f, plain, fmt.Errorf("%w: %v", ErrJSON, err)
		}
	}
	return f, plain, nil
}

// ParseFields reads a plaintext as one JSON object of fields, strictly
// (protocol.md, "JSON"): a duplicated name, or two names equal under case
// folding (ORDER_NO beside order_no, \u017ftatus beside status), is an
// error wrapping ErrJSON, since the sign and the stored value could then
// come from different fields.
func ParseFields(plain []byte) (Fields, error) {
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, ErrJSON
	}
	f := Fields{}
	folded := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, ErrJSON
		}
		name, ok := tok.(string)
		if !ok {
			return nil, ErrJSON
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, ErrJSON
		}
		if _, dup := f[name]; dup {
			return nil, fmt.Errorf("%w: field %q appears twice", ErrJSON, name)
		}
		key := foldName(name)
		if other, dup := folded[key]; dup {
			return nil, fmt.Errorf("%w: fields %q and %q differ only in case", ErrJSON, other, name)
		}
		folded[key] = name
		f[name] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, ErrJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrJSON // trailing data after the object
	}
	return f, nil
}

// foldName is a name under full simple case folding (the folding
// encoding/json applies when it matches names): every rune maps to the
// smallest rune of its folding orbit.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		b.WriteRune(m)
	}
	return b.String()
}

// EncryptParam encrypts plaintext in chunks of k-11 bytes with RSA PKCS#1
// v1.5 and returns standard padded base64 of the concatenated blocks.
func EncryptParam(pub *rsa.PublicKey, plaintext []byte) (string, error) {
	if pub == nil {
		return "", errors.New("encrypt param: no public key")
	}
	k := pub.Size()
	chunk := k - 11
	out := make([]byte, 0, (len(plaintext)/chunk+1)*k)
	// An empty plaintext still makes one block, so that it round-trips.
	for start := 0; start == 0 || start < len(plaintext); start += chunk {
		end := min(start+chunk, len(plaintext))
		//lint:ignore SA1019 the platform's protocol is PKCS#1 v1.5 (protocol.md); OAEP would not interoperate
		block, err := rsa.EncryptPKCS1v15(rand.Reader, pub, plaintext[start:end])
		if err != nil {
			return "", fmt.Errorf("encrypt param: %w", err)
		}
		out = append(out, block...)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// DecodeBase64 reads base64 as the platform may send it: standard alphabet,
// with line breaks, URL-escaped (%2B, %2F, %3D), a '+' turned into a space by
// form decoding, the URL-safe alphabet, or without padding.
func DecodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "%") {
		if u, err := url.QueryUnescape(strings.ReplaceAll(s, "+", "%2B")); err == nil {
			s = u
		}
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\t':
			return -1
		case ' ':
			return '+'
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	return base64.RawStdEncoding.DecodeString(s)
}

// DecryptParam reverses EncryptParam: base64, then k-byte blocks.
func DecryptParam(priv *rsa.PrivateKey, param string) ([]byte, error) {
	d, err := NewParamDecrypter(priv, param)
	if err != nil {
		return nil, err
	}
	for d.Step() {
	}
	return d.Plaintext()
}

// ParamDecrypter decrypts a param one RSA block at a time, so that a caller
// can bound and schedule the private-key work of a request it has not
// authenticated yet (one 2048-bit block is one private-key operation, about
// 1.5 ms). The base64 and the block structure are checked first, before any
// RSA work.
type ParamDecrypter struct {
	priv *rsa.PrivateKey
	data []byte
	k    int
	next int // offset of the next block
	out  []byte
	bad  int // first block whose padding failed, -1 none
}

// NewParamDecrypter decodes param's base64 and checks that it is a whole
// number of blocks of priv's size. Its errors wrap ErrDecrypt.
func NewParamDecrypter(priv *rsa.PrivateKey, param string) (*ParamDecrypter, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: no private key", ErrDecrypt)
	}
	data, err := DecodeBase64(param)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrDecrypt)
	}
	k := priv.Size()
	if len(data) == 0 || len(data)%k != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte blocks", ErrDecrypt, len(data), k)
	}
	return &ParamDecrypter{priv: priv, data: data, k: k, out: make([]byte, 0, len(data)/k*(k-11)), bad: -1}, nil
}

// Blocks is the number of RSA blocks of the param.
func (d *ParamDecrypter) Blocks() int { return len(d.data) / d.k }

// Done is the number of blocks decrypted so far.
func (d *ParamDecrypter) Done() int { return d.next / d.k }

// Step decrypts the next block and tells whether one was left to decrypt.
// Every block is decrypted even after one fails, so the time taken does
// not tell which block had valid padding.
func (d *ParamDecrypter) Step() bool {
	if d.next >= len(d.data) {
		return false
	}
	// A padding failure and a plaintext that is not JSON both end as
	// ErrDecrypt/ErrJSON, which the listener answers alike (1000), so the
	// answer is no padding oracle.
	//lint:ignore SA1019 the platform's protocol is PKCS#1 v1.5 (protocol.md); OAEP would not interoperate
	block, err := rsa.DecryptPKCS1v15(nil, d.priv, d.data[d.next:d.next+d.k])
	if err != nil && d.bad < 0 {
		d.bad = d.next / d.k
	}
	d.out = append(d.out, block...)
	d.next += d.k
	return true
}

// Plaintext is the decrypted param once every block is done; it wraps
// ErrDecrypt when a block's padding failed or blocks are left.
func (d *ParamDecrypter) Plaintext() ([]byte, error) {
	if d.next < len(d.data) {
		return nil, fmt.Errorf("%w: %d of %d blocks decrypted", ErrDecrypt, d.Done(), d.Blocks())
	}
	if d.bad >= 0 {
		return nil, fmt.Errorf("%w: block %d", ErrDecrypt, d.bad)
	}
	return d.out, nil
}
