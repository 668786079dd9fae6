// Package keygen is `baohan keygen DIR`: an RSA-2048 pair.
package keygen

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// KeygenOptions are the arguments of `keygen`.
type KeygenOptions struct {
	Print cmdutil.PrintFunc
	Dir   string
}

// KeygenJSON is the `--json` document.
type KeygenJSON struct {
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
}

// NewCmdKeygen is `baohan keygen DIR`.
func NewCmdKeygen(f *cmdutil.Factory, runF func(*KeygenOptions) error) *cobra.Command {
	opts := &KeygenOptions{Print: f.Print}
	return &cobra.Command{
		Use:   "keygen DIR",
		Short: "生成 RSA-2048 密钥对 DIR/private.pem（权限 0600）和 DIR/public.pem",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return keygenRun(opts)
		},
	}
}

func keygenRun(opts *KeygenOptions) error {
	dir := opts.Dir
	priv, pub, _, err := platform.GenerateKeyPair(2048)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cli.UsageErr("无法创建文件夹 %s（%s）", dir, platform.FileProblem(err))
	}
	pp, pu := filepath.Join(dir, "private.pem"), filepath.Join(dir, "public.pem")
	for _, p := range []string{pp, pu} {
		if _, err := os.Stat(p); err == nil {
			return cli.UsageErr("%s 已存在，不覆盖已有的密钥", p)
		}
	}
	if err := writeNew(pp, priv, 0o600); err != nil {
		return err
	}
	if err := writeNew(pu, pub, 0o644); err != nil {
		os.Remove(pp) // no half pair left to block the next run
		return err
	}
	return opts.Print(KeygenJSON{PrivateKey: pp, PublicKey: pu}, func(w io.Writer) {
		fmt.Fprintf(w, "私钥 %s（权限 0600）\n公钥 %s\n", pp, pu)
	})
}

// writeNew writes a file that must not exist yet; a failed write leaves
// nothing behind.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, mode)
	if err != nil {
		return cli.UsageErr("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return cli.UsageErr("无法写入 %s（%s）", path, platform.FileProblem(err))
	}
	return nil
}
