package main

import (
	"github.com/amt-mv/amt/internal/version"
)

func cmdVersion(a *app, _ []string) int {
	a.printf("%s\n", version.String("amt"))
	return exitOK
}
