// Package iostreams is where a command reads and writes: the process's
// stdin, stdout and stderr, or buffers in tests (after cli/cli's
// pkg/iostreams).
package iostreams

import (
	"bytes"
	"io"
	"os"
)

// IOStreams are the three streams of a command.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY bool
}

// System is the process's own streams, writing to stdout and stderr.
func System(stdout, stderr io.Writer) *IOStreams {
	return &IOStreams{In: os.Stdin, Out: stdout, ErrOut: stderr, stdinTTY: isTerminal(os.Stdin)}
}

// Test returns streams on buffers, for tests: stdin is empty and no
// terminal.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY tells whether stdin is a terminal (a form may be shown).
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// SetStdinTTY overrides the terminal test (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
