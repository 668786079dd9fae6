//go:build !race

package pdfsign

const raceEnabled = false
