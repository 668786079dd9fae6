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
	"regexp"
	"runtime"
	"strconv"
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
		return fmt.Errorf("%q 不是时长，应写成 \"30s\"（秒）或 \"2m\"（分）", string(b))
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
		file = "（无）"
	}
	if e.Key == "" {
		return fmt.Sprintf("配置文件 %s：%v", file, e.Err)
	}
	return fmt.Sprintf("配置文件 %s 中的 %s：%v", file, e.Key, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// DefaultConfigPath is $BAOHAN_CONFIG, else config.toml in the config
// folder of UserDirs.
func DefaultConfigPath() string {
	if p := os.Getenv("BAOHAN_CONFIG"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	config, _ := UserDirs(runtime.GOOS, os.Getenv, home)
	return filepath.Join(config, "config.toml")
}

// DefaultDataDir is the data folder of UserDirs.
func DefaultDataDir() string {
	home, _ := os.UserHomeDir()
	_, data := UserDirs(runtime.GOOS, os.Getenv, home)
	return data
}

// UserDirs gives the config and data folders on system goos, from the
// environment (getenv) and the home folder. $XDG_CONFIG_HOME and
// $XDG_DATA_HOME win on every system when set (interface.md); else:
//
//	Linux, BSD: ~/.config/baohan               ~/.local/share/baohan
//	Windows:    %AppData%\baohan               %LocalAppData%\baohan
//	macOS:      ~/Library/Application Support/baohan, and its data folder
//
// (Windows: os.UserConfigDir and os.UserCacheDir. macOS: not
// ~/Library/Caches, which the system may empty: the store is evidence.)
func UserDirs(goos string, getenv func(string) string, home string) (config, data string) {
	under := func(env, fallback string) string {
		if d := getenv(env); d != "" {
			return d
		}
		return fallback
	}
	switch goos {
	case "windows":
		config = filepath.Join(under("AppData", filepath.Join(home, "AppData", "Roaming")), "baohan")
		data = filepath.Join(under("LocalAppData", filepath.Join(home, "AppData", "Local")), "baohan")
	case "darwin", "ios":
		config = filepath.Join(home, "Library", "Application Support", "baohan")
		data = filepath.Join(config, "data")
	default:
		config = filepath.Join(home, ".config", "baohan")
		data = filepath.Join(home, ".local", "share", "baohan")
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		config = filepath.Join(d, "baohan")
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		data = filepath.Join(d, "baohan")
	}
	return config, data
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
		return nil, decodeError(path, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, &ConfigError{File: path, Key: undec[0].String(), Err: errors.New("不是已知的配置项（检查拼写，或对照 README.md 的配置说明）")}
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

// ErrConfigNotFound is the Err of a ConfigError for a missing file.
var ErrConfigNotFound = errors.New("文件不存在（运行 baohan init 生成，或用 --config 指定）")

// IsConfigNotFound tells whether err is LoadConfig's error for a config
// file that does not exist.
func IsConfigNotFound(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce) && errors.Is(ce.Err, ErrConfigNotFound)
}

// decodeError turns the TOML library's error into one Chinese sentence
// naming the key and line; the library's own text is not shown.
func decodeError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &ConfigError{File: path, Err: ErrConfigNotFound}
	}
	if errors.Is(err, fs.ErrPermission) {
		return &ConfigError{File: path, Err: errors.New("没有读取权限（检查文件的所有者和权限）")}
	}
	var line int
	var key, msg string
	var perr toml.ParseError
	if errors.As(err, &perr) {
		line, key, msg = perr.Position.Line, perr.LastKey, perr.Message
	} else if m := tomlErrRe.FindStringSubmatch(err.Error()); m != nil {
		// The library reports a value of the wrong type as plain text.
		line, _ = strconv.Atoi(m[1])
		key, msg = m[2], m[3]
	} else {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &ConfigError{File: path, Err: errors.New("无法读取（是文件夹，或磁盘出错）")}
		}
		return &ConfigError{File: path, Err: errors.New("无法读取")}
	}
	switch {
	case strings.Contains(msg, "incompatible types"), strings.Contains(msg, "cannot decode"),
		strings.Contains(msg, "out of range"):
		want := "另一种类型"
		// The library names the value's type, then the destination's:
		// what the key wants is the latter.
		dest := msg
		if i := strings.Index(msg, "destination has type"); i >= 0 {
			dest = msg[i:]
		}
		switch {
		case strings.Contains(dest, "type int"), strings.Contains(dest, "type uint"), strings.Contains(dest, "out of range"):
			want = "不带引号的整数，如 btc_id = 123"
		case strings.Contains(dest, "type string"):
			want = "带双引号的文本"
		case strings.Contains(dest, "type bool"):
			want = "true 或 false"
		case strings.Contains(dest, "type []"), strings.Contains(dest, "slice"):
			want = "方括号列表，如 [\"127.0.0.1\"]"
		}
		return &ConfigError{File: path, Key: key, Err: fmt.Errorf("第 %d 行的值类型不对，应为%s", line, want)}
	case strings.Contains(msg, "不是时长"):
		return &ConfigError{File: path, Key: key, Err: fmt.Errorf("第 %d 行的%s", line, tomlCause(msg))}
	}
	return &ConfigError{File: path, Key: key, Err: fmt.Errorf("第 %d 行不是有效的 TOML（检查引号、等号和方括号是否成对）", line)}
}

