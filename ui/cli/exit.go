package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"baohan/platform"
)

// Exit codes of shared/interface.md.
const (
	ExitOK    = 0
	ExitNo    = 1 // the platform or the check said no
	ExitUsage = 2 // usage, configuration or local input error
)

// ExitError carries an exit code with its message.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// UsageErr is a usage, configuration or local input error (exit 2).
func UsageErr(format string, a ...any) error {
	return &ExitError{ExitUsage, fmt.Errorf(format, a...)}
}

// CheckFailed is a check that said no (exit 1).
func CheckFailed(format string, a ...any) error {
	return &ExitError{ExitNo, fmt.Errorf(format, a...)}
}

// ExitCode maps an error to the interface's exit status.
func ExitCode(err error) int {
	var ee *ExitError
	var ce *platform.ConfigError
	var pe *platform.Error
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &ce), platform.IsInputError(err):
		return ExitUsage
	case errors.As(err, &pe):
		return ExitNo // the platform said no
	case errors.As(err, &pathErr), errors.As(err, &linkErr):
		return ExitUsage // a local file or folder (interface.md: local input)
	}
	return ExitNo
}
