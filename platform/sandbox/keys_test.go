package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"baohan/platform"
)

func TestWriteConfigLoads(t *testing.T) {
	k := testKeys(t)
	dir := t.TempDir()
	path, err := k.WriteConfig(dir, "http://127.0.0.1:41234/api/guarantor/v1/", "127.0.0.1:8720",
		ConfigExtra{GuarantorName: "福州测试融资担保有限公司", StoreDir: "data"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := platform.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform.BaseURL != "http://127.0.0.1:41234/api/guarantor/v1/" || c.Platform.APIKey != k.APIKey ||
		c.Platform.APISecret != k.APISecret || c.Platform.BtcID != k.BtcID || c.Listener.Addr != "127.0.0.1:8720" ||
		c.Guarantor.Name != "福州测试融资担保有限公司" || c.DataDir("") != filepath.Join(dir, "data") {
		t.Fatalf("config %+v", c)
	}
	if !c.PlatformPublicKey.Equal(&k.PlatformKey.PublicKey) || !c.PublicKey.Equal(&k.GuarantorKey.PublicKey) || !c.PrivateKey.Equal(k.GuarantorKey) {
		t.Fatal("keys differ")
	}
	if len(c.Warnings) != 0 {
		t.Fatalf("warnings %v", c.Warnings)
	}
	fi, err := os.Stat(filepath.Join(dir, PrivateKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v %v", fi.Mode(), err)
	}
	// The platform's own private key is not given to the guarantor.
	entries, _ := os.ReadDir(filepath.Join(dir, "keys"))
	if len(entries) != 3 {
		t.Fatalf("key files %v", entries)
	}
}

func TestMinimalPDF(t *testing.T) {
	pdf := MinimalPDF("投标保函 (test)", "line one", "line \\ two (x)")
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("header or trailer missing")
	}
	// Every xref offset points at its object, and startxref at the table.
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n")) {
		t.Fatal("startxref is wrong")
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n \n`).FindAllSubmatch(pdf[xref:], -1)
	if len(entries) != 6 {
		t.Fatalf("%d xref entries", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if !bytes.HasPrefix(pdf[off:], fmt.Appendf(nil, "%d 0 obj\n", i+1)) {
			t.Fatalf("object %d not at %d", i+1, off)
		}
	}
	if len(SmallJPEG(20, 10)) < 100 {
		t.Fatal("jpeg too small")
	}
}

func TestGeneratedIdentifiers(t *testing.T) {
	for range 50 {
		id := idCard()
		weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i := range 17 {
			sum += int(id[i]-'0') * weights[i]
		}
		if len(id) != 18 || id[17] != "10X98765432"[sum%11] {
			t.Fatalf("id card %s", id)
		}
		if c := creditCode(); len(c) != 18 {
			t.Fatalf("credit code %s", c)
		}
	}
}
