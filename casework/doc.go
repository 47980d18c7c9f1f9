// Package casework owns the casework domain that the TUI, the CLI, the cache's optimistic overlay
// and the reference server share: what a clerk may do to a case in which state (the
// preconditions, one function per action kind), how an action body is decoded and checked, what
// each action does to a case (outcome → status, the four-eyes states), how a conflicted action is
// kept as a note, and how clerks' dates are read and written. It depends on package api only; I/O
// (HTTP, bbolt, the terminal) stays with its callers.
package casework
