package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

// isDone reports whether ctx is done without waiting.
func isDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

func TestVirtualWithTimeout(t *testing.T) {
	v := NewVirtual(epoch)
	v.RunUntil(time.Second)
	ctx, cancel := v.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if d, ok := ctx.Deadline(); !ok || !d.Equal(epoch.Add(6*time.Second)) {
		t.Errorf("Deadline() = %v, %v; want %v, true", d, ok, epoch.Add(6*time.Second))
	}
	v.RunUntil(6*time.Second - 1)
	if isDone(ctx) || ctx.Err() != nil {
		t.Fatalf("done before the deadline: Err() = %v", ctx.Err())
	}
	v.RunUntil(6 * time.Second)
	if !isDone(ctx) || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("at the deadline: done = %v, Err() = %v; want true, %v", isDone(ctx), ctx.Err(), context.DeadlineExceeded)
	}
	cancel() // after expiry: changes nothing
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("cancel after expiry changed Err() to %v", ctx.Err())
	}
}

func TestVirtualWithTimeoutCancel(t *testing.T) {
	v := NewVirtual(epoch)
	ctx, cancel := v.WithTimeout(context.Background(), 5*time.Second)
	cancel()
	if !isDone(ctx) || !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after cancel: done = %v, Err() = %v; want true, %v", isDone(ctx), ctx.Err(), context.Canceled)
	}
	cancel() // idempotent
	if n := v.RunUntil(time.Minute); n != 0 {
		t.Errorf("cancel left %d queue entries to run, want 0", n)
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err() after the deadline passed = %v, want %v", ctx.Err(), context.Canceled)
	}
}

func TestVirtualWithDeadline(t *testing.T) {
	type ctxKey struct{}
	bg := context.WithValue(context.Background(), ctxKey{}, "kept")
	tests := []struct {
		name         string
		parent       func(v *Virtual) (context.Context, context.CancelFunc)
		deadline     time.Duration // after epoch
		wantDeadline time.Duration
		wantDoneAt0  error // Err() right after creation
	}{
		{"future", func(*Virtual) (context.Context, context.CancelFunc) { return bg, func() {} }, 3 * time.Second, 3 * time.Second, nil},
		{"now is already past", func(*Virtual) (context.Context, context.CancelFunc) { return bg, func() {} }, 0, 0, context.DeadlineExceeded},
		{"before the epoch", func(*Virtual) (context.Context, context.CancelFunc) { return bg, func() {} }, -time.Hour, -time.Hour, context.DeadlineExceeded},
		{"earlier parent deadline wins", func(v *Virtual) (context.Context, context.CancelFunc) { return v.WithTimeout(bg, 2*time.Second) },
			3 * time.Second, 2 * time.Second, nil},
		{"later parent deadline loses", func(v *Virtual) (context.Context, context.CancelFunc) { return v.WithTimeout(bg, 9*time.Second) },
			3 * time.Second, 3 * time.Second, nil},
		{"parent already cancelled", func(*Virtual) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(bg)
			cancel()
			return ctx, cancel
		}, 3 * time.Second, 3 * time.Second, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewVirtual(epoch)
			parent, cancelParent := tt.parent(v)
			defer cancelParent()
			ctx, cancel := v.WithDeadline(parent, epoch.Add(tt.deadline))
			defer cancel()
			if d, _ := ctx.Deadline(); !d.Equal(epoch.Add(tt.wantDeadline)) {
				t.Errorf("Deadline() = %v, want %v", d, epoch.Add(tt.wantDeadline))
			}
			if got := ctx.Value(ctxKey{}); got != "kept" {
				t.Errorf("Value(key) = %v, want the parent's value", got)
			}
			if err := ctx.Err(); !errors.Is(err, tt.wantDoneAt0) || isDone(ctx) != (tt.wantDoneAt0 != nil) {
				t.Fatalf("right after creation Err() = %v, done = %v; want %v", err, isDone(ctx), tt.wantDoneAt0)
			}
			if tt.wantDoneAt0 != nil {
				return
			}
			v.RunUntil(tt.wantDeadline - 1)
			if isDone(ctx) {
				t.Fatalf("done at %v, before the deadline %v", v.Elapsed(), tt.wantDeadline)
			}
			v.RunUntil(tt.wantDeadline)
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Errorf("at the deadline Err() = %v, want %v", ctx.Err(), context.DeadlineExceeded)
			}
		})
	}
}

func TestVirtualContextParentCancel(t *testing.T) {
	t.Run("virtual parent: at once", func(t *testing.T) {
		v := NewVirtual(epoch)
		parent, cancelParent := v.WithTimeout(context.Background(), time.Hour)
		child, cancel := v.WithTimeout(parent, time.Minute)
		defer cancel()
		cancelParent()
		if !isDone(child) || !errors.Is(child.Err(), context.Canceled) {
			t.Errorf("child after parent cancel: done = %v, Err() = %v; want true, %v", isDone(child), child.Err(), context.Canceled)
		}
	})
	t.Run("child cancel deregisters from virtual parent", func(t *testing.T) {
		v := NewVirtual(epoch)
		parent, cancelParent := v.WithTimeout(context.Background(), time.Hour)
		defer cancelParent()
		_, cancel := v.WithTimeout(parent, time.Minute)
		cancel()
		if n := len(parent.(*deadlineCtx).afters); n != 0 {
			t.Errorf("parent still holds %d child callbacks", n)
		}
	})
	t.Run("other parent: lazily, on Err", func(t *testing.T) {
		v := NewVirtual(epoch)
		parent, cancelParent := context.WithCancel(context.Background())
		child, cancel := v.WithTimeout(parent, time.Minute)
		defer cancel()
		cancelParent()
		if !errors.Is(child.Err(), context.Canceled) {
			t.Errorf("child Err() after parent cancel = %v, want %v", child.Err(), context.Canceled)
		}
	})
	t.Run("other parent: lazily, when the deadline fires", func(t *testing.T) {
		v := NewVirtual(epoch)
		parent, cancelParent := context.WithCancel(context.Background())
		child, cancel := v.WithTimeout(parent, time.Minute)
		defer cancel()
		cancelParent()
		v.RunUntil(time.Minute)
		select {
		case <-child.(*deadlineCtx).done: // not via Done(), which checks the parent itself
		default:
			t.Fatal("child not done at its deadline")
		}
		if !errors.Is(child.Err(), context.Canceled) {
			t.Errorf("child Err() = %v, want the parent's %v", child.Err(), context.Canceled)
		}
	})
}

// TestVirtualContextDerived checks that standard contexts derived from a
// virtual one are cancelled in step with virtual time, without a goroutine.
func TestVirtualContextDerived(t *testing.T) {
	v := NewVirtual(epoch)
	ctx, cancel := v.WithTimeout(context.Background(), time.Second)
	defer cancel()
	derived, cancelDerived := context.WithCancel(ctx)
	defer cancelDerived()
	ran := false
	v.AfterFunc(time.Second, func() {
		// Runs after the deadline entry (scheduled earlier, same instant).
		ran = true
		if !isDone(derived) {
			t.Error("derived context not yet done when the next callback at the deadline ran")
		}
	})
	v.RunUntil(time.Second)
	if !ran {
		t.Fatal("callback at the deadline did not run")
	}
	if !errors.Is(derived.Err(), context.DeadlineExceeded) {
		t.Errorf("derived Err() = %v, want %v", derived.Err(), context.DeadlineExceeded)
	}
}
