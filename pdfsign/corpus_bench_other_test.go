//go:build !linux

package pdfsign

import "os"

// maxRSSMB: ru_maxrss is Linux's (its unit differs elsewhere); 0 here.
func maxRSSMB(*os.ProcessState) float64 { return 0 }
