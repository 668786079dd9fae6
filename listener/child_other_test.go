//go:build !linux

package listener

import "os/exec"

// childCommand is exec.Command for a process the test starts; outside
// Linux, nothing ties its life to the test's.
func childCommand(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }
