package platform

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes keys and a config whose [platform] section is body.
func writeConfig(t *testing.T, body string) (path string, dir string) {
	t.Helper()
	dir = t.TempDir()
	priv, pub, _, err := GenerateKeyPair(1024)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
	writeFile(t, filepath.Join(dir, "keys", "sk.pem"), priv)
	writeFile(t, filepath.Join(dir, "keys", "pk.pem"), pub)
	path = filepath.Join(dir, "config.toml")
	writeFile(t, path, []byte(body))
	return path, dir
}

const goodConfig = `[platform]
base_url = "http://127.0.0.1:1/api/guarantor/v1/"
api_key = "key"
api_secret = "secret"
btc_id = 7
platform_public_key = "keys/pk.pem"
public_key = "keys/pk.pem"
private_key = "keys/sk.pem"
timeout = "5s"

[listener]
addr = "127.0.0.1:8720"

[guarantor]
name = "福州某某融资担保有限公司"
`

func TestLoadConfig(t *testing.T) {
	path, _ := writeConfig(t, goodConfig)
	t.Setenv("BAOHAN_API_SECRET", "from-env")
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform.APISecret != "from-env" || c.Platform.Timeout.Seconds() != 5 || c.PrivateKey == nil || c.PublicKey == nil {
		t.Fatalf("config: %+v", c.Platform)
	}
	if c.Apply.OrderStatus != "WAIT_FIRST_TRAIL" || c.Apply.PayMethod != "REDIRECT" {
		t.Fatalf("apply defaults: %+v", c.Apply)
	}
	if len(c.Warnings) != 0 {
		t.Fatalf("warnings: %v", c.Warnings)
	}
}

// Every config error names the key and the file.
func TestConfigErrorsNameKeyAndFile(t *testing.T) {
	cases := map[string]struct{ edit func(string) string }{
		"platform.api_key":     {func(s string) string { return strings.Replace(s, `api_key = "key"`, "", 1) }},
		"platform.btc_id":      {func(s string) string { return strings.Replace(s, "btc_id = 7", `btc_id = "seven"`, 1) }},
		"platform.base_url":    {func(s string) string { return strings.Replace(s, "http://127.0.0.1:1/api/guarantor/v1/", "ftp:x", 1) }},
		"platform.timeout":     {func(s string) string { return strings.Replace(s, `"5s"`, `"soon"`, 1) }},
		"platform.private_key": {func(s string) string { return strings.Replace(s, "keys/sk.pem", "keys/missing.pem", 1) }},
		"platform.platform_public_key": {func(s string) string {
			return strings.Replace(s, `platform_public_key = "keys/pk.pem"`, `platform_public_key = "keys/sk.pem"`, 1)
		}},
		"listener.addr": {func(s string) string { return strings.Replace(s, "127.0.0.1:8720", "nowhere", 1) }},
		"guarantor.name": {func(s string) string {
			return strings.Replace(s, `name = "福州某某融资担保有限公司"`, "", 1)
		}},
		"platform.unknown_key": {func(s string) string { return strings.Replace(s, "[listener]", "unknown_key = 1\n[listener]", 1) }},
	}
	for key, tc := range cases {
		path, _ := writeConfig(t, tc.edit(goodConfig))
		_, err := LoadConfig(path)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v", key, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, strings.TrimPrefix(key, "platform.unknown_key")) {
			t.Errorf("%s: message %q does not name the key and the file", key, msg)
		}
	}
	_, err := LoadConfig(filepath.Join(t.TempDir(), "none.toml"))
	if err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestPrivateKeyPermissionsWarn(t *testing.T) {
	path, dir := writeConfig(t, goodConfig)
	os.Chmod(filepath.Join(dir, "keys", "sk.pem"), 0o644)
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) == 0 || !strings.Contains(c.Warnings[0], "sk.pem") {
		t.Fatalf("no warning for a world-readable private key: %v", c.Warnings)
	}
}

