package clock

import (
	"context"
	"sync"
	"time"
)

// WithDeadline returns a copy of parent that is cancelled with
// context.DeadlineExceeded when virtual time reaches d (read as epoch plus
// elapsed time), or at once if d is not after Now(). If parent has an
// earlier deadline, that one is used instead, also read as a virtual time.
// The CancelFunc cancels the context with context.Canceled and removes its
// queue entry; like everything that touches the queue, it must be called
// on the goroutine that runs the clock.
//
// Parent cancellation: if parent is itself a context made by a Virtual, its
// cancellation reaches the child at once. Any other parent with a Done
// channel is only checked when the deadline fires and whenever the child's
// Done or Err is called, because watching it would need a goroutine: a
// parent cancelled later is noticed lazily. context.Cause of the child
// reports the cause of its nearest standard-library ancestor, if any.
func (v *Virtual) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if parent == nil {
		panic("clock: WithDeadline with a nil parent context")
	}
	if cur, ok := parent.Deadline(); ok && cur.Before(d) {
		d = cur
	}
	c := &deadlineCtx{parent: parent, deadline: d, done: make(chan struct{})}
	if err := parent.Err(); err != nil {
		c.cancel(err)
		return c, func() {}
	}
	if a, ok := parent.(afterFuncer); ok {
		stop := a.AfterFunc(func() { c.cancel(parent.Err()) })
		c.mu.Lock()
		c.stopParent = stop
		c.mu.Unlock()
	} else {
		c.parentDone = parent.Done()
	}
	at := d.Sub(v.epoch)
	if at <= v.q.Now() {
		c.cancel(context.DeadlineExceeded)
		return c, func() { c.cancel(context.Canceled) }
	}
	h := v.q.At(at, func() {
		c.checkParent()
		c.cancel(context.DeadlineExceeded)
	})
	return c, func() {
		v.q.Cancel(h)
		c.cancel(context.Canceled)
	}
}

// WithTimeout is WithDeadline(parent, Now().Add(t)).
func (v *Virtual) WithTimeout(parent context.Context, t time.Duration) (context.Context, context.CancelFunc) {
	return v.WithDeadline(parent, v.Now().Add(t))
}

// afterFuncer is the interface the context package looks for on a parent
// context to learn of its cancellation without starting a goroutine.
type afterFuncer interface {
	AfterFunc(func()) func() bool
}

// deadlineCtx is a context whose deadline is a Virtual queue entry. The
// standard library's timer contexts would wait on the wall clock.
type deadlineCtx struct {
	parent     context.Context
	deadline   time.Time
	done       chan struct{}
	parentDone <-chan struct{} // checked lazily; nil when the parent tells us itself

	mu         sync.Mutex
	err        error
	afters     []*afterFunc
	stopParent func() bool // deregisters from an afterFuncer parent
}

type afterFunc struct{ f func() }

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *deadlineCtx) Done() <-chan struct{} {
	c.checkParent()
	return c.done
}

func (c *deadlineCtx) Err() error {
	c.checkParent()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *deadlineCtx) Value(key any) any { return c.parent.Value(key) }

func (c *deadlineCtx) String() string {
	return "clock.Virtual.WithDeadline(" + c.deadline.String() + ")"
}

// AfterFunc registers f to run when c is cancelled, synchronously on the
// goroutine that cancels it, or at once if c is already done. The context
// package uses it for contexts derived from c, so that they are cancelled
// in step with virtual time rather than by a watching goroutine. The
// returned stop reports whether it kept f from running.
func (c *deadlineCtx) AfterFunc(f func()) func() bool {
	a := &afterFunc{f: f}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		f()
		return func() bool { return false }
	}
	c.afters = append(c.afters, a)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, b := range c.afters {
			if b == a {
				c.afters = append(c.afters[:i], c.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

func (c *deadlineCtx) checkParent() {
	if c.parentDone == nil {
		return
	}
	select {
	case <-c.parentDone:
		c.cancel(c.parent.Err())
	default:
	}
}

// cancel records err unless c is already cancelled, closes Done and runs the
// registered funcs outside the lock, since they call back into c.
func (c *deadlineCtx) cancel(err error) {
	if err == nil { // a misbehaving parent must not leave Done closed with a nil Err
		err = context.Canceled
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	afters, stopParent := c.afters, c.stopParent
	c.afters = nil
	c.mu.Unlock()
	if stopParent != nil {
		stopParent()
	}
	for _, a := range afters {
		a.f()
	}
}
