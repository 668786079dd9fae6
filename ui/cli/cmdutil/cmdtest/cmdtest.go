// Package cmdtest runs one command of ui/cli in a test: on test streams,
// with a Factory that opens nothing until asked.
package cmdtest

import (
	"bytes"
	"testing"

	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/iostreams"
)

// Env is a Factory on test streams.
type Env struct {
	F           *cmdutil.Factory
	Out, ErrOut *bytes.Buffer
}

// New is a Factory on test streams; the store it opens is closed when the
// test ends.
func New(t testing.TB) *Env {
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.New(ios, "test")
	t.Cleanup(func() { _ = f.Close() })
	return &Env{F: f, Out: out, ErrOut: errOut}
}

// Run executes cmd with args (flags may stand anywhere) and returns its
// error.
func Run(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.Execute()
}
