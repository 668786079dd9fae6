// Package issue is `baohan guarantee issue` (签发, shared/interface.md):
// the guarantee letter from the platform's 签署文件 or the firm's template
// filled from the order, signed with the firm's certificate, checked like
// any push, written to --out and, with --push, pushed (2.5).
package issue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"baohan/pdfsign"
	sign "baohan/pdfsign/issue"
	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/verify"
)

// IssueOptions are what `guarantee issue` needs: its dependencies as
// functions, then the flags.
type IssueOptions struct {
	Workflows func() (*platform.Workflows, error)
	Print     cmdutil.PrintFunc
	JSON      func() bool
	ErrOut    io.Writer
	// Stdin is where the certificate's password is read from when it is a
	// terminal (no echo).
	Stdin *os.File
	// Getenv reads $BAOHAN_CERT_PASSWORD.
	Getenv  func(string) string
	Context context.Context

	OrderNo     string
	GuaranteeNo string
	SignFile    string
	Template    string
	CertFile    string
	SealFile    string
	TSA         string
	Out         string
	Force       bool // --force: replace an existing --out
	Push        bool
	OutTime     string
	TransNo     string
}

// PasswordEnv is the environment variable scripts give the password in.
const PasswordEnv = "BAOHAN_CERT_PASSWORD"

// NewCmdIssue is `baohan guarantee issue`.
func NewCmdIssue(f *cmdutil.Factory, runF func(*IssueOptions) error) *cobra.Command {
	o := &IssueOptions{
		Workflows: f.Workflows, Print: f.Print, JSON: func() bool { return f.JSON },
		ErrOut: f.IOStreams.ErrOut, Stdin: os.Stdin, Getenv: os.Getenv,
	}
	cmd := &cobra.Command{
		Use:   "issue ORDER_NO --no GUARANTEE_NO (--sign-file FILE_ID | --template FILE) --cert FILE.p12 --out FILE",
		Short: "签发：签署电子保函（平台的签署文件，或按订单填写的本公司模板），检查，加 --push 时推送（2.5）",
		Long: "签发电子保函：保函来源为平台的签署文件（--sign-file，按 4.1 获取新的下载地址）或本公司的 PDF 表单模板\n" +
			"（--template，按订单填写保函编号、受益人、被保证人、项目/标段名称、担保金额及大写、担保期间、出函日期，\n" +
			"填写后字段锁定）；用本公司的 PKCS#12 证书（.p12/.pfx，RSA 或 SM2）签名，可加印章图片（--seal）和\n" +
			"时间戳（--tsa）；签名后按推送的标准检查，写入 --out；加 --push 即推送（2.5）。证书密码在终端输入，\n" +
			"脚本可用环境变量 " + PasswordEnv + "；密码不保存。",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Context, o.OrderNo = cmd.Context(), args[0]
			if runF != nil {
				return runF(o)
			}
			return issueRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.GuaranteeNo, "no", "", "保函编号 guarantee_no")
	fl.StringVar(&o.SignFile, "sign-file", "", "订单签署文件（guarantee_sign_files）的 file_id")
	fl.StringVar(&o.Template, "template", "", "本公司的 PDF 表单模板")
	fl.StringVar(&o.CertFile, "cert", "", "本公司的证书，PKCS#12（.p12/.pfx）")
	fl.StringVar(&o.SealFile, "seal", "", "印章图片（PNG 或 JPEG），盖在保函末页")
	fl.StringVar(&o.TSA, "tsa", "", "RFC 3161 时间戳服务（TSA）的网址")
	fl.StringVar(&o.Out, "out", "", "签好的保函写到哪里（已存在时不覆盖，除非 --force）")
	fl.BoolVar(&o.Force, "force", false, "覆盖已有的 --out 文件")
	fl.BoolVar(&o.Push, "push", false, "检查通过后推送保函（guarantor_push_guarantee，2.5）")
	fl.StringVar(&o.OutTime, "out-time", "", "与 --push 一起：出函时间 out_guarantee_time，格式 \"YYYY-MM-DD HH:MM:SS\"（默认现在，北京时间）")
	fl.StringVar(&o.TransNo, "trans-no", "", "与 --push 一起：传输流水号 trans_no")
	return cmd
}

