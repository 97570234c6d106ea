// Package shard splits a sweep's plan among N processes that know nothing
// of each other: process K of N trains the trials numbered K, K+N, K+2N,
// ... (1-based), so N processes given the same plan cover every trial
// exactly once, whatever order they start in and on whichever hosts they
// run. Batch engines name the process: a Slurm job array's task, a
// Kubernetes Indexed Job's completion index; Parse reads them for "auto".
package shard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxN bounds the number of shards.
const MaxN = 1 << 20

// Shard is process K of N (1 <= K <= N). The zero value, like 1/1, is
// the whole plan.
type Shard struct {
	K, N int
	// From says where K and N came from: "" when given, else the
	// variables read ("SLURM_ARRAY_TASK_ID=3 of 4").
	From string
}

// Whole reports whether the shard is the whole plan.
func (s Shard) Whole() bool { return s.N <= 1 }

// String is "K/N", or "1/1" for the whole plan.
func (s Shard) String() string {
	if s.Whole() {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Owns reports whether trial (1-based) is this shard's.
func (s Shard) Owns(trial int) bool {
	if s.Whole() {
		return true
	}
	return trial >= 1 && (trial-1)%s.N == s.K-1
}

// Trials lists this shard's trials of a plan of total, in order.
func (s Shard) Trials(total int) []int {
	var out []int
	for t := 1; t <= total; t++ {
		if s.Owns(t) {
			out = append(out, t)
		}
	}
	return out
}

// The environment variables Parse reads for "auto".
const (
	SlurmID    = "SLURM_ARRAY_TASK_ID"
	SlurmMin   = "SLURM_ARRAY_TASK_MIN"
	SlurmMax   = "SLURM_ARRAY_TASK_MAX"
	SlurmCount = "SLURM_ARRAY_TASK_COUNT"
	SlurmStep  = "SLURM_ARRAY_TASK_STEP"
	K8sIndex   = "JOB_COMPLETION_INDEX"
)

// Lookup reads an environment variable, as os.LookupEnv does.
type Lookup func(name string) (string, bool)

// errSyntax is the error of a value that is neither K/N nor auto.
var errSyntax = errors.New("want K/N (shard K of N, 1 <= K <= N), auto (a Slurm array task) or auto/N (a Kubernetes Indexed Job of N completions)")

// Parse reads a --shard value: "K/N"; "auto", K and N from a Slurm job
// array's variables; or "auto/N", K from a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX (or a Slurm array of N tasks). The error says what
// is wrong with the value, in one line, without naming the flag.
func Parse(v string, env Lookup) (Shard, error) {
	v = strings.TrimSpace(v)
	head, tail, slash := strings.Cut(v, "/")
	if strings.EqualFold(head, "auto") {
		n := 0
		if slash {
			var err error
			if n, err = count(tail); err != nil {
				return Shard{}, err
			}
		}
		return auto(n, env)
	}
	if !slash {
		return Shard{}, errSyntax
	}
	k, err := strconv.Atoi(head)
	if err != nil {
		return Shard{}, errSyntax
	}
	n, err := count(tail)
	if err != nil {
		return Shard{}, err
	}
	if k < 1 || k > n {
		return Shard{}, fmt.Errorf("shard %d of %d: K counts from 1 to N", k, n)
	}
	return Shard{K: k, N: n}, nil
}

// count reads N.
func count(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errSyntax
	}
	if n < 1 || n > MaxN {
		return 0, fmt.Errorf("%d shards: want N from 1 to %d", n, MaxN)
	}
	return n, nil
}

// auto reads K and N from the engine's variables; n is N as given (0:
// not given).
func auto(n int, env Lookup) (Shard, error) {
	get := func(name string) (string, bool) {
		v, ok := env(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	if idx, ok := get(K8sIndex); ok && (n > 0 || !has(get, SlurmID)) {
		if n == 0 {
			return Shard{}, fmt.Errorf("%s is set but not the number of shards: give auto/N, N the Job's completions", K8sIndex)
		}
		i, err := number(K8sIndex, idx)
		if err != nil {
			return Shard{}, err
		}
		if i < 0 || i >= n {
			return Shard{}, fmt.Errorf("%s=%d is not an index of %d completions (0 to %d)", K8sIndex, i, n, n-1)
		}
		return Shard{K: i + 1, N: n, From: fmt.Sprintf("%s=%d of %d", K8sIndex, i, n)}, nil
	}
	if has(get, SlurmID) {
		s, err := slurm(get)
		if err != nil {
			return Shard{}, err
		}
		if n > 0 && n != s.N {
			return Shard{}, fmt.Errorf("auto/%d, but the Slurm array has %d tasks", n, s.N)
		}
		return s, nil
	}
	return Shard{}, fmt.Errorf("auto, but neither %s (a Slurm job array) nor %s (a Kubernetes Indexed Job) is set: give K/N", SlurmID, K8sIndex)
}

func has(get func(string) (string, bool), name string) bool {
	_, ok := get(name)
	return ok
}

func number(name, v string) (int, error) {
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
	}
	return i, nil
}

// slurm derives K and N from a Slurm array task's variables: the task's
// place among the array's indices MIN, MIN+STEP, ..., MAX (COUNT of them).
func slurm(get func(string) (string, bool)) (Shard, error) {
	vals := map[string]int{}
	for _, name := range []string{SlurmID, SlurmMin, SlurmMax, SlurmCount, SlurmStep} {
		if v, ok := get(name); ok {
			i, err := number(name, v)
			if err != nil {
				return Shard{}, err
			}
			vals[name] = i
		}
	}
	id := vals[SlurmID]
	lo, okMin := vals[SlurmMin]
	hi, okMax := vals[SlurmMax]
	cnt, okCount := vals[SlurmCount]
	if !okMin || !okMax && !okCount {
		return Shard{}, fmt.Errorf("%s is set without %s and %s or %s", SlurmID, SlurmMin, SlurmMax, SlurmCount)
	}
	step := 1
	if s, ok := vals[SlurmStep]; ok && s > 1 {
		step = s
	}
	if okMax && hi < lo {
		return Shard{}, fmt.Errorf("%s=%d is below %s=%d", SlurmMax, hi, SlurmMin, lo)
	}
	n := cnt
	if okMax {
		span := (hi-lo)/step + 1
		if okCount && cnt != span {
			return Shard{}, fmt.Errorf("the Slurm array's indices have gaps (%d tasks from %d to %d): give --array=A-B, or K/N", cnt, lo, hi)
		}
		n = span
	}
	if n < 1 || n > MaxN {
		return Shard{}, fmt.Errorf("a Slurm array of %d tasks: want 1 to %d", n, MaxN)
	}
	if id < lo || (id-lo)%step != 0 || (id-lo)/step >= n {
		return Shard{}, fmt.Errorf("%s=%d is not one of the array's %d indices from %d by %d", SlurmID, id, n, lo, step)
	}
	k := (id-lo)/step + 1
	return Shard{K: k, N: n, From: fmt.Sprintf("%s=%d of %d", SlurmID, id, n)}, nil
}
