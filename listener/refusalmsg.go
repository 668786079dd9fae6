package listener

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Refusal messages (issue 24, item 8). The msg of a refusal goes to the
// platform and is shown to whoever reads its log: it is Chinese text of
// our own, with at most the sender's own values quoted (shortened). A Go
// error never goes into it (it is logged instead): bodyErrText and
// jsonErrText give the text for the errors a refusal has to explain, and
// refusalMsg is the last guard on every refusal written: it masks network
// addresses and local paths, whatever put them there, and bounds the
// length.

// maxRefusalMsg bounds a refusal's msg, in characters.
const maxRefusalMsg = 200

var (
	// An IPv4 address (with a port or not), or a bracketed IPv6 one, as
	// Go's net errors write them.
	addrRE = regexp.MustCompile(`\[[0-9A-Fa-f:.%a-z]+\](:[0-9]{1,5})?|\b[0-9]{1,3}(\.[0-9]{1,3}){3}(:[0-9]{1,5})?\b`)
	// A local path of three levels or more (a callback path such as
	// /callbacks/claim is not one).
	pathRE = regexp.MustCompile(`(?:[A-Za-z]:\\|/)(?:[^\s/\\：（）]+[/\\]){2,}[^\s/\\：（）]*`)
)

// refusalMsg is msg as it may be answered.
func refusalMsg(msg string) string {
	msg = shorten(msg, maxRefusalMsg)
	msg = addrRE.ReplaceAllString(msg, "（地址）")
	msg = pathRE.ReplaceAllString(msg, "（路径）")
	return strings.ToValidUTF8(msg, "?")
}

// jsonErrText is the text for a JSON decoding error: where, not Go's
// words. The error goes to the log (c.logReason).
func jsonErrText(c *call, err error) string {
	c.logReason = err.Error()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("第 %d 字节处不是有效的 JSON", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("字段 %s 的类型不符", shorten(te.Field, 40))
		}
		return "类型不符"
	}
	return "格式错误"
}
