package pdfsign

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
)

// hashBufSize is the read size for hashing: large enough that the system
// calls cost nothing next to SHA-256 itself (which uses the CPU's SHA
// extensions when present).
const hashBufSize = 1 << 20

// HashFile returns the SHA-256 of the file at path in lower-case hex (the
// form guarantee_pdf_hash takes) and its size.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	sum, n, err := HashReader(f)
	if err != nil {
		return "", n, fmt.Errorf("hash %s: %w", path, err)
	}
	return sum, n, nil
}

// HashReader returns the SHA-256 of everything r yields, in lower-case hex,
// and the number of bytes read.
func HashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := copyPipelined(h, r)
	if err != nil {
		return "", n, fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// copyPipelined feeds r into h while the next block is being read, so the
// read system calls overlap with hashing (two buffers, one reader goroutine).
func copyPipelined(h hash.Hash, r io.Reader) (int64, error) {
	type block struct {
		buf []byte
		n   int
		err error
	}
	free := make(chan []byte, 2)
	full := make(chan block, 2)
	free <- make([]byte, hashBufSize)
	free <- make([]byte, hashBufSize)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			n, err := io.ReadFull(r, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case full <- block{buf, n, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var total int64
	for b := range full {
		if b.n > 0 {
			h.Write(b.buf[:b.n])
			total += int64(b.n)
		}
		if b.err == io.EOF {
			return total, nil
		}
		if b.err != nil {
			return total, b.err
		}
		free <- b.buf
	}
	return total, nil
}

// hashRanges feeds the byte ranges of ra into h, checking stop between blocks.
func hashRanges(h hash.Hash, ra io.ReaderAt, ranges [][2]int64, stop func() error) error {
	buf := make([]byte, 256<<10)
	for _, rg := range ranges {
		off, n := rg[0], rg[1]
		for n > 0 {
			if err := stop(); err != nil {
				return err
			}
			k := int64(len(buf))
			if n < k {
				k = n
			}
			m, err := ra.ReadAt(buf[:k], off)
			h.Write(buf[:m])
			if int64(m) < k {
				if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
			off += k
			n -= k
		}
	}
	return nil
}
