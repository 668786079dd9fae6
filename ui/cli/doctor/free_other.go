//go:build !unix

package doctor

// freeSpace is unknown on this system.
func freeSpace(string) (uint64, bool) { return 0, false }
