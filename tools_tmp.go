//go:build tools

// Package tools pins dependencies before the code that uses them lands. Removed once all are imported.
package tools
import (
 _ "github.com/charmbracelet/bubbletea"
 _ "github.com/charmbracelet/bubbles/list"
 _ "github.com/charmbracelet/bubbles/textarea"
 _ "github.com/charmbracelet/bubbles/textinput"
 _ "github.com/charmbracelet/bubbles/viewport"
 _ "github.com/charmbracelet/bubbles/spinner"
 _ "github.com/charmbracelet/bubbles/progress"
 _ "github.com/charmbracelet/bubbles/key"
 _ "github.com/charmbracelet/bubbles/help"
 _ "github.com/charmbracelet/lipgloss"
 _ "github.com/charmbracelet/x/exp/teatest"
 _ "github.com/muesli/termenv"
 _ "go.etcd.io/bbolt"
 _ "github.com/go-resty/resty/v2"
 _ "golang.org/x/crypto/chacha20poly1305"
 _ "golang.org/x/crypto/argon2"
 _ "golang.org/x/net/http2"
 _ "github.com/zalando/go-keyring"
 _ "gopkg.in/yaml.v3"
)

