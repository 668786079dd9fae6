package main

import "runtime/debug"

// versionLine is what `baohan --version` prints after "baohan version ":
// the version and the commit it was built from, stamped by -ldflags, else
// the revision the Go toolchain recorded (go build in a git checkout),
// else the version alone.
func versionLine(version, commit, revision string) string {
	if commit == "" {
		commit = revision
	}
	if commit == "" {
		return version
	}
	return version + " (commit " + commit + ")"
}

// buildRevision is the VCS revision in the binary's build information,
// shortened, with "-dirty" for a tree with changes; "" when absent.
func buildRevision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && dirty {
		rev += "-dirty"
	}
	return rev
}