// A key may be the bare base64 DER text of the platform's e-mail.
func TestBareBase64Keys(t *testing.T) {
	_, _, key, err := GenerateKeyPair(1024)
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	body := strings.NewReplacer(
		`"keys/pk.pem"`, `"`+base64.StdEncoding.EncodeToString(pub)+`"`,
		`"keys/sk.pem"`, `"`+base64.StdEncoding.EncodeToString(p8)+`"`,
	).Replace(goodConfig)
	path, _ := writeConfig(t, body)
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !c.PrivateKey.Equal(key) {
		t.Fatal("bare key not read")
	}
}

// Config errors read as one Chinese sentence naming the file, the key and
// the line; no library text reaches the clerk.
func TestConfigErrorsInChinese(t *testing.T) {
	cases := []struct {
		edit       func(string) string
		want, nots []string
	}{
		{func(s string) string { return strings.Replace(s, "btc_id = 7", `btc_id = "seven"`, 1) },
			[]string{"platform.btc_id", "第 5 行", "整数"}, []string{"incompatible", "TOML value"}},
		// The hint names what the key wants, not what the value is.
		{func(s string) string {
			return strings.Replace(s, `base_url = "http://127.0.0.1:1/api/guarantor/v1/"`, `base_url = 5`, 1)
		}, []string{"platform.base_url", "带双引号的文本"}, []string{"整数"}},
		{func(s string) string { return strings.Replace(s, `"5s"`, `"soon"`, 1) },
			[]string{"platform.timeout", "不是时长"}, []string{"time:", "invalid duration"}},
		{func(s string) string { return strings.Replace(s, `api_key = "key"`, `api_key = "key`, 1) },
			[]string{"第 3 行", "TOML"}, []string{"expected", "newline"}},
		{func(s string) string { return strings.Replace(s, "keys/sk.pem", "keys/missing.pem", 1) },
			[]string{"platform.private_key", "keys/missing.pem", "文件或文件夹不存在"}, []string{"no such file", "open "}},
		{func(s string) string { return s + "\n[apply]\norder_status = \"NOPE\"\n" },
			[]string{"apply.order_status", "NOPE"}, []string{"unknown key"}},
		{func(s string) string { return s + "\n[listener2]\nx = 1\n" },
			[]string{"listener2", "不是已知的配置项"}, []string{"unknown key"}},
	}
	for i, tc := range cases {
		path, _ := writeConfig(t, tc.edit(goodConfig))
		_, err := LoadConfig(path)
		if err == nil {
			t.Errorf("case %d: loaded", i)
			continue
		}
		msg := err.Error()
		for _, w := range append(tc.want, path, "配置文件") {
			if !strings.Contains(msg, w) {
				t.Errorf("case %d: %q lacks %q", i, msg, w)
			}
		}
		for _, n := range tc.nots {
			if strings.Contains(msg, n) {
				t.Errorf("case %d: %q shows library text %q", i, msg, n)
			}
		}
		if strings.Count(msg, "\n") > 0 {
			t.Errorf("case %d: not one line: %q", i, msg)
		}
	}
	_, err := LoadConfig(filepath.Join(t.TempDir(), "none.toml"))
	if !IsConfigNotFound(err) || !strings.Contains(err.Error(), "baohan init") {
		t.Errorf("missing file: %v", err)
	}
}

// The [apply] section of interface.md loads (it used to be refused as
// unknown keys: ApplyAnswer had json tags only).
func TestApplySectionLoads(t *testing.T) {
	path, _ := writeConfig(t, goodConfig+"\n[apply]\norder_status = \"WAIT_PAY\"\npay_method = \"CLIENT\"\nredirect_url = \"https://pay.example.cn/p\"\nstatement = \"请支付\"\n")
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Apply.OrderStatus != "WAIT_PAY" || c.Apply.PayMethod != "CLIENT" || c.Apply.RedirectURL != "https://pay.example.cn/p" || c.Apply.Statement != "请支付" {
		t.Fatalf("apply: %+v", c.Apply)
	}
}
