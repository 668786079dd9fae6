// Package cli holds what every command of the baohan binary shares: the
// clerk's wording of errors, the JSON error document and the translation
// of the flag library's usage messages (shared/interface.md, exit status).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"unicode"

	"baohan/platform"
)

// Message is err as one Chinese sentence for the clerk. Errors of the
// project's own types already read so; the rest (file system, network,
// deadlines) are named by what went wrong and where, never by the Go or
// library text. With $BAOHAN_DEBUG set, the raw text follows in brackets.
func Message(err error) string {
	msg := message(err)
	if os.Getenv("BAOHAN_DEBUG") != "" && msg != err.Error() {
		msg += "（调试：" + err.Error() + "）"
	}
	return msg
}

func message(err error) string {
	var ie *platform.InputError
	var ce *platform.ConfigError
	var pe *platform.Error
	var ue *url.Error
	var fe *fs.PathError
	var ne *net.OpError
	var le *linkErr
	var te *platform.TransportError
	switch {
	case errors.As(err, &ce), errors.As(err, &pe):
		return err.Error()
	case errors.As(err, &ie):
		if ie.Hint != "" {
			return ie.Msg + "（" + ie.Hint + "）"
		}
		return ie.Msg
	case errors.As(err, &te):
		what := platform.MethodTitle(te.Method)
		if what == "" {
			what = te.Method
		}
		if te.Sent && te.Method != platform.MethodGetAccessToken {
			return fmt.Sprintf("%s 已发给平台，但没有收到答复（%s），结果未知：稍后运行 baohan reconcile 核对", what, netProblem(te.Err))
		}
		if te.Sent {
			return fmt.Sprintf("%s 没有收到平台的答复（%s），请检查网络和配置中的 platform.base_url", what, netProblem(te.Err))
		}
		return fmt.Sprintf("%s 没能发给平台（%s），请检查网络和配置中的 platform.base_url", what, netProblem(te.Err))
	case errors.Is(err, context.DeadlineExceeded):
		if errors.As(err, &ue) {
			return fmt.Sprintf("%s 在规定时间内没有回答（网络慢或对方故障），请稍后再试", hostOf(ue.URL))
		}
		return "操作在规定时间内没有完成（网络慢或对方故障），请稍后再试"
	case errors.Is(err, context.Canceled):
		return "操作已中断"
	case errors.As(err, &ue):
		return fmt.Sprintf("无法连接 %s（%s），请检查网络和配置中的网址", hostOf(ue.URL), netProblem(ue.Err))
	case errors.As(err, &ne):
		return fmt.Sprintf("网络连接失败（%s）", netProblem(ne))
	case errors.As(err, &le):
		return fmt.Sprintf("无法写入 %s（%s）", le.New, platform.FileProblem(le.Err))
	case errors.As(err, &fe):
		return fmt.Sprintf("无法读写 %s（%s）", fe.Path, platform.FileProblem(fe.Err))
	}
	if s := err.Error(); hasHan(s) {
		return s
	}
	return "操作未完成：出现内部错误（设置环境变量 BAOHAN_DEBUG=1 再运行可看到原因）"
}

type linkErr = os.LinkError

func netProblem(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return "域名无法解析"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "连接被拒绝，对方没有在该端口服务"
	case errors.Is(err, syscall.ECONNRESET):
		return "连接被对方断开"
	case errors.Is(err, syscall.EADDRINUSE):
		return "端口已被占用"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "本机没有这个地址"
	case errors.Is(err, syscall.EACCES):
		return "没有权限使用该端口"
	case strings.Contains(err.Error(), "certificate"), strings.Contains(err.Error(), "tls"):
		return "HTTPS 证书无效或握手失败"
	case errors.Is(err, context.DeadlineExceeded):
		return "超时"
	}
	var to interface{ Timeout() bool }
	if errors.As(err, &to) && to.Timeout() {
		return "超时"
	}
	return "网络出错"
}

// NetProblem is netProblem for other packages (doctor).
func NetProblem(err error) string { return netProblem(err) }

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return "对方"
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// ErrorDocument is the one JSON document --json prints on failure
// (interface.md): {"error": {"exit": 2, "message": "...", "status": 1101}}.
type ErrorDocument struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the document's one object: the exit status, the clerk's
// sentence and, when the platform answered, its status code.
type ErrorBody struct {
	Exit    int    `json:"exit"`
	Message string `json:"message"`
	Status  int    `json:"status,omitempty"`
}

