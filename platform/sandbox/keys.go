package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// Keys are the credentials the platform e-mails a guarantor, generated for
// the sandbox: api_key, api_secret, btc_id, api_rsa_pk (the public half of
// PlatformKey) and the pair rsa_pk/rsa_sk (GuarantorKey).
type Keys struct {
	APIKey       string
	APISecret    string
	BtcID        int64
	PlatformKey  *rsa.PrivateKey // api_rsa_sk (the platform's); api_rsa_pk is its public half
	GuarantorKey *rsa.PrivateKey // rsa_sk; rsa_pk is its public half
}

// NewKeys generates both RSA-2048 pairs and random credentials.
func NewKeys() (*Keys, error) {
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate platform key: %w", err)
	}
	gk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate guarantor key: %w", err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(900))
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	return &Keys{
		APIKey:       "sandbox" + randomHex(8),
		APISecret:    hex.EncodeToString(secret),
		BtcID:        100 + n.Int64(),
		PlatformKey:  pk,
		GuarantorKey: gk,
	}, nil
}

// Options returns sandbox Options carrying these keys; the caller adds
// CallbackBase and the rest.
func (k *Keys) Options() Options {
	return Options{APIKey: k.APIKey, APISecret: k.APISecret, BtcID: k.BtcID, PlatformKey: k.PlatformKey, GuarantorKey: k.GuarantorKey}
}

// ConfigFiles are the names WriteConfig uses under its folder.
const (
	ConfigFileName     = "config.toml"
	PlatformPubKeyFile = "keys/api_rsa_pk.pem"
	PublicKeyFile      = "keys/rsa_pk.pem"
	PrivateKeyFile     = "keys/rsa_sk.pem"
)

// ConfigExtra is what WriteConfig puts in the config besides the keys.
type ConfigExtra struct {
	GuarantorName string // [guarantor] name; default DefaultGuarantorName
	StoreDir      string // [store] dir; "" leaves the default
	PublicURL     string // [listener] public_url
}

type sandboxConfig struct {
	Platform struct {
		BaseURL           string `toml:"base_url"`
		APIKey            string `toml:"api_key"`
		APISecret         string `toml:"api_secret"`
		BtcID             int64  `toml:"btc_id"`
		PlatformPublicKey string `toml:"platform_public_key"`
		PublicKey         string `toml:"public_key"`
		PrivateKey        string `toml:"private_key"`
		Timeout           string `toml:"timeout"`
	} `toml:"platform"`
	Listener struct {
		Addr      string `toml:"addr"`
		PublicURL string `toml:"public_url,omitempty"`
	} `toml:"listener"`
	Guarantor struct {
		Name string `toml:"name"`
	} `toml:"guarantor"`
	Store struct {
		Dir string `toml:"dir,omitempty"`
	} `toml:"store"`
}

// WriteConfig writes the guarantor's side of the keys as PEM files
// (keys/api_rsa_pk.pem, keys/rsa_pk.pem, keys/rsa_sk.pem, the private one
// mode 0600) and a config.toml in the format of interface.md pointing at
// the sandbox: platform.base_url = baseURL (the API URL Start returned),
// listener.addr = listenerAddr. It returns the config's path.
func (k *Keys) WriteConfig(dir, baseURL, listenerAddr string, extra ConfigExtra) (configPath string, err error) {
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return "", fmt.Errorf("write sandbox config: %w", err)
	}
	pub := func(key *rsa.PrivateKey) ([]byte, error) {
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
	}
	apiPub, err := pub(k.PlatformKey)
	if err != nil {
		return "", fmt.Errorf("write sandbox config: api_rsa_pk: %w", err)
	}
	rsaPub, err := pub(k.GuarantorKey)
	if err != nil {
		return "", fmt.Errorf("write sandbox config: rsa_pk: %w", err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(k.GuarantorKey)
	if err != nil {
		return "", fmt.Errorf("write sandbox config: rsa_sk: %w", err)
	}
	rsaPriv := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{PlatformPubKeyFile, apiPub, 0o644},
		{PublicKeyFile, rsaPub, 0o644},
		{PrivateKeyFile, rsaPriv, 0o600},
	} {
		if err := writeFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return "", fmt.Errorf("write sandbox config: %w", err)
		}
	}

	var c sandboxConfig
	c.Platform.BaseURL = baseURL
	c.Platform.APIKey, c.Platform.APISecret, c.Platform.BtcID = k.APIKey, k.APISecret, k.BtcID
	c.Platform.PlatformPublicKey, c.Platform.PublicKey, c.Platform.PrivateKey = PlatformPubKeyFile, PublicKeyFile, PrivateKeyFile
	c.Platform.Timeout = "30s"
	c.Listener.Addr, c.Listener.PublicURL = listenerAddr, extra.PublicURL
	c.Guarantor.Name = extra.GuarantorName
	if c.Guarantor.Name == "" {
		c.Guarantor.Name = DefaultGuarantorName
	}
	c.Store.Dir = extra.StoreDir
	var buf bytes.Buffer
	buf.WriteString("# baohan sandbox: a simulated platform with generated keys (not for real use)\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return "", fmt.Errorf("write sandbox config: %w", err)
	}
	configPath = filepath.Join(dir, ConfigFileName)
	if err := writeFile(configPath, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("write sandbox config: %w", err)
	}
	return configPath, nil
}

// writeFile writes data with mode, also when the file exists with another.
func writeFile(path string, data []byte, mode os.FileMode) error {
	if err := os.WriteFile(path, data, mode); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}
