//go:build !unix

package main

import "errors"

// freeDisk is not implemented on this platform; doctor skips the check.
func freeDisk(string) (uint64, error) { return 0, errors.New("not supported") }
