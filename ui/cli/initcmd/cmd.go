package initcmd

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/iostreams"
)

// InitOptions are what `init` needs: the answers given as flags, and
// whether to show the form.
type InitOptions struct {
	IO         *iostreams.IOStreams
	Print      cmdutil.PrintFunc
	ConfigFile func() string
	Getenv     func(string) string
	Now        func() time.Time
	Context    context.Context
	Values     Values
	Yes, Force bool
}

// NewCmdInit is `baohan init`.
func NewCmdInit(f *cmdutil.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IOStreams, Print: f.Print, ConfigFile: f.ConfigFile, Getenv: os.Getenv, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "首次设置：按平台的开户邮件生成配置文件和密钥文件（权限 0600）",
		Long: "首次设置：填写平台账号邮件中的信息（环境、api_key、api_secret、btc_id、三把密钥），保证人全称、\n" +
			"监听地址和隧道的公网地址；检查 rsa_pk 与 rsa_sk 是一对，写入配置文件和密钥文件（权限 0600），\n" +
			"并列出要提供给平台的 7 个回调地址。在终端中运行时显示表单；加 --yes（或不在终端中）时只用选项。\n" +
			"密钥可粘贴邮件中的 base64 文本，或给出 PEM 文件路径。已有文件不覆盖，除非加 --force。",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	v := &opts.Values
	fl := cmd.Flags()
	fl.StringVar(&v.Env, "env", "", "环境：test（测试）或 production（正式）")
	fl.StringVar(&v.BaseURL, "base-url", "", "平台接口网址，代替 --env 给出的（沙箱、代理）")
	fl.StringVar(&v.APIKey, "api-key", "", "开户邮件中的 api_key")
	fl.StringVar(&v.APISecret, "api-secret", "", "开户邮件中的 api_secret（或用 $BAOHAN_API_SECRET）")
	fl.StringVar(&v.BtcID, "btc-id", "", "开户邮件中的 btc_id")
	fl.StringVar(&v.PlatformKey, "platform-key", "", "api_rsa_pk：base64 文本或 PEM 文件")
	fl.StringVar(&v.PublicKey, "public-key", "", "rsa_pk：base64 文本或 PEM 文件")
	fl.StringVar(&v.PrivateKey, "private-key", "", "rsa_sk：base64 文本或 PEM 文件")
	fl.StringVar(&v.Guarantor, "guarantor", "", "保证人全称（出函的担保公司）")
	fl.StringVar(&v.Addr, "addr", "", "回调监听地址（默认 "+platform.DefaultListenerAddr+"）")
	fl.StringVar(&v.PublicURL, "public-url", "", "隧道的公网地址")
	fl.BoolVar(&opts.Yes, "yes", false, "不显示表单：全部按选项填写")
	fl.BoolVar(&opts.Force, "force", false, "覆盖已有的配置文件和密钥文件")
	return cmd
}

func initRun(opts *InitOptions) error {
	path := opts.ConfigFile()
	if !opts.Force {
		if _, err := os.Lstat(path); err == nil {
			return cli.UsageErr("配置文件 %s 已存在，不覆盖（确需重写时加 --force，或用 --config 指定新位置）", path)
		}
	}
	v := opts.Values
	if v.APISecret == "" {
		v.APISecret = opts.Getenv("BAOHAN_API_SECRET")
	}
	keyDir := cmdutil.WorkingDir()
	var keys *Keys
	var err error
	if !opts.Yes && opts.IO.IsStdinTTY() {
		v, keys, err = RunForm(opts.Context, v, keyDir, opts.IO.In, opts.IO.ErrOut)
		if err != nil {
			return cli.UsageErr("%s", err.Error())
		}
	} else {
		v.Defaults()
		if keys, err = v.Check(keyDir); err != nil {
			return cli.UsageErr("%s", err.Error())
		}
	}
	res, err := Write(path, v, keys, opts.Force, opts.Now())
	if err != nil {
		return cli.UsageErr("%s", strings.TrimSuffix(err.Error(), ": "+ErrExists.Error()))
	}
	return opts.Print(res, res.WriteText)
}
