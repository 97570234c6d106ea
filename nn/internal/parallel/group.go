package parallel

import (
	"sync"
	"sync/atomic"
)

// A group waits for the tasks one call handed to the pool. While it waits
// it runs queued tasks itself: a caller that finishes its own part before
// a pool goroutine has woken up to take the next one (waking a sleeping
// thread takes 0.1-1 ms on a virtual machine) does that part instead of
// sleeping, and a job may hand out work of its own without a deadlock.
type group struct {
	pending atomic.Int32 // what wg counts, readable without blocking
	wg      sync.WaitGroup
}

var groups = sync.Pool{New: func() any { return new(group) }}

// add counts n more tasks.
func (g *group) add(n int) {
	g.pending.Add(int32(n))
	g.wg.Add(n)
}

// done marks one task finished.
func (g *group) done() {
	g.pending.Add(-1)
	g.wg.Done()
}

// wait returns once every task added is done.
func (g *group) wait() {
	for g.pending.Load() > 0 {
		select {
		case t := <-tasks:
			t.run()
		default: // none is queued: the rest are running
			g.wg.Wait()
			return
		}
	}
	g.wg.Wait()
}
