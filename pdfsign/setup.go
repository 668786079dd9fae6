package pdfsign

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// pdfcpu keeps its configuration in package variables that are not locked.
// globalMu guards them and trust: Setup writes them holding the write lock;
// a check holds the read lock only while it makes a pdfcpu configuration or
// runs pdfcpu's signature validation, and works on a snapshot of trust, so a
// check that overran its time limit never blocks Setup.
var (
	globalMu sync.RWMutex
	setUp    bool
	trust    trustStore
)

// trustStore is the firm's trusted root certificates.
type trustStore struct {
	dir   string
	pool  *x509.CertPool
	certs []*x509.Certificate
	infos []*certInfo // the same, as read for chain building
	// pdfcpuPool is true when pdfcpu's own pool could be loaded from dir.
	pdfcpuPool bool
}

// Setup prepares pdfcpu once at start-up: it never uses pdfcpu's config
// folder (~/.config/pdfcpu) and takes the trusted root certificates (PEM or
// DER files: .pem .crt .cer .der) from trustedCertDir, which it creates if
// missing. An empty trustedCertDir means the default, DefaultTrustDir().
// Calling it again is safe: it waits for running checks, then switches.
func Setup(trustedCertDir string) error {
	if trustedCertDir == "" {
		trustedCertDir = DefaultTrustDir()
	}
	if trustedCertDir != "" {
		if err := os.MkdirAll(trustedCertDir, 0o700); err != nil {
			return fmt.Errorf("pdfsign setup: create trusted certificate folder: %w", err)
		}
	}
	globalMu.Lock()
	defer globalMu.Unlock()
	return setupLocked(trustedCertDir)
}

// DefaultTrustDir is $XDG_CONFIG_HOME/baohan/trust (os.UserConfigDir), next
// to the app's config file. A check made without Setup reads it if it exists
// and never creates it.
func DefaultTrustDir() string {
	dir, err := os.UserConfigDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "baohan", "trust")
}

// ensureSetup runs the default setup if Setup was never called, without
// creating anything on disk, and returns the trusted roots in effect.
func ensureSetup() trustStore {
	globalMu.RLock()
	if setUp {
		ts := trust
		globalMu.RUnlock()
		return ts
	}
	globalMu.RUnlock()
	globalMu.Lock()
	defer globalMu.Unlock()
	if !setUp {
		// Errors here only mean no trusted roots; checks still work.
		_ = setupLocked(DefaultTrustDir())
	}
	return trust
}

func setupLocked(dir string) error {
	// Before any pdfcpu configuration is made: never ~/.config/pdfcpu.
	api.DisableConfigDir()
	setUp = true
	trust = trustStore{dir: dir, pool: x509.NewCertPool()}
	model.TrustedCertDir = dir
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		// pdfcpu cannot load a pool from a missing folder; its signature
		// validation then runs without one (trust is judged here anyway).
		return nil
	}
	infos, err := loadTrustedCerts(dir)
	if err != nil {
		return fmt.Errorf("pdfsign setup: load trusted certificates from %s: %w", dir, err)
	}
	trust.infos = infos
	for _, c := range infos {
		if c.x != nil {
			trust.pool.AddCert(c.x)
			trust.certs = append(trust.certs, c.x)
		}
	}
	// pdfcpu's pool serves only its revocation checks; it cannot read
	// SM2 or brainpool roots, which are judged here all the same.
	pdfcpu.InvalidateCertificatePool()
	trust.pdfcpuPool = pdfcpu.LoadCertificates() == nil
	return nil
}

// loadTrustedCerts reads every certificate file below dir (PEM or DER),
// read leniently: an SM2 or brainpool root Go's x509 refuses is kept.
func loadTrustedCerts(dir string) ([]*certInfo, error) {
	var certs []*certInfo
	add := func(path string, der []byte) error {
		p := &berParser{}
		n, _, err := p.parse(der, 0)
		if err != nil || !n.is(0, 16) {
			return fmt.Errorf("%s: not a certificate", path)
		}
		c := parseCertLenient(n)
		if c.spki == nil {
			return fmt.Errorf("%s: not a certificate", path)
		}
		certs = append(certs, c)
		return nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".pem", ".crt", ".cer", ".der":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found := false
		for rest := b; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			if err := add(path, blk.Bytes); err != nil {
				return err
			}
			found = true
		}
		if !found {
			return add(path, b)
		}
		return nil
	})
	return certs, err
}
