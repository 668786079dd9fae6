package common

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"baohan/platform"
)

// ---- secrets ----

// secretKeys are masked wherever they appear in JSON shown on the desk.
var secretKeys = map[string]bool{"api_secret": true, "access_token": true, "apisecret": true, "accesstoken": true}

// Masked stands for a secret's value.
const Masked = "******"

// Secret tells whether a JSON key holds a secret (masked when shown).
func Secret(key string) bool { return secretKeys[strings.ToLower(key)] }

// tokenInText finds secrets inside text values, e.g. a file URL carrying
// ?access_token=... (manual 4.1).
var tokenInText = regexp.MustCompile(`(?i)((?:access_token|api_secret)=)[^&"'\s]+`)

func MaskText(s string) string { return tokenInText.ReplaceAllString(s, "${1}"+Masked) }

// What the detail renders of one JSON text is bounded (issue 24, item 5:
// an authentic plaintext nested 9,990 deep made the indentation allocate
// 1.37 GB): lines are indented for at most MaxPrettyIndent levels (deeper
// ones keep that indentation: everything is still shown, and masked), and
// at most MaxPrettyBytes are rendered, the rest cut with a note.
const (
	MaxPrettyIndent = 32
	MaxPrettyBytes  = 512 << 10
)

var errPrettyFull = errors.New("pretty JSON over MaxPrettyBytes")

// PrettyJSON indents JSON for reading, keeping the order of keys and the
// exact text of numbers, with api_secret and access_token masked at any
// depth (also inside URLs). Text that is not JSON is returned masked as is.
// Both are bounded as said above.
func PrettyJSON(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var b bytes.Buffer
	if err := prettyValue(dec, &b, 0, false); errors.Is(err, errPrettyFull) {
		return prettyCut(b.String(), len(raw))
	} else if err != nil {
		if len(raw) > MaxPrettyBytes {
			return prettyCut(MaskText(raw[:MaxPrettyBytes]), len(raw))
		}
		return MaskText(raw)
	}
	if dec.More() {
		return MaskText(raw)
	}
	return b.String()
}

// prettyCut is s cut at MaxPrettyBytes (on a character boundary) with a
// note of the whole size.
func prettyCut(s string, total int) string {
	if len(s) > MaxPrettyBytes {
		s = s[:MaxPrettyBytes]
	}
	s = strings.ToValidUTF8(s, "")
	return s + fmt.Sprintf("\n…（内容过长，仅显示前 %d KB，共 %d 字节）", MaxPrettyBytes>>10, total)
}

func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func prettyValue(dec *json.Decoder, b *bytes.Buffer, depth int, mask bool) error {
	if b.Len() > MaxPrettyBytes {
		return errPrettyFull
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	ind := func(d int) string { return strings.Repeat("  ", min(d, MaxPrettyIndent)) }
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			b.WriteString("{")
			first := true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if !first {
					b.WriteString(",")
				}
				first = false
				b.WriteString("\n" + ind(depth+1) + quoteJSON(k) + ": ")
				if err := prettyValue(dec, b, depth+1, mask || secretKeys[strings.ToLower(k)]); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if !first {
				b.WriteString("\n" + ind(depth))
			}
			b.WriteString("}")
		case '[':
			b.WriteString("[")
			first := true
			for dec.More() {
				if !first {
					b.WriteString(",")
				}
				first = false
				b.WriteString("\n" + ind(depth+1))
				if err := prettyValue(dec, b, depth+1, mask); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if !first {
				b.WriteString("\n" + ind(depth))
			}
			b.WriteString("]")
		}
	case string:
		if mask && t != "" {
			b.WriteString(quoteJSON(Masked))
		} else {
			b.WriteString(quoteJSON(MaskText(t)))
		}
	case json.Number:
		if mask {
			b.WriteString(quoteJSON(Masked))
		} else {
			b.WriteString(t.String())
		}
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	}
	return nil
}

// CodeMeaning is the manual's meaning of a coded field's value ("" when it
// has none): ktype 1 直开式, project_type construction 施工, a state.
func CodeMeaning(field, v string) string {
	switch field {
	case "ktype", "guarantee_type":
		if v == "1" {
			return "直开式"
		}
	case "project_type", "guarantee_item":
		if t := platform.ProjectTypeText(v); t != v {
			return t
		}
	case "guarantee_state":
		// 2.5's own code (platform.GuaranteeStateIssued), not a 5.4 state.
		if v == platform.GuaranteeStateIssued {
			return "已出函"
		}
		return platform.OrderStateText(v)
	case "order_status":
		return platform.OrderStateText(v)
	}
	return ""
}

// ProjectType is a project_type as the clerk reads it: 施工（construction）.
func ProjectType(code string) string {
	if t := CodeMeaning("project_type", code); t != "" {
		return t + "（" + code + "）"
	}
	return code
}
