package sandbox

import (
	"fmt"
	"time"
)

// FaultKind is a way the platform misbehaves.
type FaultKind int

// Fault kinds.
const (
	// FaultTokenExpired answers 1006 (token错误或已过期) even though the token
	// is good, so the client renews it and repeats the call.
	FaultTokenExpired FaultKind = iota + 1
	// FaultStatus answers Fault.Status (with the manual's meaning as msg)
	// without processing the call.
	FaultStatus
	// FaultHTTP500 answers HTTP 500 with an HTML page, as a broken proxy or
	// PHP error does.
	FaultHTTP500
	// FaultDelay holds the request for Fault.Delay before handling it; when
	// the client gives up first, the call is not processed.
	FaultDelay
	// FaultDrop processes the call, then closes the connection without an
	// answer: the caller cannot know the outcome (结果未知).
	FaultDrop
)

func (k FaultKind) String() string {
	switch k {
	case FaultTokenExpired:
		return "token-expired"
	case FaultStatus:
		return "status"
	case FaultHTTP500:
		return "http-500"
	case FaultDelay:
		return "delay"
	case FaultDrop:
		return "drop"
	}
	return fmt.Sprintf("fault(%d)", int(k))
}

// Fault is a misbehaviour injected for the next calls of a method.
type Fault struct {
	Kind   FaultKind
	Status int           // FaultStatus: the status code answered
	Msg    string        // FaultStatus: msg (default the manual's meaning)
	Delay  time.Duration // FaultDelay: how long the request is held
	Times  int           // how many calls it affects; 0 means 1
}

// Constructors for the common faults.

// TokenExpiredOnce answers 1006 to the next call.
func TokenExpiredOnce() Fault { return Fault{Kind: FaultTokenExpired} }

// StatusTimes answers status code to the next n calls.
func StatusTimes(code, n int) Fault { return Fault{Kind: FaultStatus, Status: code, Times: n} }

// HTTP500 answers the next call with HTTP 500 and an HTML body.
func HTTP500() Fault { return Fault{Kind: FaultHTTP500} }

// Delay holds the next call for d.
func Delay(d time.Duration) Fault { return Fault{Kind: FaultDelay, Delay: d} }

// Drop processes the next call and closes the connection unanswered.
func Drop() Fault { return Fault{Kind: FaultDrop} }

func (f Fault) String() string {
	switch f.Kind {
	case FaultStatus:
		return fmt.Sprintf("status-%d", f.Status)
	case FaultDelay:
		return "delay-" + f.Delay.String()
	}
	return f.Kind.String()
}

// AnyMethod, as InjectFault's method, matches every call.
const AnyMethod = "*"

// InjectFault queues f for the next calls of method (the manual's method
// name, or AnyMethod). Faults are consumed per call, in the order queued;
// a call whose param cannot be read or whose sign fails consumes none.
func (s *Server) InjectFault(method string, f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], &f)
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*Fault{}
}

// takeFault consumes one use of the first fault queued for method (or for
// AnyMethod).
func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{method, AnyMethod} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := *q[0]
		q[0].Times--
		if q[0].Times <= 0 {
			s.faults[key] = q[1:]
		}
		return f, true
	}
	return Fault{}, false
}

const http500Page = `<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head>
<body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center></body></html>
`
