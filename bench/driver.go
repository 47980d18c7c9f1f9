package bench

import (
	"errors"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// ErrTimeout is returned when a Driver waits longer than its limit.
var ErrTimeout = errors.New("bench: timed out waiting for the model")

// Driver runs a Bubble Tea model's commands the way the runtime does: every command in its own
// goroutine, batches split up, and the resulting messages handed one at a time to update on the
// caller's goroutine. It lets a benchmark time "key press → frame" without a terminal.
type Driver struct {
	update func(tea.Msg) tea.Cmd
	msgs   chan tea.Msg

	mu      sync.Mutex
	running int
	idle    *sync.Cond
	wake    chan struct{} // signalled when the last running command finishes
}

// NewDriver returns a driver that delivers messages to update, which returns the next command.
func NewDriver(update func(tea.Msg) tea.Cmd) *Driver {
	d := &Driver{update: update, msgs: make(chan tea.Msg, 4096), wake: make(chan struct{}, 1)}
	d.idle = sync.NewCond(&d.mu)
	return d
}

// Exec starts cmd (nil is fine).
func (d *Driver) Exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.mu.Lock()
	d.running++
	d.mu.Unlock()
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				d.Exec(c)
			}
		} else if msg != nil {
			d.msgs <- msg
		}
		d.mu.Lock()
		d.running--
		if d.running == 0 {
			d.idle.Broadcast()
			select {
			case d.wake <- struct{}{}:
			default:
			}
		}
		d.mu.Unlock()
	}()
}

// Send delivers msg to the model at once and starts the command it returns.
func (d *Driver) Send(msg tea.Msg) { d.Exec(d.update(msg)) }

// Until delivers messages until done reports true (checked before waiting and after every
// message).
func (d *Driver) Until(done func() bool, limit time.Duration) error {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for !done() {
		select {
		case msg := <-d.msgs:
			d.Send(msg)
		case <-timer.C:
			return ErrTimeout
		}
	}
	return nil
}

// Settle delivers messages until no command is running and none of their messages is waiting.
func (d *Driver) Settle(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case msg := <-d.msgs:
			d.Send(msg)
			continue
		default:
		}
		d.mu.Lock()
		quiet := d.running == 0
		d.mu.Unlock()
		if quiet && len(d.msgs) == 0 {
			return nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return ErrTimeout
		}
		timer := time.NewTimer(wait)
		select {
		case msg := <-d.msgs:
			d.Send(msg)
		case <-d.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Drain waits for the running commands to finish and drops their messages without delivering
// them (so a benchmark can close the store they read from).
func (d *Driver) Drain() {
	done := make(chan struct{})
	go func() {
		d.mu.Lock()
		for d.running > 0 {
			d.idle.Wait()
		}
		d.mu.Unlock()
		close(done)
	}()
	for {
		select {
		case <-d.msgs:
		case <-done:
			for len(d.msgs) > 0 {
				<-d.msgs
			}
			return
		}
	}
}
