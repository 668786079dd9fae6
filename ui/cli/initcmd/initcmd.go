// Package initcmd is `baohan init`: from what the platform's account e-mail
// gives to a config file and key files (mode 0600), either through a form
// in the terminal or through flags for scripts (interface.md).
package initcmd

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"baohan/platform"
	"baohan/ui/cli/doctor"
)

// The platform's environments (manual 1.1).
const (
	TestBaseURL       = "https://ebg.conzhu.net/api/guarantor/v1/"
	ProductionBaseURL = "https://esb.conzhu.com/api/guarantor/v1/"
)

// Values are the answers of init, as typed.
type Values struct {
	Env         string // test | production
	BaseURL     string // overrides Env (a sandbox, a proxy); not asked in the form
	APIKey      string
	APISecret   string
	BtcID       string
	PlatformKey string // api_rsa_pk: base64 text or a PEM file
	PublicKey   string // rsa_pk
	PrivateKey  string // rsa_sk
	Guarantor   string
	Addr        string
	PublicURL   string
}

// Field names one value: its flag and its label in the form.
type Field struct {
	Key    string // flag name without dashes
	Label  string
	Hint   string
	Secret bool
	get    func(*Values) *string
}

// Fields in the order the form asks them.
var Fields = []Field{
	{"env", "环境", "test（测试环境）或 production（正式环境）", false, func(v *Values) *string { return &v.Env }},
	{"api-key", "api_key", "账号邮件中的 api_key", false, func(v *Values) *string { return &v.APIKey }},
	{"api-secret", "api_secret", "账号邮件中的 api_secret（输入时不显示）", true, func(v *Values) *string { return &v.APISecret }},
	{"btc-id", "btc_id", "账号邮件中的 btc_id（数字）", false, func(v *Values) *string { return &v.BtcID }},
	{"platform-key", "api_rsa_pk", "平台公钥：粘贴邮件中的 base64 文本，或填 PEM 文件路径", false, func(v *Values) *string { return &v.PlatformKey }},
	{"public-key", "rsa_pk", "本方公钥：粘贴 base64 文本，或填 PEM 文件路径", false, func(v *Values) *string { return &v.PublicKey }},
	{"private-key", "rsa_sk", "本方私钥：粘贴 base64 文本，或填 PEM 文件路径（输入时不显示）", true, func(v *Values) *string { return &v.PrivateKey }},
	{"guarantor", "保证人全称", "出函担保公司的全称，如 福州某某融资担保有限公司", false, func(v *Values) *string { return &v.Guarantor }},
	{"addr", "监听地址", "回调监听的本机地址:端口，隧道转发到这里", false, func(v *Values) *string { return &v.Addr }},
	{"public-url", "公网地址", "隧道的公网地址，如 https://bh.example.com", false, func(v *Values) *string { return &v.PublicURL }},
}

// Get is the value of field f in v.
func (f Field) Get(v *Values) string { return *f.get(v) }

// Set sets the value of field f in v.
func (f Field) Set(v *Values, s string) { *f.get(v) = s }

// Defaults fills what has a default.
func (v *Values) Defaults() {
	if v.Env == "" && v.BaseURL == "" {
		v.Env = "test"
	}
	if v.Addr == "" {
		v.Addr = platform.DefaultListenerAddr
	}
}

// Validate checks one field's value as typed; the error is one Chinese
// sentence naming what is wrong. keyDir resolves relative key paths.
func Validate(key, s, keyDir string) error {
	s = strings.TrimSpace(s)
	switch key {
	case "env":
		switch s {
		case "test", "production", "测试", "正式":
			return nil
		case "":
			return errors.New("环境未填写：test（测试环境）或 production（正式环境）")
		}
		return fmt.Errorf("环境 %q 不对，只能是 test 或 production", s)
	case "api-key", "api-secret":
		name := strings.ReplaceAll(key, "-", "_")
		if s == "" {
			return fmt.Errorf("%s 未填写（见账号邮件）", name)
		}
		if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return fmt.Errorf("%s 中有空格或控制字符，请从邮件中原样复制", name)
		}
		if len(s) > 256 {
			return fmt.Errorf("%s 太长（%d 个字符），请只复制这一项", name, len(s))
		}
		return nil
	case "btc-id":
		if s == "" {
			return errors.New("btc_id 未填写（见账号邮件）")
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("btc_id %q 不是正整数", s)
		}
		return nil
	case "platform-key", "public-key", "private-key":
		_, err := ReadKey(key, s, keyDir)
		return err
	case "guarantor":
		if s == "" {
			return errors.New("保证人全称未填写")
		}
		if strings.IndexFunc(s, unicode.IsControl) >= 0 || strings.ContainsAny(s, "\"\\") {
			return errors.New("保证人全称中不能有引号、反斜杠或控制字符")
		}
		if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return fmt.Errorf("保证人全称 %q 应是公司的中文全称，与保函上的签章一致", s)
		}
		return nil
	case "addr":
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return fmt.Errorf("监听地址 %q 不是“地址:端口”，如 127.0.0.1:8720", s)
		}
		if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("监听地址 %q 的端口不是 1 到 65535 之间的数", s)
		}
		if host != "" && host != "localhost" && net.ParseIP(host) == nil {
			return fmt.Errorf("监听地址 %q 的主机应是 IP 地址，如 127.0.0.1", s)
		}
		return nil
	case "public-url":
		if s == "" {
			return errors.New("公网地址未填写：隧道分配的地址，如 https://bh.example.com")
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("公网地址 %q 不是 http(s) 网址，如 https://bh.example.com", s)
		}
		if u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Path, "/callbacks") {
			return fmt.Errorf("公网地址 %q 只写到域名（和路径前缀）为止，不带 /callbacks 和问号后的部分", s)
		}
		return nil
	case "base-url":
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("平台网址 %q 不是 http(s) 网址", s)
		}
		return nil
	}
	return fmt.Errorf("没有 %s 这一项", key)
}

