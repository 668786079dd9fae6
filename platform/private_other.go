//go:build !windows

package platform

import (
	"fmt"
	"os"
)

// OthersCanRead tells whether users other than the owner may read path
// (a config holding api_secret, a private key), and how it is set.
func OthersCanRead(path string) (open bool, how string) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, ""
	}
	p := fi.Mode().Perm()
	return p&0o077 != 0, fmt.Sprintf("权限 %o", p)
}

// PrivateFix is the one command that makes path readable by its owner only.
func PrivateFix(path string) string { return "chmod 600 " + path }
