package issue

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The firm's name as the certificates of these tests carry it.
const testFirm = "福州某某融资担保有限公司"

const testPassword = "口令 secret-1"

// identity is a PKCS#12 file made by OpenSSL (not by this package): a CA
// and a leaf certificate for testFirm, RSA or SM2.
type identity struct {
	P12    string // the .p12 file
	CA     string // the CA certificate, PEM
	Leaf   string // the leaf certificate, PEM
	Dir    string
	Legacy bool
}

func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (.ci/run installs it)", name)
	}
	return p
}

func run(t testing.TB, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// makeIdentity makes a CA and a leaf with OpenSSL and exports them as
// PKCS#12. kind is "rsa", "rsa-legacy" (3DES/RC2 and a SHA-1 MAC, as
// OpenSSL 1.x and Windows wrote them) or "sm2".
func makeIdentity(t testing.TB, kind string) identity {
	t.Helper()
	needTool(t, "openssl")
	dir := t.TempDir()
	id := identity{P12: filepath.Join(dir, "firm.p12"), CA: filepath.Join(dir, "ca.pem"), Leaf: filepath.Join(dir, "leaf.pem"), Dir: dir}
	ext := filepath.Join(dir, "ext.cnf")
	if err := os.WriteFile(ext, []byte("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	subj := "/CN=" + testFirm + "/O=" + testFirm + "/C=CN"
	switch kind {
	case "rsa", "rsa-legacy":
		run(t, dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-subj", "/CN=Test RSA CA/O=baohan tests", "-days", "3650", "-sha256", "-extensions", "ca", "-config", ext, "-out", "ca.pem")
		run(t, dir, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-utf8", "-subj", subj, "-out", "leaf.csr")
		run(t, dir, "openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "365", "-sha256", "-extfile", ext, "-extensions", "leaf", "-out", "leaf.pem")
	case "sm2":
		// GM/T 0009's default SM2 ID, which gmsm and Chinese CAs use;
		// OpenSSL 3.0 signs and verifies with an empty ID unless told.
		d := []string{"-sigopt", "distid:1234567812345678"}
		run(t, dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "ca.key")
		run(t, dir, "openssl", append([]string{"req", "-x509", "-new", "-key", "ca.key", "-sm3", "-subj", "/CN=Test SM2 CA/O=baohan tests", "-days", "3650", "-extensions", "ca", "-config", ext, "-out", "ca.pem"}, d...)...)
		run(t, dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "leaf.key")
		run(t, dir, "openssl", append([]string{"req", "-new", "-key", "leaf.key", "-sm3", "-utf8", "-subj", subj, "-out", "leaf.csr"}, d...)...)
		run(t, dir, "openssl", append([]string{"x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "365", "-sm3", "-extfile", ext, "-extensions", "leaf", "-vfyopt", "distid:1234567812345678", "-out", "leaf.pem"}, d...)...)
	default:
		t.Fatalf("unknown kind %q", kind)
	}
	args := []string{"pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "ca.pem", "-passout", "pass:" + testPassword, "-out", "firm.p12"}
	if kind == "rsa-legacy" {
		id.Legacy = true
		args = append(args, "-legacy")
	}
	run(t, dir, "openssl", args...)
	return id
}