// NewErrorDocument is the document for err ending the command with exit.
func NewErrorDocument(exit int, err error) ErrorDocument {
	e := ErrorBody{Exit: exit, Message: Message(err)}
	var pe *platform.Error
	if errors.As(err, &pe) {
		e.Status = pe.Status
	}
	return ErrorDocument{Error: e}
}

var (
	reUnknownFlag  = regexp.MustCompile(`^unknown (?:shorthand )?flag: (?:'(.)' in )?(\S+)`)
	reNeedsArg     = regexp.MustCompile(`^flag needs an argument: (?:'(.)' in )?(\S+)`)
	reInvalidArg   = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-., )?(--\S+)" flag`)
	reUnknownCmd   = regexp.MustCompile(`^unknown command "(.*)" for "(.*)"`)
	reAcceptsN     = regexp.MustCompile(`accepts (\d+) arg\(s\), received (\d+)`)
	reAtLeastN     = regexp.MustCompile(`requires at least (\d+) arg\(s\), only received (\d+)`)
	reBadSyntax    = regexp.MustCompile(`^bad flag syntax: (\S+)`)
	reNoArgsCalled = regexp.MustCompile(`^unknown command "(.*)" for`)
)

// FlagError words a flag parsing error of cobra/pflag for the clerk.
func FlagError(cmdPath string, err error) string {
	s := err.Error()
	if m := reUnknownFlag.FindStringSubmatch(s); m != nil {
		f := m[2]
		if m[1] != "" {
			f = "-" + m[1]
		}
		return fmt.Sprintf("%s 没有选项 %s（运行 %s --help 查看可用选项）", cmdPath, f, cmdPath)
	}
	if m := reNeedsArg.FindStringSubmatch(s); m != nil {
		f := m[2]
		if m[1] != "" {
			f = "-" + m[1]
		}
		return fmt.Sprintf("%s 的选项 %s 后面缺少取值", cmdPath, f)
	}
	if m := reInvalidArg.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s 的选项 %s 的取值 %q 格式不对（运行 %s --help 查看）", cmdPath, m[2], m[1], cmdPath)
	}
	if m := reBadSyntax.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s 不是有效的选项写法（选项写作 --名称 或 --名称=取值）", m[1])
	}
	return fmt.Sprintf("%s 的选项写法不对（运行 %s --help 查看）", cmdPath, cmdPath)
}

// ArgsError words a positional-argument error of cobra for the clerk;
// use is the command's usage line ("status ORDER_NO STATUS").
func ArgsError(cmdPath, use string, hasSub bool, subs string, err error) string {
	s := err.Error()
	if m := reUnknownCmd.FindStringSubmatch(s); m != nil && !hasSub {
		return fmt.Sprintf("%s 不接受参数（多出 %s）", cmdPath, m[1])
	}
	if m := reUnknownCmd.FindStringSubmatch(s); m != nil || hasSub {
		name := ""
		if m != nil {
			name = m[1]
		} else if m := reNoArgsCalled.FindStringSubmatch(s); m != nil {
			name = m[1]
		}
		if name == "" {
			return fmt.Sprintf("%s 后面要跟子命令：%s", cmdPath, subs)
		}
		if subs != "" && strings.Contains(cmdPath, " ") {
			return fmt.Sprintf("%s 没有子命令 %s（可用：%s）", cmdPath, name, subs)
		}
		return fmt.Sprintf("未知命令 %s（运行 %s --help 查看全部命令）", name, cmdPath)
	}
	want := strings.Join(strings.Fields(use)[1:], " ")
	if m := reAcceptsN.FindStringSubmatch(s); m != nil {
		if m[1] == "0" {
			return fmt.Sprintf("%s 不接受参数（多出 %s 个）", cmdPath, m[2])
		}
		return fmt.Sprintf("%s 需要 %s 个参数（%s），收到 %s 个", cmdPath, m[1], want, m[2])
	}
	if m := reAtLeastN.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s 至少需要 %s 个参数（%s），收到 %s 个", cmdPath, m[1], want, m[2])
	}
	return fmt.Sprintf("%s 的参数不对（%s）", cmdPath, want)
}
