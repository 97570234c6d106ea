package parallel

import (
	"sync/atomic"
	"testing"
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
