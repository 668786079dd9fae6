// Package loadtest is `baohan loadtest`: signed callbacks at a listener,
// as many and as fast as asked (package listener/loadtest sends them).
package loadtest

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	lt "baohan/listener/loadtest"
	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/sandbox"
)

// LoadtestOptions are the flags of `loadtest`.
type LoadtestOptions struct {
	Config    func() (*platform.Config, error)
	DataDir   func() string // --data
	Print     cmdutil.PrintFunc
	Context   context.Context
	N, C      int
	URL, Kind string
	Throwaway bool
}

// NewCmdLoadtest is `baohan loadtest`.
func NewCmdLoadtest(f *cmdutil.Factory, runF func(*LoadtestOptions) error) *cobra.Command {
	opts := &LoadtestOptions{Config: f.Config, DataDir: func() string { return f.DataDir }, Print: f.Print}
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "以并发 C 向回调监听发送 N 个签名的回调（对沙箱或测试监听使用）",
		Long: "loadtest 以并发 C 向配置的回调监听发送 N 个签名的回调。它们和真的回调一样入库，\n" +
			"所以除非加 --throwaway，只接受 baohan sandbox 建的数据文件夹。",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return loadtestRun(opts)
		},
	}
	cmd.Flags().IntVarP(&opts.N, "n", "n", 1000, "回调个数")
	cmd.Flags().IntVarP(&opts.C, "concurrency", "c", 8, "并发发送数")
	cmd.Flags().StringVar(&opts.URL, "url", "", "回调监听的网址（默认 http://[listener] addr）")
	cmd.Flags().StringVar(&opts.Kind, "kind", "", "回调种类（见 listener/loadtest）")
	cmd.Flags().BoolVar(&opts.Throwaway, "throwaway", false, "数据文件夹是可丢弃的数据（不是 sandbox 建的），仍然发送")
	return cmd
}

func loadtestRun(opts *LoadtestOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	dir := cfg.DataDir(opts.DataDir())
	if !opts.Throwaway && !sandbox.IsData(dir) {
		return cli.UsageErr("数据文件夹 %s 不是 baohan sandbox 创建的：压力测试的回调会像真回调一样存入，只能对沙箱或临时数据使用（确属临时数据时加 --throwaway）", dir)
	}
	url := opts.URL
	if url == "" {
		url = "http://" + cfg.Listener.Addr
	}
	res, err := lt.Run(opts.Context, lt.Options{URL: url, N: opts.N, Concurrency: opts.C, APISecret: cfg.Platform.APISecret, PublicKey: cfg.PublicKey, Kind: opts.Kind})
	if err != nil {
		return err
	}
	return opts.Print(res, func(w io.Writer) {
		fmt.Fprintf(w, "%d 个回调，%d 个出错，每秒 %.0f 个；耗时 p50 %s，p90 %s，p99 %s，最长 %s\n", res.N, res.Errors, res.PerSecond, ms(res.P50), ms(res.P90), ms(res.P99), ms(res.Max))
	})
}

// ms is a latency in milliseconds, as the clerk reads it.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f 毫秒", float64(d)/float64(time.Millisecond))
}
