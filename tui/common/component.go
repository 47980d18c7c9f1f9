package common

import (
	"github.com/charmbracelet/bubbles/help"

	"github.com/amt-mv/amt/tui/keys"
)

// Component is what every view and dialog of the root offers besides being a tea model: it owns
// its keyboard help (as soft-serve's common.Component embeds help.KeyMap), built from the live
// keymap, so a key rebound in config is what the clerk reads. The root's help overlay (?) shows
// the HelpGroups of whatever has the keyboard.
type Component interface {
	help.KeyMap
	// HelpGroups is the full help in titled blocks: the component's own keys first, then those
	// that work everywhere.
	HelpGroups() []keys.Group
}
