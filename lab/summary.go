package lab

import (
	"fmt"
	"io"
	"strings"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// WriteSummary writes a run's summary for people to read, as train
// prints it: where it is, how it ended, the network, the model's epoch,
// test and best validation results, the time.
func WriteSummary(w io.Writer, s *trainer.Summary) {
	termsafe.Fprintf(w, "run        %s\n", s.Run)
	termsafe.Fprintf(w, "status     %s after %d epochs (%d steps)\n", s.Status, s.Epochs, s.Steps)
	termsafe.Fprintf(w, "network    %s, %s parameters\n", s.Arch, Thousands(float64(s.Params)))
	termsafe.Fprintf(w, "model      the weights of epoch %d\n", s.ModelEpoch)
	if s.TestAccuracy != nil {
		loss := "not finite" // a diverged run's kept model can overflow on the test set
		if s.TestLoss != nil {
			loss = Loss(*s.TestLoss)
		}
		termsafe.Fprintf(w, "test       accuracy %.4f  loss %s\n", *s.TestAccuracy, loss)
	}
	if s.BestValAccuracy != nil {
		termsafe.Fprintf(w, "best val   accuracy %.4f at epoch %d\n", *s.BestValAccuracy, s.BestValEpoch)
	}
	termsafe.Fprintf(w, "time       %.2f s training, %s samples/s\n", s.TrainSeconds, Thousands(s.SamplesPerSecond))
}

// EndedLine tells in one line how a run ended and where it is saved:
// "runs/20261129-091933-iris: done after 3000 epochs, test accuracy 1.0000".
func EndedLine(s *trainer.Summary) string {
	line := termsafe.Sprintf("%s: %s after %d epochs", s.Run, s.Status, s.Epochs)
	if s.TestAccuracy != nil {
		line += fmt.Sprintf(", test accuracy %.4f", *s.TestAccuracy)
	}
	return line
}

// MissingLine says which of a sweep's total trials have no run yet (the
// first 20 of them): "sweep iris-lr: 2 of 8 trials have no run yet
// (trials 3, 7): their shards have not run them".
func MissingLine(sweep string, missing []int, total int) string {
	nums := make([]string, 0, len(missing))
	for i, n := range missing {
		if i == 20 {
			nums = append(nums, "...")
			break
		}
		nums = append(nums, fmt.Sprint(n))
	}
	return termsafe.Sprintf("sweep %s: %d of %d trials have no run yet (trials %s): their shards have not run them",
		sweep, len(missing), total, strings.Join(nums, ", "))
}
