//go:build !unix

package safefile

// oNoFollow is not available here; OpenRegular relies on its Lstat check.
const oNoFollow = 0
