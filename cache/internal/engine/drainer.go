package engine

// The background drainer: with Options.BackgroundDrain, a reader that
// fills a ring does not drain it itself but wakes a goroutine of the
// engine's that drains every ring under the lock, as otter's executor
// does. A Get hit then costs the lookup and one ring slot whatever the
// policy costs per record: the adaptive policy with its estimate
// miniatures costs several times a hit (docs/CACHE.md, "The memory
// backend"), and a reader that drains pays it inline. The price is lossy
// order: records that find their ring full before the drainer runs are
// dropped, which the policy tolerates (it orders by a sample of the reads).

// A drainer is the goroutine that drains the engine's buffers on request.
type drainer struct {
	wake chan struct{} // a request to drain; buffered, so a wake never blocks
	quit chan struct{}
	done chan struct{}
}

// startDrainer starts e's drainer.
func (e *Engine[V]) startDrainer() {
	d := &drainer{wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	e.drainer = d
	go func() {
		defer close(d.done)
		for {
			select {
			case <-d.wake:
				e.mu.Lock()
				if !e.stopped {
					e.drainAll()
				}
				e.mu.Unlock()
			case <-d.quit:
				return
			}
		}
	}()
}

// wakeUp asks the drainer to run, unless a request is pending.
func (d *drainer) wakeUp() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// stop ends the drainer's goroutine and waits for it.
func (d *drainer) stop() {
	close(d.quit)
	<-d.done
}
