package initcmd

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"baohan/platform"
)

// pair is a key pair as the account e-mail gives it: bare base64 DER.
type pair struct {
	key     *rsa.PrivateKey
	pub, sk string // base64 of PKIX public, PKCS#8 private
	pubPEM  []byte
}

func newPair(t *testing.T) pair {
	t.Helper()
	privPEM, pubPEM, key, err := platform.GenerateKeyPair(1024)
	if err != nil {
		t.Fatal(err)
	}
	_ = privPEM
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	return pair{key: key, pub: base64.StdEncoding.EncodeToString(der), sk: base64.StdEncoding.EncodeToString(p8), pubPEM: pubPEM}
}

func goodValues(t *testing.T) (Values, pair, pair) {
	api, own := newPair(t), newPair(t)
	return Values{Env: "test", APIKey: "a1b2c3d4e5", APISecret: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", BtcID: "1024",
		PlatformKey: api.pub, PublicKey: own.pub, PrivateKey: own.sk, Guarantor: "福州某某融资担保有限公司",
		Addr: "127.0.0.1:8720", PublicURL: "https://bh.example.com"}, api, own
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	bad := map[string][]string{
		"env":        {"", "prod", "staging"},
		"api-key":    {"", "a b", "x\ty", strings.Repeat("k", 300)},
		"api-secret": {"", "s s"},
		"btc-id":     {"", "0", "-3", "12a", "1.5"},
		"guarantor":  {"", "ACME Guarantee Ltd", "福州\"某某\""},
		"addr":       {"", "8720", "localhost", "127.0.0.1:0", "127.0.0.1:70000", "example.com:80"},
		"public-url": {"", "bh.example.com", "ftp://x", "https://bh.example.com/callbacks/claim", "https://x?a=1"},
		"public-key": {"", "not-a-key.pem", strings.Repeat("A", 200)},
	}
	for key, vals := range bad {
		for _, v := range vals {
			err := Validate(key, v, dir)
			if err == nil {
				t.Errorf("%s %q accepted", key, v)
				continue
			}
			if !hasHan(err.Error()) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s %q: message %q is not one Chinese sentence", key, v, err)
			}
		}
	}
	good := map[string][]string{
		"env":        {"test", "production", "测试", "正式"},
		"btc-id":     {"123"},
		"guarantor":  {"福州某某融资担保有限公司"},
		"addr":       {"127.0.0.1:8720", ":8720", "[::1]:8720", "localhost:8720"},
		"public-url": {"https://bh.example.com", "http://127.0.0.1:8721", "https://x.example.com/bh/"},
	}
	for key, vals := range good {
		for _, v := range vals {
			if err := Validate(key, v, dir); err != nil {
				t.Errorf("%s %q: %v", key, v, err)
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// Keys as pasted base64 text or as PEM files; a private key where a public
// one belongs is named.
func TestReadKey(t *testing.T) {
	p := newPair(t)
	dir := t.TempDir()
	if k, err := ReadKey("public-key", p.pub, dir); err != nil || !k.(*rsa.PublicKey).Equal(&p.key.PublicKey) {
		t.Fatalf("base64 public: %v", err)
	}
	if k, err := ReadKey("private-key", " "+p.sk+"\n", dir); err != nil || !k.(*rsa.PrivateKey).Equal(p.key) {
		t.Fatalf("base64 private: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "pk.pem"), p.pubPEM, 0o600)
	if k, err := ReadKey("public-key", "pk.pem", dir); err != nil || !k.(*rsa.PublicKey).Equal(&p.key.PublicKey) {
		t.Fatalf("PEM file: %v", err)
	}
	if _, err := ReadKey("public-key", p.sk, dir); err == nil || !strings.Contains(err.Error(), "是私钥") {
		t.Fatalf("private as public: %v", err)
	}
	if _, err := ReadKey("private-key", "missing.pem", dir); err == nil || !strings.Contains(err.Error(), "rsa_sk") || !strings.Contains(err.Error(), "不存在") {
		t.Fatalf("missing file: %v", err)
	}
}

// Non-interactive init: the pair is checked, the files are 0600, the
// config loads, nothing is overwritten without force.
func TestCheckAndWrite(t *testing.T) {
	v, api, own := goodValues(t)
	dir := t.TempDir()
	mismatch := v
	mismatch.PrivateKey = api.sk
	if _, err := mismatch.Check(dir); err == nil || !strings.Contains(err.Error(), "不是一对") || !strings.Contains(err.Error(), "--private-key") {
		t.Fatalf("mismatched pair: %v", err)
	}
	same := v
	same.PlatformKey = own.pub
	if _, err := same.Check(dir); err == nil || !strings.Contains(err.Error(), "api_rsa_pk") {
		t.Fatalf("api_rsa_pk = rsa_pk: %v", err)
	}
	k, err := v.Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "conf", "config.toml")
	res, err := Write(path, v, k, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]string{res.Config}, res.Keys...) {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi.Mode(), err)
		}
	}
	cfg, err := platform.LoadConfig(path)
	if err != nil {
		t.Fatalf("written config does not load: %v", err)
	}
	if len(cfg.Warnings) != 0 || !cfg.PrivateKey.Equal(own.key) || !cfg.PlatformPublicKey.Equal(&api.key.PublicKey) ||
		cfg.Platform.BaseURL != TestBaseURL || cfg.Platform.BtcID != 1024 || cfg.Guarantor.Name != v.Guarantor ||
		cfg.Listener.PublicURL != v.PublicURL || cfg.Platform.APISecret != v.APISecret {
		t.Fatalf("config: %+v %v", cfg.Platform, cfg.Warnings)
	}
	if len(res.CallbackURLs) != 7 || res.CallbackURLs[1] != "https://bh.example.com/callbacks/order_status" {
		t.Fatalf("urls: %v", res.CallbackURLs)
	}
	var out bytes.Buffer
	res.WriteText(&out)
	if !strings.Contains(out.String(), "baohan doctor") || strings.Count(out.String(), "/callbacks/") != 7 {
		t.Fatalf("output:\n%s", out.String())
	}
	before, _ := os.ReadFile(path)
	v.Env = "production"
	if _, err := Write(path, v, k, false, time.Now()); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwrite without force: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("config changed without --force")
	}
	// Only a key file left from before also stops it.
	os.Remove(path)
	if _, err := Write(path, v, k, false, time.Now()); !errors.Is(err, ErrExists) {
		t.Fatalf("key file overwritten: %v", err)
	}
	if _, err := Write(path, v, k, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if cfg, err := platform.LoadConfig(path); err != nil || cfg.Platform.BaseURL != ProductionBaseURL {
		t.Fatalf("forced: %v", err)
	}
}

// The form: each value is checked as it is typed, a wrong pair is refused
// on saving with the field focused, and the saved values are the typed ones.
func TestForm(t *testing.T) {
	v, api, own := goodValues(t)
	dir := t.TempDir()
	tm := teatest.NewTestModel(t, NewForm(Values{}, dir), teatest.WithInitialTermSize(100, 40))
	t.Cleanup(func() { _ = tm.Quit() })
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	paste := func(s string) { tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true}) }
	key := func(k tea.KeyType) { tm.Send(tea.KeyMsg{Type: k}) }
	typeRunes := func(s string) { // teatest's Type sends bytes, not runes
		for _, r := range s {
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}

	waitFor("baohan 首次设置")
	key(tea.KeyTab) // 环境: test by default
	tm.Type("a1b2 c3")
	waitFor("api_key 中有空格")
	key(tea.KeyCtrlU)
	tm.Type(v.APIKey)
	key(tea.KeyTab)
	paste(v.APISecret)
	key(tea.KeyTab)
	tm.Type("10x")
	waitFor(`btc_id "10x" 不是正整数`)
	key(tea.KeyBackspace)
	tm.Type("24")
	key(tea.KeyTab)
	paste(api.pub)
	key(tea.KeyTab)
	paste(api.sk) // a private key where rsa_pk belongs
	waitFor("rsa_pk：粘贴的文本 是私钥")
	key(tea.KeyCtrlU)
	paste(own.pub)
	key(tea.KeyTab)
	paste(api.sk) // the wrong private key: each alone is valid
	key(tea.KeyTab)
	tm.Type("ACME")
	waitFor("应是公司的中文全称")
	key(tea.KeyCtrlU)
	typeRunes(v.Guarantor)
	key(tea.KeyTab) // addr: default
	key(tea.KeyTab)
	tm.Type("bh.example.com")
	waitFor("不是 http(s) 网址")
	key(tea.KeyCtrlU)
	tm.Type(v.PublicURL)
	key(tea.KeyEnter)
	waitFor("无法保存：rsa_pk 与 rsa_sk 不是一对密钥：请核对账号邮件，两项要原样复制（光标已移到「rsa_sk」）")
	// The form moved to rsa_sk: mend it and save.
	key(tea.KeyCtrlU)
	paste(own.sk)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Form)
	got, keys, done := fm.Result()
	if !done || keys == nil || !keys.Private.Equal(own.key) || !keys.Platform.Equal(&api.key.PublicKey) {
		t.Fatalf("form result: done=%v keys=%v", done, keys)
	}
	if got.APIKey != v.APIKey || got.APISecret != v.APISecret || got.BtcID != "1024" || got.Guarantor != v.Guarantor ||
		got.Addr != "127.0.0.1:8720" || got.PublicURL != v.PublicURL || got.Env != "test" {
		t.Fatalf("values: %+v", got)
	}
	out, _ := io.ReadAll(tm.FinalOutput(t))
	if bytes.Contains(out, []byte(v.APISecret)) || bytes.Contains(out, []byte(own.sk[:40])) {
		t.Fatal("a secret was echoed on the terminal")
	}
}

