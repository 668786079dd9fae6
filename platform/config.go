package platform

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the TOML configuration of shared/interface.md.
type Config struct {
	Platform  PlatformConfig  `toml:"platform"`
	Listener  ListenerConfig  `toml:"listener"`
	Guarantor GuarantorConfig `toml:"guarantor"`
	Apply     ApplyAnswer     `toml:"apply"`
	Store     StoreConfig     `toml:"store"`
	PDF       PDFConfig       `toml:"pdf"`

	// Path is the file the config was read from ("" when none).
	Path string `toml:"-"`
	// Keys, loaded by LoadKeys.
	PlatformPublicKey *rsa.PublicKey  `toml:"-"` // api_rsa_pk: encrypts get_access_token
	PublicKey         *rsa.PublicKey  `toml:"-"` // rsa_pk: encrypts business calls
	PrivateKey        *rsa.PrivateKey `toml:"-"` // rsa_sk: decrypts callbacks
	// Warnings found while loading (e.g. a private key readable by others).
	Warnings []string `toml:"-"`
}

// PlatformConfig is [platform].
type PlatformConfig struct {
	BaseURL           string   `toml:"base_url"`
	APIKey            string   `toml:"api_key"`
	APISecret         string   `toml:"api_secret"`
	BtcID             int64    `toml:"btc_id"`
	PlatformPublicKey string   `toml:"platform_public_key"`
	PublicKey         string   `toml:"public_key"`
	PrivateKey        string   `toml:"private_key"`
	Timeout           Duration `toml:"timeout"`
}

// ListenerConfig is [listener].
type ListenerConfig struct {
	Addr      string `toml:"addr"`
	PublicURL string `toml:"public_url"`
	// AllowFrom, when set, lists the source addresses or CIDR ranges allowed
	// to reach the callbacks; TrustedProxy names the tunnel's address whose
	// X-Forwarded-For is believed.
	AllowFrom    []string `toml:"allow_from"`
	TrustedProxy []string `toml:"trusted_proxy"`
}

// GuarantorConfig is [guarantor].
type GuarantorConfig struct {
	Name string `toml:"name"` // 保证人(出函担保公司)
}

// StoreConfig is [store].
type StoreConfig struct {
	Dir string `toml:"dir"`
}

// PDFConfig is [pdf]: revocation checking of signer certificates goes to
// the network, so it is off unless switched on.
type PDFConfig struct {
	RevocationCheck bool     `toml:"revocation_check"`
	Timeout         Duration `toml:"timeout"`
	TrustedCertDir  string   `toml:"trusted_cert_dir"`
}

// Duration reads "30s" style durations from TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"30s\"", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Defaults of the config.
const (
	DefaultBaseURL      = "https://ebg.conzhu.net/api/guarantor/v1/"
	DefaultListenerAddr = "127.0.0.1:8720"
	DefaultTimeout      = 30 * time.Second
)

// ConfigError names the file and the key that is wrong.
type ConfigError struct {
	File string
	Key  string
	Err  error
}

func (e *ConfigError) Error() string {
	file := e.File
	if file == "" {
		file = "(no config file)"
	}
	if e.Key == "" {
		return fmt.Sprintf("config %s: %v", file, e.Err)
	}
	return fmt.Sprintf("config %s: %s: %v", file, e.Key, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// DefaultConfigPath is $BAOHAN_CONFIG, else $XDG_CONFIG_HOME/baohan/config.toml.
func DefaultConfigPath() string {
	if p := os.Getenv("BAOHAN_CONFIG"); p != "" {
		return p
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".config")
		}
	}
	return filepath.Join(dir, "baohan", "config.toml")
}

// DefaultDataDir is $XDG_DATA_HOME/baohan.
func DefaultDataDir() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		}
	}
	return filepath.Join(dir, "baohan")
}

// LoadConfig reads and checks the config at path (the default path when ""),
// applies the environment overrides and defaults, and loads the keys.
func LoadConfig(path string) (*Config, error) {
	if path == "" {
		path = DefaultConfigPath()
	}
	c := &Config{Path: path}
	md, err := toml.DecodeFile(path, c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, &ConfigError{File: path, Key: perr.LastKey, Err: fmt.Errorf("line %d: %s", perr.Position.Line, perr.Message)}
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &ConfigError{File: path, Err: errors.New("file not found (write one as README.md shows, or pass --config)")}
		}
		return nil, &ConfigError{File: path, Err: err}
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, &ConfigError{File: path, Key: undec[0].String(), Err: errors.New("unknown key")}
	}
	c.applyEnv()
	c.applyDefaults()
	if err := c.Check(); err != nil {
		return nil, err
	}
	if err := c.LoadKeys(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) applyEnv() {
	if v := os.Getenv("BAOHAN_API_KEY"); v != "" {
		c.Platform.APIKey = v
	}
	if v := os.Getenv("BAOHAN_API_SECRET"); v != "" {
		c.Platform.APISecret = v
	}
}

func (c *Config) applyDefaults() {
	if c.Platform.BaseURL == "" {
		c.Platform.BaseURL = DefaultBaseURL
	}
	if c.Platform.Timeout.Duration == 0 {
		c.Platform.Timeout.Duration = DefaultTimeout
	}
	if c.Listener.Addr == "" {
		c.Listener.Addr = DefaultListenerAddr
	}
	if c.Apply.OrderStatus == "" {
		c.Apply.OrderStatus = "WAIT_FIRST_TRAIL"
	}
	if c.Apply.PayMethod == "" {
		c.Apply.PayMethod = "REDIRECT"
	}
	if c.PDF.Timeout.Duration == 0 {
		c.PDF.Timeout.Duration = 20 * time.Second
	}
	if d := c.PDF.TrustedCertDir; d != "" && !filepath.IsAbs(d) && c.Path != "" {
		c.PDF.TrustedCertDir = filepath.Join(filepath.Dir(c.Path), d)
	}
}

