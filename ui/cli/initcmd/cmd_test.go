package initcmd

import (
	"testing"

	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdInitFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *InitOptions
	cmd := NewCmdInit(e.F, func(o *InitOptions) error { got = o; return nil })
	err := cmdtest.Run(cmd, "--yes", "--env", "test", "--api-key", "K", "--api-secret", "S", "--btc-id", "822",
		"--platform-key", "a.pem", "--public-key", "b.pem", "--private-key", "c.pem", "--guarantor", "福州某某融资担保有限公司",
		"--addr", "127.0.0.1:8720", "--public-url", "https://bh.example.com", "--base-url", "http://127.0.0.1:9/", "--force")
	if err != nil {
		t.Fatal(err)
	}
	want := Values{Env: "test", APIKey: "K", APISecret: "S", BtcID: "822", PlatformKey: "a.pem", PublicKey: "b.pem",
		PrivateKey: "c.pem", Guarantor: "福州某某融资担保有限公司", Addr: "127.0.0.1:8720", PublicURL: "https://bh.example.com", BaseURL: "http://127.0.0.1:9/"}
	if got.Values != want || !got.Yes || !got.Force {
		t.Fatalf("options %+v", got)
	}
	if got.IO.IsStdinTTY() {
		t.Fatal("test stdin is a terminal")
	}
}
