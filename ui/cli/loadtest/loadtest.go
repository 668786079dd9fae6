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
		Short: "send N signed callbacks at concurrency C to a listener (use against a sandbox or test listener)",
		Long: "loadtest sends N signed callbacks at concurrency C to the configured listener. They are stored\n" +
			"like real ones, so it refuses a data folder that `baohan sandbox` did not create, unless --throwaway.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return loadtestRun(opts)
		},
	}
	cmd.Flags().IntVarP(&opts.N, "n", "n", 1000, "number of callbacks")
	cmd.Flags().IntVarP(&opts.C, "concurrency", "c", 8, "concurrent senders")
	cmd.Flags().StringVar(&opts.URL, "url", "", "listener base URL (default http://[listener] addr)")
	cmd.Flags().StringVar(&opts.Kind, "kind", "", "callback kind (see listener/loadtest)")
	cmd.Flags().BoolVar(&opts.Throwaway, "throwaway", false, "the data folder is throw-away data not made by sandbox; load it anyway")
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
