//go:build race

package pdfsign

// raceEnabled: the tests run under the race detector (ten times slower):
// the mutation run takes every fourth corpus base.
const raceEnabled = true
