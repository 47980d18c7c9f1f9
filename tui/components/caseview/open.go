package caseview

// SystemOpen opens a file with the platform's default viewer and does not wait for it (o in the
// case view; the print queue and amt print-queue use it too).
func SystemOpen(path string) error { return systemOpen(path) }