var keyNames = map[string]string{"platform-key": "api_rsa_pk", "public-key": "rsa_pk", "private-key": "rsa_sk"}

// ReadKey reads a key given as pasted base64 (or PEM) text or as a PEM
// file path: *rsa.PublicKey for platform-key and public-key, *rsa.PrivateKey
// for private-key.
func ReadKey(field, s, baseDir string) (any, error) {
	name := keyNames[field]
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%s 未填写：粘贴账号邮件中的 base64 文本，或填 PEM 文件路径", name)
	}
	text := []byte(s)
	from := "粘贴的文本"
	p := s
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if !filepath.IsAbs(p) && baseDir != "" {
		p = filepath.Join(baseDir, p)
	}
	_, statErr := os.Stat(p)
	if !strings.HasPrefix(s, "-----BEGIN") && (statErr == nil || strings.ContainsAny(s, ".~") || len(s) < 100) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s：文件 %s 无法读取（%s）", name, p, platform.FileProblem(err))
		}
		text, from = b, "文件 "+p
	}
	var k any
	var err error
	if field == "private-key" {
		k, err = platform.ParsePrivateKey(text)
	} else {
		k, err = platform.ParsePublicKey(text)
		if err != nil {
			if _, perr := platform.ParsePrivateKey(text); perr == nil {
				return nil, fmt.Errorf("%s：%s 是私钥，这里要的是公钥", name, from)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s：%s %v", name, from, err)
	}
	return k, nil
}

// Keys are the three keys read and checked.
type Keys struct {
	Platform *rsa.PublicKey
	Public   *rsa.PublicKey
	Private  *rsa.PrivateKey
}

// Check validates every value and the keys together: rsa_pk and rsa_sk
// must be one pair, api_rsa_pk another key. The error names the field.
func (v *Values) Check(keyDir string) (*Keys, error) {
	for _, f := range Fields {
		if f.Key == "env" && v.BaseURL != "" && v.Env == "" {
			continue
		}
		if err := Validate(f.Key, f.Get(v), keyDir); err != nil {
			return nil, &FieldError{Field: f.Key, Err: err}
		}
	}
	if v.BaseURL != "" {
		if err := Validate("base-url", v.BaseURL, keyDir); err != nil {
			return nil, &FieldError{Field: "base-url", Err: err}
		}
	}
	var k Keys
	a, _ := ReadKey("platform-key", v.PlatformKey, keyDir)
	b, _ := ReadKey("public-key", v.PublicKey, keyDir)
	c, _ := ReadKey("private-key", v.PrivateKey, keyDir)
	k.Platform, k.Public, k.Private = a.(*rsa.PublicKey), b.(*rsa.PublicKey), c.(*rsa.PrivateKey)
	if !k.Private.PublicKey.Equal(k.Public) {
		return nil, &FieldError{Field: "private-key", Err: errors.New("rsa_pk 与 rsa_sk 不是一对密钥：请核对账号邮件，两项要原样复制")}
	}
	if k.Platform.Equal(k.Public) {
		return nil, &FieldError{Field: "platform-key", Err: errors.New("api_rsa_pk 与 rsa_pk 相同：邮件中 api_rsa_pk 是平台的另一把公钥")}
	}
	return &k, nil
}

// FieldError names the field (flag) a refusal is about.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() + "（--" + e.Field + "）" }
func (e *FieldError) Unwrap() error { return e.Err }

// BaseURLOf is the platform URL the values choose.
func (v *Values) BaseURLOf() string {
	if v.BaseURL != "" {
		return strings.TrimSpace(v.BaseURL)
	}
	if e := strings.TrimSpace(v.Env); e == "production" || e == "正式" {
		return ProductionBaseURL
	}
	return TestBaseURL
}

// Key file names init writes, relative to the config's folder.
const (
	PlatformKeyFile = "keys/api_rsa_pk.pem"
	PublicKeyFile   = "keys/rsa_pk.pem"
	PrivateKeyFile  = "keys/rsa_sk.pem"
)

// Result is what Write wrote.
type Result struct {
	Config       string   `json:"config"`
	Keys         []string `json:"keys"`
	CallbackURLs []string `json:"callback_urls"`
	Next         string   `json:"next"`
}

// ErrExists is returned (wrapped) when a file exists and force is off.
var ErrExists = errors.New("exists")

// Write writes the config at configPath and the three keys beside it
// (mode 0600), refusing to overwrite any of them unless force.
func Write(configPath string, v Values, k *Keys, force bool, now time.Time) (*Result, error) {
	dir := filepath.Dir(configPath)
	files := []string{configPath, filepath.Join(dir, PlatformKeyFile), filepath.Join(dir, PublicKeyFile), filepath.Join(dir, PrivateKeyFile)}
	if !force {
		for _, f := range files {
			if _, err := os.Lstat(f); err == nil {
				return nil, fmt.Errorf("%s 已存在，不覆盖（确需重写时加 --force）: %w", f, ErrExists)
			}
		}
	}
	pubPEM := func(k *rsa.PublicKey) []byte {
		der, _ := x509.MarshalPKIXPublicKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	p8, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, errors.New("rsa_sk 无法写成 PKCS#8")
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return nil, fmt.Errorf("无法创建文件夹 %s（%s）", filepath.Join(dir, "keys"), platform.FileProblem(err))
	}
	contents := [][]byte{[]byte(configText(v, now)), pubPEM(k.Platform), pubPEM(k.Public),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})}
	// The keys first, the config last: the config is what makes the setup
	// (doctor, serve read it). A failure removes what this run created, so
	// that init can simply be run again.
	var created []string
	for _, i := range []int{1, 2, 3, 0} {
		_, statErr := os.Lstat(files[i])
		if err := writePrivate(files[i], contents[i]); err != nil {
			for _, c := range created {
				os.Remove(c)
			}
			return nil, err
		}
		if statErr != nil {
			created = append(created, files[i])
		}
	}
	return &Result{Config: configPath, Keys: files[1:], CallbackURLs: doctor.CallbackURLs(v.PublicURL),
		Next: "运行 baohan doctor --config " + configPath + " 检查各项设置"}, nil
}