func TestFormEscape(t *testing.T) {
	tm := teatest.NewTestModel(t, NewForm(Values{}, t.TempDir()), teatest.WithInitialTermSize(100, 40))
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Form)
	if _, _, done := fm.Result(); done || !fm.cancelled {
		t.Fatal("esc did not cancel")
	}
}

// rsa_sk shows a file path as typed (only key text is masked), and the
// focused field is marked, not only by its cursor.
func TestFormShowsPathMarksFocus(t *testing.T) {
	f := NewForm(Values{}, t.TempDir())
	if !strings.Contains(f.View(), "> ") {
		t.Fatalf("the first field is not marked:\n%s", f.View())
	}
	for range 6 { // to rsa_sk
		f.Update(tea.KeyMsg{Type: tea.KeyTab})
	}
	path := "/etc/baohan/keys/rsa_sk.pem"
	for _, r := range path {
		f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	v := f.View()
	var focused string
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "> ") {
			focused = l
		}
	}
	if !strings.Contains(focused, "rsa_sk") || !strings.Contains(focused, path) {
		t.Fatalf("rsa_sk with a path: focused line %q\n%s", focused, v)
	}
	f.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	_, _, own := goodValues(t)
	f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(own.sk), Paste: true})
	if v := f.View(); strings.Contains(v, own.sk[:40]) {
		t.Fatalf("key text in rsa_sk is shown:\n%s", v)
	}
}
