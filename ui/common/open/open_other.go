//go:build !unix && !windows

package open

// systemOpen: no viewer on this system.
func systemOpen(string) error { return ErrNoViewer }
