package tui

import "github.com/amt-mv/amt/tui/access"

// The views' accessible renderings, passed through the root's adapters.

func (c *caseChild) AccessibleView() access.Screen      { return c.m.AccessibleView() }
func (c *pendingChild) AccessibleView() access.Screen   { return c.m.AccessibleView() }
func (c *dashboardChild) AccessibleView() access.Screen { return c.m.AccessibleView() }
