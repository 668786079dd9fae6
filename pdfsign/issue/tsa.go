package issue

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/digitorus/timestamp"
)

// TSAClient asks an RFC 3161 time-stamp authority over HTTP for a token on
// a signature value (the signature-time-stamp of RFC 3161 appendix A /
// ETSI EN 319 122: the hash of the SignerInfo's signature).
type TSAClient struct {
	URL    string
	HTTP   *http.Client          // default: a client with a 30 s timeout
	Policy asn1.ObjectIdentifier // a requested TSA policy, optional
}

// maxTSAResponse bounds a TSA's answer (a token with a few certificates).
const maxTSAResponse = 1 << 20

// Timestamp implements Timestamper: it sends SHA-256 of signature with a
// random nonce and asks for the TSA's certificate; the answer must be
// granted, cover exactly that hash and nonce, and carry a token whose own
// signature verifies (digitorus/timestamp checks it with the embedded
// certificate).
func (c *TSAClient) Timestamp(ctx context.Context, signature []byte) ([]byte, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("时间戳服务地址 %q 无效（应为 http:// 或 https:// 地址）", c.URL)
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	reqDER, err := timestamp.CreateRequest(bytes.NewReader(signature), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true, Nonce: nonce, TSAPolicyOID: c.Policy})
	if err != nil {
		return nil, fmt.Errorf("时间戳请求无法生成：%v", err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(reqDER))
	if err != nil {
		return nil, fmt.Errorf("时间戳服务地址 %q 无效", c.URL)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return nil, fmt.Errorf("时间戳服务 %s 无应答（超时）", u.Host)
		}
		return nil, fmt.Errorf("无法连接时间戳服务 %s", u.Host)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse+1))
	if err != nil {
		return nil, fmt.Errorf("时间戳服务 %s 的应答中断", u.Host)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("时间戳服务 %s 答复 HTTP %d", u.Host, resp.StatusCode)
	}
	if len(body) > maxTSAResponse {
		return nil, fmt.Errorf("时间戳服务 %s 的应答超过 %d 字节", u.Host, maxTSAResponse)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("时间戳服务 %s 未给出有效的时间戳：%v", u.Host, err)
	}
	want := sha256.Sum256(signature)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, want[:]) {
		return nil, fmt.Errorf("时间戳服务 %s 的时间戳不是为这个签名签发的", u.Host)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("时间戳服务 %s 的应答与请求不符（随机数不同）", u.Host)
	}
	if len(ts.Certificates) == 0 {
		return nil, fmt.Errorf("时间戳服务 %s 的时间戳未附证书，无法核验", u.Host)
	}
	return ts.RawToken, nil
}
