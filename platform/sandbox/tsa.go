package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/digitorus/timestamp"
)

// TSAPath is where the sandbox serves a test time-stamp authority (RFC
// 3161): POST a DER TimeStampReq (Content-Type application/timestamp-query)
// to it; GET TSAPath+".pem" gives the TSA's certificate. It is not part of
// the platform's API: it lets `baohan guarantee issue --tsa` work offline.
const TSAPath = "/tsa"

// maxTSARequest bounds a time-stamp request (a digest and a few options).
const maxTSARequest = 16 << 10

// tsaPolicy is the policy the test TSA names in its tokens (an OID under
// the documentation arc 2.999 of ITU-T X.660).
var tsaPolicy = asn1.ObjectIdentifier{2, 999, 3161, 1}

var (
	oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
	// SEQUENCE { id-kp-timeStamping 1.3.6.1.5.5.7.3.8 }
	ekuTimeStamping = []byte{0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08}
)

// tsa is the test time-stamp authority: an ECDSA P-256 key with a
// self-signed certificate for time stamping, made at its first request.
type tsa struct {
	now  func() time.Time
	once sync.Once
	err  error
	key  crypto.Signer
	cert *x509.Certificate
}

func newTSA(now func() time.Time) *tsa { return &tsa{now: now} }

func (t *tsa) setup() error {
	t.once.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.err = err
			return
		}
		serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
		now := t.now()
		tmpl := &x509.Certificate{
			SerialNumber:          serial,
			Subject:               pkix.Name{CommonName: "模拟平台时间戳服务（测试）", Organization: []string{"baohan sandbox"}},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(5, 0, 0),
			KeyUsage:              x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
			// RFC 3161 2.3: the extended key usage timeStamping, critical
			// (crypto/x509 would write it non-critical).
			ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: ekuTimeStamping}},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.err = err
			return
		}
		t.cert, t.err = x509.ParseCertificate(der)
		t.key = key
	})
	return t.err
}

// ServeHTTP answers a TimeStampReq. RFC 3161 2.4: a request it cannot
// grant still gets HTTP 200 with a TimeStampResp whose status says why
// (rejection with a failure bit); only a request that is not one at all
// gets an HTTP error.
func (t *tsa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/timestamp-query" {
		http.Error(w, "Content-Type must be application/timestamp-query", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTSARequest+1))
	if err != nil || len(body) > maxTSARequest {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := t.setup(); err != nil {
		t.reject(w, timestamp.SystemFailure)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		t.reject(w, timestamp.BadDataFormat)
		return
	}
	switch req.HashAlgorithm {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		t.reject(w, timestamp.BadAlgorithm) // SHA-1 is not accepted any more
		return
	}
	if len(req.HashedMessage) != req.HashAlgorithm.Size() {
		t.reject(w, timestamp.BadDataFormat)
		return
	}
	if req.TSAPolicyOID != nil && !req.TSAPolicyOID.Equal(tsaPolicy) {
		t.reject(w, timestamp.UnacceptedPolicy)
		return
	}
	for _, e := range req.Extensions {
		if e.Critical {
			t.reject(w, timestamp.UnacceptedExtension)
			return
		}
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              t.now().UTC().Truncate(time.Second),
		Accuracy:          time.Second,
		Nonce:             req.Nonce,
		Policy:            tsaPolicy,
		AddTSACertificate: req.Certificates,
	}
	resp, err := ts.CreateResponseWithOpts(t.cert, t.key, crypto.SHA256)
	if err != nil {
		t.reject(w, timestamp.SystemFailure)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(resp)
}

func (t *tsa) reject(w http.ResponseWriter, why timestamp.FailureInfo) {
	resp, err := timestamp.CreateErrorResponse(timestamp.Rejection, why)
	if err != nil {
		http.Error(w, "time-stamp authority failure", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(resp)
}

// serveCert gives the TSA's certificate, PEM, for the trust folder.
func (t *tsa) serveCert(w http.ResponseWriter, _ *http.Request) {
	if err := t.setup(); err != nil {
		http.Error(w, "time-stamp authority failure", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_ = pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: t.cert.Raw})
}
