package sandbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"baohan/platform/sandbox"
)

// The wiring of `baohan sandbox --headless`: keys, the simulated platform,
// a config pointing the CLI at it, and the stream.
func Example() {
	keys, err := sandbox.NewKeys()
	if err != nil {
		panic(err)
	}
	listenerAddr := "127.0.0.1:8720" // where the guarantor's listener serves the callbacks
	opt := keys.Options()
	opt.CallbackBase = "http://" + listenerAddr
	// slog.LevelInfo logs every call and callback, for a newcomer to follow.
	opt.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := sandbox.New(opt)
	defer s.Close()
	apiURL, err := s.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "baohan-sandbox")
	defer os.RemoveAll(dir)
	configPath, err := keys.WriteConfig(dir, apiURL, listenerAddr, sandbox.ConfigExtra{StoreDir: "data"})
	if err != nil {
		panic(err)
	}
	fmt.Println(configPath != "")
	// ... start the listener from configPath, then:
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a real run cancels on SIGINT
	s.Run(ctx, 1)
	// Output: true
}