// writePrivate writes data to path with mode 0600 (also when replacing).
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".init-*")
	if err != nil {
		return fmt.Errorf("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("无法设置 %s 的权限（%s）", path, platform.FileProblem(err))
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	return nil
}

// q quotes s as a TOML basic string (values are checked free of control
// characters).
func q(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(strings.TrimSpace(s)) + `"`
}

func configText(v Values, now time.Time) string {
	env := "测试环境"
	if base := v.BaseURLOf(); base == ProductionBaseURL {
		env = "正式环境"
	} else if base != TestBaseURL {
		env = "自定义地址"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# baohan 配置，由 baohan init 于 %s 写入。\n", now.In(platform.CST).Format(platform.DateTimeLayout))
	fmt.Fprintf(&b, "[platform]\nbase_url = %s  # %s\napi_key = %s\napi_secret = %s  # 也可不写，改用环境变量 BAOHAN_API_SECRET\nbtc_id = %s\n",
		q(v.BaseURLOf()), env, q(v.APIKey), q(v.APISecret), strings.TrimSpace(v.BtcID))
	fmt.Fprintf(&b, "platform_public_key = %s  # api_rsa_pk\npublic_key = %s           # rsa_pk\nprivate_key = %s          # rsa_sk\ntimeout = \"30s\"\n\n",
		q(PlatformKeyFile), q(PublicKeyFile), q(PrivateKeyFile))
	fmt.Fprintf(&b, "[listener]\naddr = %s\npublic_url = %s\n\n", q(v.Addr), q(strings.TrimRight(strings.TrimSpace(v.PublicURL), "/")))
	fmt.Fprintf(&b, "[guarantor]\nname = %s\n\n", q(v.Guarantor))
	b.WriteString("[apply]  # apply_guarantee（2.1）的同步应答\norder_status = \"WAIT_FIRST_TRAIL\"\npay_method = \"REDIRECT\"\n")
	return b.String()
}

// WriteText prints what init did and the next step.
func (r *Result) WriteText(w io.Writer) {
	fmt.Fprintf(w, "已写入配置 %s（权限 0600）\n", r.Config)
	for _, k := range r.Keys {
		fmt.Fprintf(w, "已写入密钥 %s（权限 0600）\n", k)
	}
	fmt.Fprintln(w, "\n请把以下 7 个回调地址提供给平台：")
	for _, u := range r.CallbackURLs {
		fmt.Fprintln(w, "  "+u)
	}
	fmt.Fprintln(w, "\n下一步："+r.Next+"。")
}
