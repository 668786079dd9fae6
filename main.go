// Command baohan is the desk of a guarantee firm (担保公司) on the Fuzhou
// construction e-guarantee platform (福州市建设工程电子保函服务平台): a terminal
// desk with the callback listener inside it, and the same actions as
// commands for scripts. shared/interface.md is the promise it keeps.
//
// This file is only the wiring: signals, the factory, the root command.
// The commands are under ui/cli/<noun>/<verb>.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/iostreams"
	"baohan/ui/cli/root"
)

// version and commit are set at build time (.ci/release) with
// -ldflags "-X main.version=... -X main.commit=...".
var version, commit = "0.1.0-dev", ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one command line and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := cmdutil.New(iostreams.System(stdout, stderr), versionLine(version, commit, buildRevision()))
	return root.Execute(ctx, f, root.NewCmdRoot(f), args)
}
