package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type countJob struct {
	hits  []atomic.Int32
	align int
	bad   atomic.Int32
}

func (j *countJob) Run(lo, hi int) {
	if j.align > 1 && lo%j.align != 0 {
		j.bad.Add(1)
	}
	for i := lo; i < hi; i++ {
		j.hits[i].Add(1)
	}
}

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		SetThreads(threads)
		for _, n := range []int{0, 1, 100, Grain, Grain + 1, 3*Grain + 7, 1 << 20} {
			for _, align := range []int{1, 64, 1000} {
				j := &countJob{hits: make([]atomic.Int32, n), align: align}
				For(n, align, j)
				for i := range j.hits {
					if j.hits[i].Load() != 1 {
						t.Fatalf("threads %d n %d align %d: index %d run %d times", threads, n, align, i, j.hits[i].Load())
					}
				}
				if j.bad.Load() != 0 {
					t.Errorf("threads %d n %d align %d: a range started off the alignment", threads, n, align)
				}
			}
		}
	}
	SetThreads(0)
}

type nopJob struct{}

func (j *nopJob) Run(lo, hi int) {}

func TestForAllocatesNothing(t *testing.T) {
	SetThreads(2)
	defer SetThreads(0)
	j := &nopJob{}
	For(1<<20, 1, j)
	if a := testing.AllocsPerRun(100, func() { For(1<<20, 1, j) }); a != 0 {
		t.Errorf("For allocates %v times per call", a)
	}
}

// rangeJob records the ranges it is given.
type rangeJob struct {
	calls atomic.Int32
	hits  []atomic.Int32
}

func (j *rangeJob) Run(lo, hi int) {
	j.calls.Add(1)
	for i := lo; i < hi; i++ {
		j.hits[i].Add(1)
	}
}

func TestForWorkSharesRowsOfWork(t *testing.T) {
	SetThreads(2)
	defer SetThreads(0)
	for _, c := range []struct {
		n, work int
		parts   int32
	}{
		{1024, 4000, 2},     // a 1024×4000 matrix by rows: shared
		{4000, 1024, 2},     // by columns
		{1024, 1, 1},        // 1024 elements: too little to share
		{1, 1 << 20, 1},     // one index cannot be split
		{Grain / 8, 8, 1},   // exactly Grain elements: one part
		{Grain/8 + 1, 8, 2}, // just over
		{3, 0, 1},           // work <= 0 counts as 1
		{2 * Grain, -5, 2},  // likewise
		{0, 100, 0},         // nothing to do
	} {
		j := &rangeJob{hits: make([]atomic.Int32, c.n)}
		ForWork(c.n, 1, c.work, j)
		if got := j.calls.Load(); got != c.parts {
			t.Errorf("ForWork(%d, 1, %d): %d parts, want %d", c.n, c.work, got, c.parts)
		}
		for i := range j.hits {
			if j.hits[i].Load() != 1 {
				t.Fatalf("ForWork(%d, 1, %d): index %d run %d times", c.n, c.work, i, j.hits[i].Load())
			}
		}
	}
}

// TestEachRunsEveryPartOnce: from several callers at once, each with more
// parts than the pool has goroutines.
func TestEachRunsEveryPartOnce(t *testing.T) {
	done := make(chan *countJob)
	for c := range 4 {
		go func() {
			j := &countJob{hits: make([]atomic.Int32, 3+5*c)}
			for range 50 {
				Each(len(j.hits), j)
			}
			done <- j
		}()
	}
	for range 4 {
		j := <-done
		for i := range j.hits {
			if n := j.hits[i].Load(); n != 50 {
				t.Errorf("%d parts: part %d run %d times, want 50", len(j.hits), i, n)
			}
		}
	}
	j := &countJob{hits: make([]atomic.Int32, 1)}
	Each(0, j)
	Each(1, j)
	if j.hits[0].Load() != 1 {
		t.Errorf("Each(1) ran part 0 %d times", j.hits[0].Load())
	}
	if a := testing.AllocsPerRun(100, func() { Each(2, &nopJob{}) }); a != 0 {
		t.Errorf("Each allocates %v times per call", a)
	}
}

// nestJob hands out work of its own from every part it runs.
type nestJob struct{ inner []atomic.Int32 }

func (j *nestJob) Run(lo, hi int) {
	for range hi - lo {
		Each(len(j.inner), (*innerJob)(j))
	}
}

type innerJob nestJob

func (j *innerJob) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		j.inner[i].Add(1)
	}
}

// TestNestedWorkDoesNotDeadlock: every pool goroutine busy with a part
// that waits for parts of its own; the waiters run the queued parts.
func TestNestedWorkDoesNotDeadlock(t *testing.T) {
	j := &nestJob{inner: make([]atomic.Int32, 8)}
	finished := make(chan struct{})
	go func() {
		Each(4*max(runtime.NumCPU(), 1), j)
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("nested Each did not finish in 30 s: a deadlock")
	}
	for i := range j.inner {
		if n, want := j.inner[i].Load(), int32(4*max(runtime.NumCPU(), 1)); n != want {
			t.Errorf("inner part %d run %d times, want %d", i, n, want)
		}
	}
}