func usage(hint, format string, a ...any) error {
	return &platform.InputError{Msg: fmt.Sprintf(format, a...), Hint: hint}
}

func issueRun(o *IssueOptions) error {
	ctx := o.Context
	switch {
	case o.GuaranteeNo == "":
		return usage("--no", "缺少保函编号")
	case o.SignFile == "" && o.Template == "":
		return usage("--sign-file 或 --template", "请指定保函来源：平台的签署文件（--sign-file FILE_ID）或本公司的模板（--template FILE）")
	case o.SignFile != "" && o.Template != "":
		return usage("--sign-file 或 --template", "--sign-file 与 --template 只能选一个")
	case o.CertFile == "":
		return usage("--cert", "缺少签名证书（--cert FILE.p12）")
	case o.Out == "":
		return usage("--out", "缺少输出文件（--out FILE）")
	}
	if err := cli.CheckOutput(o.Out, o.Force); err != nil {
		return err
	}
	wf, err := o.Workflows()
	if err != nil {
		return err
	}
	// The facts first, so that the clerk reads them before the password.
	if o.Template != "" {
		l, warns, err := wf.LetterFor(ctx, o.OrderNo, o.GuaranteeNo)
		if err != nil {
			return err
		}
		if !o.JSON() {
			fmt.Fprintf(o.ErrOut, "保函内容（订单 %s）：\n", o.OrderNo)
			for _, v := range l.Values() {
				if v.Value != "" {
					fmt.Fprintf(o.ErrOut, "  %s：%s\n", v.Label, v.Value)
				}
			}
		}
		for _, w := range warns {
			fmt.Fprintf(o.ErrOut, "baohan: 注意：%s\n", w)
		}
	}
	p12, err := platform.ReadLimited(o.CertFile, sign.MaxPKCS12)
	if err != nil {
		return usage("--cert", "无法读取证书 %s：%v", o.CertFile, err)
	}
	var seal []byte
	if o.SealFile != "" {
		if seal, err = platform.ReadLimited(o.SealFile, sign.MaxSealImage); err != nil {
			return usage("--seal", "无法读取印章图片 %s：%v", o.SealFile, err)
		}
	}
	password, err := readPassword(o)
	if err != nil {
		return err
	}
	cert, err := sign.LoadPKCS12(p12, password)
	if errors.Is(err, sign.ErrPassword) {
		return usage("--cert", "证书 %s 的密码不正确", o.CertFile)
	}
	if err != nil {
		return usage("--cert", "证书 %s：%v", o.CertFile, err)
	}
	letter, err := wf.IssueLetter(ctx, platform.IssueInput{
		OrderNo: o.OrderNo, GuaranteeNo: o.GuaranteeNo, SignFileID: o.SignFile, Template: o.Template,
		Cert: cert, Seal: seal, TSAURL: o.TSA,
	})
	if err != nil {
		if letter != nil && letter.Report != nil && !o.JSON() {
			_ = pdfsign.WriteText(o.ErrOut, letter.Report)
		}
		return err
	}
	for _, w := range letter.Warnings {
		fmt.Fprintf(o.ErrOut, "baohan: 注意：%s\n", w)
	}
	if err := writeNew(o.Out, letter.PDF, o.Force); err != nil {
		return err
	}
	out := IssueJSON{
		OrderNo: o.OrderNo, GuaranteeNo: o.GuaranteeNo, Source: letter.Source, Out: o.Out,
		SHA256: letter.SHA256, Size: len(letter.PDF), Signer: cert.Leaf.Subject.CommonName,
		Algorithm: cert.Algorithm(), Timestamped: o.TSA != "", Check: verify.NewDocument(letter.Report), Fields: letter.Values,
	}
	var pushed *platform.Result
	if o.Push {
		p, err := wf.PlanPush(ctx, platform.PushInput{OrderNo: o.OrderNo, GuaranteeNo: o.GuaranteeNo, PDFPath: o.Out, OutTime: o.OutTime, TransNo: o.TransNo})
		if err != nil {
			return fmt.Errorf("保函已签发并写入 %s，但推送前的检查未通过：%w", o.Out, err)
		}
		for _, w := range p.Warnings {
			fmt.Fprintf(o.ErrOut, "baohan: 注意：%s\n", w)
		}
		if pushed, err = wf.Execute(ctx, p); err != nil {
			return fmt.Errorf("保函已签发并写入 %s，推送失败：%w", o.Out, err)
		}
		out.Push = &PushJSON{Status: platform.StatusOK, SerialNum: string(pushed.SerialNum), Summary: pushed.Summary, Reconciled: pushed.Reconciled}
	}
	return o.Print(out, func(w io.Writer) {
		fmt.Fprintf(w, "已签发电子保函 %s（订单 %s），来源：%s\n", o.GuaranteeNo, o.OrderNo, letter.Source)
		fmt.Fprintf(w, "签名：%s（%s）", cert.Leaf.Subject.CommonName, cert.Algorithm())
		if o.TSA != "" {
			fmt.Fprint(w, "，带时间戳")
		}
		fmt.Fprintln(w)
		_ = pdfsign.WriteText(w, letter.Report)
		fmt.Fprintf(w, "已写入 %s（%d 字节，SHA-256 %s）\n", o.Out, len(letter.PDF), letter.SHA256)
		if pushed != nil {
			fmt.Fprintln(w, pushed.Summary)
		}
	})
}