var tomlErrRe = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// tomlCause is our own UnmarshalText message out of the library's text.
func tomlCause(msg string) string {
	if i := strings.Index(msg, "\""); i >= 0 {
		return msg[i:]
	}
	return msg
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
		return c.errf("platform.base_url", "%q 不是 http(s) 网址", c.Platform.BaseURL)
	}
	if c.Platform.APIKey == "" {
		return c.errf("platform.api_key", "未填写（账号邮件中的 api_key，或设置环境变量 BAOHAN_API_KEY）")
	}
	if c.Platform.APISecret == "" {
		return c.errf("platform.api_secret", "未填写（账号邮件中的 api_secret，或设置环境变量 BAOHAN_API_SECRET）")
	}
	if c.Platform.BtcID <= 0 {
		return c.errf("platform.btc_id", "未填写或不是正整数（账号邮件中的 btc_id）")
	}
	if c.Platform.Timeout.Duration < 0 {
		return c.errf("platform.timeout", "必须大于零")
	}
	if _, _, err := net.SplitHostPort(c.Listener.Addr); err != nil {
		return c.errf("listener.addr", "%q 不是“地址:端口”的形式，如 127.0.0.1:8720", c.Listener.Addr)
	}
	for _, a := range append(append([]string{}, c.Listener.AllowFrom...), c.Listener.TrustedProxy...) {
		if _, err := ParseAddrOrCIDR(a); err != nil {
			return c.errf("listener.allow_from", "%q 不是 IP 地址或网段（如 203.0.113.0/24）", a)
		}
	}
	if c.Guarantor.Name == "" {
		return c.errf("guarantor.name", "未填写：保证人（出函担保公司）的全称，推送保函和理赔时使用")
	}
	if !IsOrderState(c.Apply.OrderStatus) {
		return c.errf("apply.order_status", "%q 不是手册 5.4 的订单状态（如 WAIT_FIRST_TRAIL 待初审）", c.Apply.OrderStatus)
	}
	switch c.Apply.PayMethod {
	case "DIRECT_DEBIT", "REDIRECT", "CLIENT":
	default:
		return c.errf("apply.pay_method", "%q 不是 DIRECT_DEBIT（直接扣款）、REDIRECT（跳转支付）或 CLIENT（客户端支付）", c.Apply.PayMethod)
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
				return nil, c.errf(key, "既不是可读的密钥文件，也不是 base64 密钥文本（共 %d 个字符，不予显示）", len(value))
			}
			if path != "" {
				return nil, c.errf(key, "无法读取密钥文件 %s（%s）", path, FileProblem(err))
			}
			return nil, c.errf(key, "未填写（PEM 文件路径或账号邮件中的 base64 文本）")
		}
		if private && path != "" {
			if open, how := OthersCanRead(path); open {
				c.Warnings = append(c.Warnings, fmt.Sprintf("私钥文件 %s（platform.%s）其他用户也能读取（%s），请运行 %s",
					path, strings.TrimPrefix(key, "platform."), how, PrivateFix(path)))
			}
		}
		where := "填写的文本"
		if path != "" {
			where = path
		}
		if private {
			k, err := ParsePrivateKey(text)
			if err != nil {
				return nil, c.errf(key, "%s%v", where+"：", err)
			}
			return k, nil
		}
		k, err := ParsePublicKey(text)
		if err != nil {
			return nil, c.errf(key, "%s%v", where+"：", err)
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
		c.Warnings = append(c.Warnings, "platform.public_key 与 platform.private_key 不是一对密钥：用 public_key 加密的回调将无法解密")
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
// config's folder), else DefaultDataDir.
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
