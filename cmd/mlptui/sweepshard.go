package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/internal/shard"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// clusterFlags are the flags of a sweep that many processes share: which
// trials this one trains (--shard, --trial), what it prints instead of
// training (--plan, --leaderboard) and when another host's trial lock
// counts as abandoned (--stale-after).
type clusterFlags struct {
	shardValue  string
	shardSet    bool
	trial       int
	plan        bool
	leaderboard bool
	staleAfter  time.Duration
}

// lookupEnv reads the engines' variables for --shard auto; tests replace
// it.
var lookupEnv shard.Lookup = os.LookupEnv

func (c *clusterFlags) register(fs *flag.FlagSet) {
	fs.Func("shard", "train only shard `K/N` of the trials: trials K, K+N, K+2N ... (N processes cover every trial once); "+
		"auto: K and N of a Slurm array task (SLURM_ARRAY_TASK_ID, _MIN, _MAX or _COUNT); auto/N: K of a Kubernetes Indexed Job of N completions (JOB_COMPLETION_INDEX)",
		func(v string) error {
			c.shardValue, c.shardSet = v, true
			return nil
		})
	fs.IntVar(&c.trial, "trial", 0, "train only trial `I` of the plan (1-based, as --plan numbers them)")
	fs.BoolVar(&c.plan, "plan", false, "print the trials as JSON lines (number, name, settings) without training")
	fs.BoolVar(&c.leaderboard, "leaderboard", false, "print the whole sweep's ranking from the runs on disk (every host's) without training")
	c.staleAfter = runlock.DefaultStaleAfter
	fs.Func("stale-after", fmt.Sprintf("take over a trial another host holds once its heartbeat is this `duration` old (default %v; a holder refreshes it every %v)",
		runlock.DefaultStaleAfter, runlock.DefaultHeartbeat), func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a duration above 0, like 5m or 90s")
		}
		c.staleAfter = d
		return nil
	})
}

// scope checks the flags against each other and a plan of total trials,
// and returns the part of the plan this process trains.
func (c *clusterFlags) scope(total int) (lab.Scope, error) {
	var s lab.Scope
	if c.plan && c.leaderboard {
		return s, usagef("--plan and --leaderboard: choose one")
	}
	if c.trial != 0 && c.shardSet {
		return s, usagef("--trial and --shard: choose one")
	}
	if c.trial < 0 || c.trial > total {
		return s, usagef("--trial %d: want 1 to %d, the plan's trials (--plan lists them)", c.trial, total)
	}
	s.Trial = c.trial
	if !c.shardSet {
		return s, nil
	}
	v := c.shardValue
	if c.leaderboard && strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "auto") {
		return s, nil // the whole sweep: the engine's variables are not needed
	}
	sh, err := shard.Parse(v, lookupEnv)
	if err != nil {
		return s, usagef("--shard %s: %v", v, err)
	}
	s.Shard = sh
	return s, nil
}

// scopeText is " " and the scope's name, or "" for the whole plan.
func scopeText(s lab.Scope) string {
	if s.All() {
		return ""
	}
	return " " + s.String()
}

// printPlan writes the scope's trials as JSON lines.
func printPlan(e *env, sw *lab.Sweep, diffs []trainer.Difference) error {
	enc := json.NewEncoder(e.stdout)
	for _, l := range sw.PlanLines(diffs) {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}

// showLeaderboard prints the whole sweep's ranking from the runs on disk,
// saying which trials have none yet.
func showLeaderboard(e *env, sw *lab.Sweep, diffs []trainer.Difference, jsonOut bool) error {
	missing, err := sw.FindRuns()
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		fmt.Fprintln(e.stderr, lab.MissingLine(sw.Name, missing, len(sw.Plan)))
	}
	return writeBoard(e, lab.Leaderboard(sw.Plan, diffs), diffs, jsonOut)
}

// writeBoard prints the board: a JSON array, or a table.
func writeBoard(e *env, board []lab.BoardEntry, diffs []trainer.Difference, jsonOut bool) error {
	if jsonOut {
		return json.NewEncoder(e.stdout).Encode(board)
	}
	printLeaderboard(e, board, diffs)
	return nil
}