func (c *Config) errf(key, format string, a ...any) error {
	return &ConfigError{File: c.Path, Key: key, Err: fmt.Errorf(format, a...)}
}

// Check validates every value that does not need a file.
func (c *Config) Check() error {
	u, err := url.Parse(c.Platform.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c.errf("platform.base_url", "%q is not an http(s) URL", c.Platform.BaseURL)
	}
	if c.Platform.APIKey == "" {
		return c.errf("platform.api_key", "missing (or set BAOHAN_API_KEY)")
	}
	if c.Platform.APISecret == "" {
		return c.errf("platform.api_secret", "missing (or set BAOHAN_API_SECRET)")
	}
	if c.Platform.BtcID <= 0 {
		return c.errf("platform.btc_id", "missing or not a positive number")
	}
	if c.Platform.Timeout.Duration < 0 {
		return c.errf("platform.timeout", "must be positive")
	}
	if _, _, err := net.SplitHostPort(c.Listener.Addr); err != nil {
		return c.errf("listener.addr", "%q is not host:port", c.Listener.Addr)
	}
	for _, a := range append(append([]string{}, c.Listener.AllowFrom...), c.Listener.TrustedProxy...) {
		if _, err := ParseAddrOrCIDR(a); err != nil {
			return c.errf("listener.allow_from", "%q is not an IP address or CIDR range", a)
		}
	}
	if c.Guarantor.Name == "" {
		return c.errf("guarantor.name", "missing: the full name of the guarantor (保证人) sent with pushes and claims")
	}
	if !IsOrderState(c.Apply.OrderStatus) {
		return c.errf("apply.order_status", "%q is not an order state of manual 5.4", c.Apply.OrderStatus)
	}
	switch c.Apply.PayMethod {
	case "DIRECT_DEBIT", "REDIRECT", "CLIENT":
	default:
		return c.errf("apply.pay_method", "%q is not DIRECT_DEBIT, REDIRECT or CLIENT", c.Apply.PayMethod)
	}
	return nil
}

// LoadKeys reads the three keys; each error names its key and the file.
func (c *Config) LoadKeys() error {
	base := filepath.Dir(c.Path)
	load := func(key, value string, private bool) (any, error) {
		text, path, err := KeyText(value, base)
		if err != nil {
			if path != "" && mayBeKeyText(value) {
				// Key text with a stray character is taken for a path:
				// never echo it (it may be the private key).
				return nil, c.errf(key, "neither a readable key file nor bare base64 key text (value of %d characters not shown)", len(value))
			}
			if path != "" {
				return nil, c.errf(key, "cannot read key file %s: %v", path, err)
			}
			return nil, c.errf(key, "missing")
		}
		if private && path != "" {
			if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
				c.Warnings = append(c.Warnings, fmt.Sprintf("private key %s (platform.%s) is readable by others (mode %o); run chmod 600 %s",
					path, strings.TrimPrefix(key, "platform."), fi.Mode().Perm(), path))
			}
		}
		where := "value"
		if path != "" {
			where = path
		}
		if private {
			k, err := ParsePrivateKey(text)
			if err != nil {
				return nil, c.errf(key, "%s: %v", where, err)
			}
			return k, nil
		}
		k, err := ParsePublicKey(text)
		if err != nil {
			return nil, c.errf(key, "%s: %v", where, err)
		}
		return k, nil
	}
	k, err := load("platform.platform_public_key", c.Platform.PlatformPublicKey, false)
	if err != nil {
		return err
	}
	c.PlatformPublicKey = k.(*rsa.PublicKey)
	if k, err = load("platform.public_key", c.Platform.PublicKey, false); err != nil {
		return err
	}
	c.PublicKey = k.(*rsa.PublicKey)
	if k, err = load("platform.private_key", c.Platform.PrivateKey, true); err != nil {
		return err
	}
	c.PrivateKey = k.(*rsa.PrivateKey)
	if !c.PrivateKey.PublicKey.Equal(c.PublicKey) {
		c.Warnings = append(c.Warnings, "platform.public_key and platform.private_key are not one pair: callbacks encrypted with public_key cannot be decrypted")
	}
	return nil
}

// mayBeKeyText tells whether a key value that is not a readable file may
// be key text (long, no file extension) and so must not be shown.
func mayBeKeyText(v string) bool {
	v = strings.TrimSpace(v)
	return len(v) >= 64 && !strings.Contains(filepath.Base(v), ".")
}

// DataDir resolves the data folder: flag, else [store] dir (relative to the
// config's folder), else $XDG_DATA_HOME/baohan.
func (c *Config) DataDir(flag string) string {
	if flag != "" {
		return flag
	}
	if c != nil && c.Store.Dir != "" {
		if filepath.IsAbs(c.Store.Dir) || c.Path == "" {
			return c.Store.Dir
		}
		return filepath.Join(filepath.Dir(c.Path), c.Store.Dir)
	}
	return DefaultDataDir()
}

// ParseAddrOrCIDR reads "1.2.3.4" or "1.2.3.0/24" as a prefix.
func ParseAddrOrCIDR(s string) (*net.IPNet, error) {
	if strings.Contains(s, "/") {
		_, n, err := net.ParseCIDR(s)
		return n, err
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, errors.New("not an IP")
	}
	bits := 128
	if ip.To4() != nil {
		ip, bits = ip.To4(), 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}
