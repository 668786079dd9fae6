package platform

import (
	"path/filepath"
	"testing"
)

// TestUserDirs: the config and data folders on each system; the XDG
// variables win everywhere, and Linux keeps its old folders.
func TestUserDirs(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	j := filepath.Join
	for _, c := range []struct {
		goos         string
		getenv       func(string) string
		config, data string
	}{
		{"linux", env(), j("/home/c", ".config", "baohan"), j("/home/c", ".local", "share", "baohan")},
		{"linux", env("XDG_CONFIG_HOME", "/x/cfg", "XDG_DATA_HOME", "/x/data"), j("/x/cfg", "baohan"), j("/x/data", "baohan")},
		{"freebsd", env(), j("/home/c", ".config", "baohan"), j("/home/c", ".local", "share", "baohan")},
		{"windows", env("AppData", `C:\Users\c\AppData\Roaming`, "LocalAppData", `C:\Users\c\AppData\Local`),
			j(`C:\Users\c\AppData\Roaming`, "baohan"), j(`C:\Users\c\AppData\Local`, "baohan")},
		{"windows", env(), j("/home/c", "AppData", "Roaming", "baohan"), j("/home/c", "AppData", "Local", "baohan")},
		{"windows", env("AppData", "R", "XDG_DATA_HOME", "D"), j("R", "baohan"), j("D", "baohan")},
		{"darwin", env(), j("/home/c", "Library", "Application Support", "baohan"), j("/home/c", "Library", "Application Support", "baohan", "data")},
		{"darwin", env("XDG_CONFIG_HOME", "/x/cfg"), j("/x/cfg", "baohan"), j("/home/c", "Library", "Application Support", "baohan", "data")},
	} {
		config, data := UserDirs(c.goos, c.getenv, "/home/c")
		if config != c.config || data != c.data {
			t.Errorf("%s: %q %q, want %q %q", c.goos, config, data, c.config, c.data)
		}
	}
	t.Setenv("BAOHAN_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/x/cfg")
	t.Setenv("XDG_DATA_HOME", "/x/data")
	if p := DefaultConfigPath(); p != j("/x/cfg", "baohan", "config.toml") {
		t.Errorf("DefaultConfigPath %s", p)
	}
	if d := DefaultDataDir(); d != j("/x/data", "baohan") {
		t.Errorf("DefaultDataDir %s", d)
	}
	t.Setenv("BAOHAN_CONFIG", "/etc/b.toml")
	if p := DefaultConfigPath(); p != "/etc/b.toml" {
		t.Errorf("with BAOHAN_CONFIG: %s", p)
	}
}
