package shard

import (
	"strconv"
	"strings"
	"testing"
)

func vars(kv ...string) Lookup {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// TestCoverEveryTrialOnce: for every N and plan size, the N shards own
// every trial exactly once and differ by at most one trial in size.
func TestCoverEveryTrialOnce(t *testing.T) {
	for n := 1; n <= 9; n++ {
		for total := 0; total <= 40; total++ {
			owners := make([]int, total+1)
			lo, hi := total, 0
			for k := 1; k <= n; k++ {
				s := Shard{K: k, N: n}
				got := s.Trials(total)
				lo, hi = min(lo, len(got)), max(hi, len(got))
				for _, tr := range got {
					if !s.Owns(tr) {
						t.Fatalf("%v lists trial %d it does not own", s, tr)
					}
					owners[tr]++
				}
			}
			for tr := 1; tr <= total; tr++ {
				if owners[tr] != 1 {
					t.Fatalf("N=%d, %d trials: trial %d owned by %d shards", n, total, tr, owners[tr])
				}
			}
			if hi-lo > 1 {
				t.Errorf("N=%d, %d trials: shards of %d to %d trials", n, total, lo, hi)
			}
		}
	}
}

func TestAssignmentIsFixed(t *testing.T) {
	// The assignment is part of the interface (docs/cluster.md): shard K
	// of N takes trials K, K+N, ...
	for _, tc := range []struct {
		s    Shard
		want string
	}{
		{Shard{}, "1 2 3 4 5 6 7 8 9 10 11 12"},
		{Shard{K: 1, N: 1}, "1 2 3 4 5 6 7 8 9 10 11 12"},
		{Shard{K: 1, N: 5}, "1 6 11"},
		{Shard{K: 2, N: 5}, "2 7 12"},
		{Shard{K: 5, N: 5}, "5 10"},
		{Shard{K: 3, N: 3}, "3 6 9 12"},
		{Shard{K: 12, N: 13}, "12"},
		{Shard{K: 13, N: 13}, ""},
	} {
		var parts []string
		for _, tr := range tc.s.Trials(12) {
			parts = append(parts, strconv.Itoa(tr))
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("%v of 12: %q, want %q", tc.s, got, tc.want)
		}
	}
	if (Shard{K: 2, N: 3}).Owns(0) || (Shard{K: 1, N: 3}).Owns(-2) {
		t.Error("owns a trial before the first")
	}
}

func TestParse(t *testing.T) {
	slurm := func(id, lo, hi, cnt string) []string {
		kv := []string{SlurmID, id, SlurmMin, lo}
		if hi != "" {
			kv = append(kv, SlurmMax, hi)
		}
		if cnt != "" {
			kv = append(kv, SlurmCount, cnt)
		}
		return kv
	}
	for _, tc := range []struct {
		v    string
		env  []string
		k, n int
	}{
		{"1/1", nil, 1, 1},
		{"3/4", nil, 3, 4},
		{" 4/4 ", nil, 4, 4},
		{"5/5", slurm("0", "0", "3", "4"), 5, 5}, // given: the variables are not read
		{"auto", slurm("0", "0", "3", "4"), 1, 4},
		{"auto", slurm("3", "0", "3", "4"), 4, 4},
		{"AUTO", slurm("7", "5", "8", ""), 3, 4},
		{"auto", slurm("1", "1", "", "4"), 1, 4},
		{"auto", append(slurm("6", "0", "6", "4"), SlurmStep, "2"), 4, 4},
		{"auto", append(slurm("2", "0", "6", ""), SlurmStep, "2"), 2, 4},
		{"auto", slurm("2", "2", "2", "1"), 1, 1},
		{"auto/4", slurm("2", "1", "4", "4"), 2, 4},
		{"auto/4", []string{K8sIndex, "0"}, 1, 4},
		{"auto/4", []string{K8sIndex, "3"}, 4, 4},
		{"auto/3", append(slurm("1", "1", "4", "4"), K8sIndex, "2"), 3, 3}, // a Job's index wins with N
		{"auto", append(slurm("1", "1", "4", "4"), K8sIndex, "2"), 1, 4},   // without N, Slurm's
	} {
		s, err := Parse(tc.v, vars(tc.env...))
		if err != nil {
			t.Errorf("%q %v: %v", tc.v, tc.env, err)
			continue
		}
		if s.K != tc.k || s.N != tc.n {
			t.Errorf("%q %v: %d/%d, want %d/%d", tc.v, tc.env, s.K, s.N, tc.k, tc.n)
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(tc.v)), "auto") == (s.From == "") {
			t.Errorf("%q: From %q", tc.v, s.From)
		}
	}
}

func TestParseBad(t *testing.T) {
	for _, tc := range []struct {
		v    string
		env  []string
		want string // in the error
	}{
		{"0/4", nil, "shard 0 of 4"},
		{"5/4", nil, "shard 5 of 4"},
		{"-1/4", nil, "shard -1 of 4"},
		{"1/0", nil, "0 shards"},
		{"1/-3", nil, "-3 shards"},
		{"1/9999999999", nil, "want N from 1"},
		{"abc", nil, "want K/N"},
		{"", nil, "want K/N"},
		{"3", nil, "want K/N"},
		{"1/2/3", nil, "want K/N"},
		{"a/4", nil, "want K/N"},
		{"1/b", nil, "want K/N"},
		{"1.5/4", nil, "want K/N"},
		{"auto", nil, "neither SLURM_ARRAY_TASK_ID"},
		{"auto", []string{SlurmID, ""}, "neither SLURM_ARRAY_TASK_ID"},
		{"auto/4", nil, "neither SLURM_ARRAY_TASK_ID"},
		{"auto/0", nil, "0 shards"},
		{"auto/x", nil, "want K/N"},
		{"auto", []string{K8sIndex, "1"}, "give auto/N"},
		{"auto/4", []string{K8sIndex, "4"}, "not an index of 4"},
		{"auto/4", []string{K8sIndex, "-1"}, "not an index of 4"},
		{"auto/4", []string{K8sIndex, "one"}, "not a whole number"},
		{"auto", []string{SlurmID, "3"}, "without SLURM_ARRAY_TASK_MIN"},
		{"auto", []string{SlurmID, "3", SlurmMax, "3"}, "without SLURM_ARRAY_TASK_MIN"},
		{"auto", []string{SlurmID, "x", SlurmMin, "0", SlurmMax, "3"}, `SLURM_ARRAY_TASK_ID="x"`},
		{"auto", []string{SlurmID, "4", SlurmMin, "0", SlurmMax, "3"}, "not one of the array's 4 indices"},
		{"auto", []string{SlurmID, "1", SlurmMin, "2", SlurmMax, "3"}, "not one of the array's 2 indices"},
		{"auto", []string{SlurmID, "1", SlurmMin, "0", SlurmMax, "6", SlurmStep, "2"}, "not one of the array's 4 indices from 0 by 2"},
		{"auto", []string{SlurmID, "1", SlurmMin, "1", SlurmMax, "7", SlurmCount, "4"}, "gaps"},
		{"auto", []string{SlurmID, "1", SlurmMin, "5", SlurmMax, "1"}, "below"},
		{"auto/3", []string{SlurmID, "1", SlurmMin, "1", SlurmMax, "4"}, "has 4 tasks"},
	} {
		s, err := Parse(tc.v, vars(tc.env...))
		if err == nil {
			t.Errorf("%q %v: %v, want an error", tc.v, tc.env, s)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("%q %v: %q, want one line with %q", tc.v, tc.env, msg, tc.want)
		}
	}
}
