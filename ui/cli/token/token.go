// Package token is `baohan token`: get or reuse the access token (1.1).
package token

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
)

// TokenOptions are what `token` needs.
type TokenOptions struct {
	Workflows func() (*platform.Workflows, error)
	Print     cmdutil.PrintFunc
	Now       func() time.Time
	Context   context.Context
}

// TokenJSON is the `--json` document.
type TokenJSON struct {
	ExpiredAt   int64  `json:"expired_at"`
	Expires     string `json:"expires"`
	SecondsLeft int64  `json:"seconds_left"`
}

// NewCmdToken is `baohan token`.
func NewCmdToken(f *cmdutil.Factory, runF func(*TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{Workflows: f.Workflows, Print: f.Print, Now: time.Now}
	return &cobra.Command{
		Use:   "token",
		Short: "获取或复用访问令牌；打印到期时间",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(opts)
		},
	}
}

func tokenRun(opts *TokenOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	_, exp, err := wf.Client.Token(opts.Context)
	if err != nil {
		return err
	}
	left := exp.Sub(opts.Now())
	at := exp.In(platform.CST).Format(platform.DateTimeLayout)
	return opts.Print(TokenJSON{ExpiredAt: exp.Unix(), Expires: at, SecondsLeft: int64(left.Seconds())}, func(w io.Writer) {
		fmt.Fprintf(w, "access_token 有效，至 %s（剩 %s）\n", at, platform.Span(left))
	})
}
