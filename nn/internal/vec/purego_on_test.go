//go:build purego

package vec

const purego = true
