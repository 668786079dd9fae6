//go:build !unix

package listener

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
