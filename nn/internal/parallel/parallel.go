// Package parallel splits work over one pool of long-lived goroutines
// without allocating: a job is any value with a Run(lo, hi) method; For
// hands out contiguous ranges of it (element-wise work), Each numbered
// parts (the matrix multiply's). A caller waiting for its parts runs those
// still queued itself.
//
// Results never depend on the number of threads as long as a job's Run
// treats each index independently, or (for reductions and random streams)
// derives its work from fixed-size blocks rather than from the range it is
// given: see [Blocks].
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Job is work over the indices [0, n): Run(lo, hi) does [lo, hi).
type Job interface {
	Run(lo, hi int)
}

// Grain is the least number of indices worth handing to another goroutine;
// smaller work runs on the caller.
const Grain = 1 << 14

var threads atomic.Int32

// SetThreads sets how many goroutines (the caller included) share a call;
// n <= 0 means runtime.GOMAXPROCS(0).
func SetThreads(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	threads.Store(int32(n))
}

// Threads reports the number of goroutines that share a call.
func Threads() int {
	if t := threads.Load(); t > 0 {
		return int(t)
	}
	return runtime.GOMAXPROCS(0)
}

type task struct {
	job    Job
	lo, hi int
	g      *group
}

var (
	startOnce sync.Once
	tasks     chan task
)

func (t task) run() {
	t.job.Run(t.lo, t.hi)
	t.g.done()
}

func start() {
	tasks = make(chan task, 256)
	for range max(runtime.NumCPU(), 1) {
		go func() {
			for t := range tasks {
				t.run()
			}
		}()
	}
}

// For runs job over [0, n), split into up to Threads() contiguous ranges
// whose bounds are multiples of align (align <= 1: any bounds), and
// returns when all are done. The caller runs the first range itself.
func For(n, align int, job Job) { ForWork(n, align, 1, job) }

// ForWork is For for a job whose every index stands for work elements
// (a row of a matrix, say): it shares the job out once n·work reaches
// Grain, where For would wait for n alone to reach it.
func ForWork(n, align, work int, job Job) {
	if n <= 0 {
		return
	}
	if align < 1 {
		align = 1
	}
	work = max(work, 1)
	parts := min(Threads(), n, (n*work+Grain-1)/Grain)
	if parts <= 1 {
		job.Run(0, n)
		return
	}
	// Range size rounded up to the alignment.
	size := (n + parts - 1) / parts
	size = (size + align - 1) / align * align
	share(job, n, size)
}

// Each runs job.Run(i, i+1) for every i in [0, n), i = 0 on the caller
// and the others on the pool, and returns when all are done: for a caller
// that has split its work into n parts itself (the matrix multiply, by
// its own thread count), so Threads and Grain do not apply.
func Each(n int, job Job) {
	if n <= 0 {
		return
	}
	if n == 1 {
		job.Run(0, 1)
		return
	}
	share(job, n, 1)
}

// share runs job over [0, n) in ranges of size: the first on the caller,
// the others on the pool, and returns when all are done.
func share(job Job, n, size int) {
	startOnce.Do(start)
	g := groups.Get().(*group)
	first := min(size, n)
	for lo := first; lo < n; lo += size {
		g.add(1)
		tasks <- task{job: job, lo: lo, hi: min(lo+size, n), g: g}
	}
	job.Run(0, first)
	g.wait()
	groups.Put(g)
}

// Blocks returns how many blocks of size b cover n indices.
func Blocks(n, b int) int { return (n + b - 1) / b }
