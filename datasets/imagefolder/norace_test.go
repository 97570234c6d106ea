//go:build !race

package imagefolder_test

const raceEnabled = false
