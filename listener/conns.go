package listener

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Connection cap. Every connection holds a descriptor (and, while it
// uploads, a spool file): left alone, 1,100 idle keep-alive connections
// under a 1,024-descriptor limit stop every callback and /healthz with
// "accept4: too many open files". The listener therefore keeps at most
// maxConns connections open, well below the process's descriptor limit
// (half of what is left after connDescriptorReserve for the store, the
// logs and the 2.6 checks: each connection may hold a spool file too),
// and never more than MaxConns. When a new connection would pass the cap,
// the one that has waited longest without a request in progress (idle
// keep-alive first, then one that has sent nothing yet) is closed to make
// room: the platform's connection, which sends its callback at once, is
// served. Only when every connection has a request in progress is the new
// one closed at once (the platform repeats a callback it could not
// deliver); an accept that fails for want of descriptors is retried by
// net/http after a pause.
const (
	// MaxConns bounds the connections open at once when the descriptor
	// limit allows more.
	MaxConns = 1024
	// connDescriptorReserve is kept out of the cap for everything else
	// the process opens.
	connDescriptorReserve = 64
	// minConns is the cap's floor, whatever the limit.
	minConns = 16
)

// connCap is the cap for a descriptor limit (0: unknown).
func connCap(limit uint64) int {
	if limit == 0 || limit > 2*(MaxConns+connDescriptorReserve) {
		return MaxConns
	}
	return max(minConns, (int(limit)-connDescriptorReserve)/2)
}

// connLimiter is a net.Listener that enforces the cap; ConnState must be
// set as the http.Server's ConnState.
type connLimiter struct {
	net.Listener
	max int
	log *slog.Logger

	mu     sync.Mutex
	conns  map[net.Conn]*connEntry
	closed int64 // connections closed to make room, for the figures
}

type connEntry struct {
	state http.ConnState
	since time.Time
}

func newConnLimiter(ln net.Listener, max int, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, max: max, log: log, conns: map[net.Conn]*connEntry{}}
}

// Accept takes the next connection, making room for it first.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		var victim net.Conn
		if len(l.conns) >= l.max {
			victim = l.oldestWaiting()
			if victim == nil {
				l.closed++
				l.mu.Unlock()
				c.Close()
				l.log.Warn("connection refused: every connection has a request in progress", "max_conns", l.max)
				continue
			}
			delete(l.conns, victim)
			l.closed++
		}
		l.conns[c] = &connEntry{state: http.StateNew, since: time.Now()}
		l.mu.Unlock()
		if victim != nil {
			victim.Close()
		}
		return c, nil
	}
}

// oldestWaiting is the idle connection idle longest, else the new one
// open longest without sending (l.mu held).
func (l *connLimiter) oldestWaiting() net.Conn {
	var best net.Conn
	var be *connEntry
	for c, e := range l.conns {
		if e.state != http.StateIdle && e.state != http.StateNew {
			continue
		}
		better := be == nil ||
			(e.state == http.StateIdle && be.state != http.StateIdle) ||
			(e.state == be.state && e.since.Before(be.since))
		if better {
			best, be = c, e
		}
	}
	return best
}

// ConnState follows each connection's state.
func (l *connLimiter) ConnState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	default:
		if e := l.conns[c]; e != nil {
			e.state, e.since = st, time.Now()
		}
	}
}

// limitConns puts the connection cap on ln for srv (s.mu held).
func (s *Server) limitConns(ln net.Listener, srv *http.Server) net.Listener {
	l := newConnLimiter(ln, connCap(descriptorLimit()), s.log)
	srv.ConnState = l.ConnState
	s.conns = l
	return l
}