// IssueJSON is the --json document of a letter issued (and pushed).
type IssueJSON struct {
	OrderNo     string            `json:"order_no"`
	GuaranteeNo string            `json:"guarantee_no"`
	Source      string            `json:"source"`
	Out         string            `json:"out"`
	SHA256      string            `json:"sha256"`
	Size        int               `json:"size"`
	Signer      string            `json:"signer"`
	Algorithm   string            `json:"algorithm"`
	Timestamped bool              `json:"timestamped"`
	Check       verify.Document   `json:"check"` // as verify --json gives it
	Fields      []sign.FieldValue `json:"fields,omitempty"`
	Push        *PushJSON         `json:"push,omitempty"`
}

// PushJSON is the push (2.5) that followed, with --push.
type PushJSON struct {
	Status     int    `json:"status"`
	SerialNum  string `json:"serial_num"`
	Summary    string `json:"summary"`
	Reconciled bool   `json:"reconciled"`
}

// readPassword takes $BAOHAN_CERT_PASSWORD, else asks on the terminal
// without echo. A run without a terminal and without the variable is a
// usage error: the password is never read from a pipe or a flag (it would
// stay in the shell history and the process list).
func readPassword(o *IssueOptions) (string, error) {
	if p := o.Getenv(PasswordEnv); p != "" {
		return p, nil
	}
	in := o.Stdin
	if in == nil || !term.IsTerminal(in.Fd()) {
		return "", usage(PasswordEnv, "需要证书 %s 的密码：请在终端中运行，或设置环境变量 %s", o.CertFile, PasswordEnv)
	}
	fmt.Fprintf(o.ErrOut, "证书 %s 的密码：", o.CertFile)
	b, err := term.ReadPassword(in.Fd())
	fmt.Fprintln(o.ErrOut)
	if err != nil {
		return "", usage(PasswordEnv, "未能读取证书密码")
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// writeNew writes the letter (cli.WriteOutput: never over an existing file
// unless force), synced before it is reported written.
func writeNew(path string, b []byte, force bool) error {
	return cli.WriteOutput(path, 0o644, force, func(tmp string) error {
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
		if err != nil {
			return usage("--out", "无法写入 %s（%s）", path, platform.FileProblem(err))
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return fmt.Errorf("写入 %s 失败", path)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("写入 %s 失败", path)
		}
		return f.Close()
	})
}
