//go:build unix

package safefile

import "syscall"

// oNoFollow makes open fail on a link at the last path element.
const oNoFollow = syscall.O_NOFOLLOW
