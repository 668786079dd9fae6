//go:build !unix

package listener

// descriptorLimit: no per-process descriptor limit to read (Windows has
// none for sockets that matters here): MaxConns applies.
func descriptorLimit() uint64 { return 0 }
