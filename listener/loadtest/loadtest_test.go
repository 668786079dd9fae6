package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"flag"
	"net/http/httptest"
	"testing"
	"time"

	"baohan/listener"
	"baohan/store"
)

var (
	flagN    = flag.Int("n", 200, "callbacks to send")
	flagC    = flag.Int("c", 8, "concurrent senders")
	flagKind = flag.String("kind", KindApply, "apply_guarantee or notify_order_status")
)

const secret = "761f56b84529ec6c38192608d304cb05006da3aaf7c6793b74fea4f1f52b3e8a"

// TestLoadLoopback is the self-contained load command: a listener on a
// temporary store over loopback, N callbacks from C senders.
//
//	go test ./listener/loadtest -run TestLoadLoopback -v -args -n 5000 -c 64
func TestLoadLoopback(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := listener.New(listener.Config{APISecret: secret, PrivateKey: key}, st)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	res, err := Run(context.Background(), Options{URL: ts.URL, N: *flagN, Concurrency: *flagC, APISecret: secret,
		PublicKey: &key.PublicKey, Kind: *flagKind})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, C=%d: %s", *flagKind, *flagC, res)
	if res.Errors != 0 || res.N != *flagN {
		t.Fatalf("%d errors, first: %s", res.Errors, res.FirstError)
	}
	n, err := st.CountOrders(context.Background(), store.OrderQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if n != *flagN {
		t.Errorf("%d orders stored, want %d", n, *flagN)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 10; i++ {
		d = append(d, time.Duration(i))
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 5}, {90, 9}, {99, 10}, {100, 10}, {1, 1}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %d, want %d", c.p, got, c.want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("empty")
	}
}
