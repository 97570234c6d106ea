package trainer

import (
	"sync"
	"time"
)

// Kind says what an Event reports.
type Kind string

// Event kinds, in the order a run produces them.
const (
	Loading    Kind = "loading"    // data being read or downloaded: Message, Done and Total bytes
	Started    Kind = "started"    // training begins: Info
	Progress   Kind = "progress"   // within an epoch, at most about 10 a second
	EpochEnd   Kind = "epoch"      // an epoch finished: Metrics
	EditDone   Kind = "edit"       // a hyperparameter changed: Field, Value
	Paused     Kind = "paused"     // training waits for Resume
	Resumed    Kind = "resumed"    // training goes on
	Checkpoint Kind = "checkpoint" // model and checkpoint saved
	Warning    Kind = "warning"    // a layer raised a warning (see LayerFlag): Message, and Layers
	Finished   Kind = "finished"   // the run ended (done, stopped, interrupted or diverged): Summary
	Failed     Kind = "failed"     // the run could not go on: Err, and Summary when a run directory exists
)

// Event is one thing that happened in a run. Fields not relevant to the
// Kind are zero.
type Event struct {
	Kind  Kind
	Time  time.Time
	Epoch int   // the epoch under way (1-based); for EpochEnd, the epoch that ended
	Step  int64 // optimizer steps taken so far

	// Progress
	Batch, Batches int     // batches done in this epoch, and per epoch
	SamplesPerSec  float64 // training throughput so far in this epoch
	Loss, Accuracy float64 // running training loss and accuracy of this epoch

	Metrics *EpochMetrics // EpochEnd
	// Predictions holds, for Started and EpochEnd, the class
	// probabilities of RunInfo.Samples (see Options.Samples).
	Predictions [][]float32
	Info        *RunInfo // Started
	Field       string   // EditDone: "lr" or "dropout"
	Value       float64  // EditDone
	Message     string   // Loading, Paused, Finished: a human-readable line
	Done        int64    // Loading: bytes so far
	Total       int64    // Loading: bytes expected, or -1
	Summary     *Summary // Finished, Failed
	// Boundary is, on some Progress events and on Finished, the decision
	// boundary over RunInfo.Plane (see Options.Boundary).
	Boundary *Boundary
	// Layers is, on some Progress events and on Warning, the statistics
	// of every layer from a recent step (unless Options.NoLayerStats).
	Layers *NetStats
	Err    error // Failed
}

// SampleSplit names a part of a data set: the one samples are shown from.
type SampleSplit string

// The parts samples are shown from.
const (
	SamplesVal   SampleSplit = "validation"
	SamplesTrain SampleSplit = "training"
	SamplesTest  SampleSplit = "test"
)

// RunInfo describes a run as it starts.
type RunInfo struct {
	Dir        string   // run directory
	Config     Config   // the settings in force
	Arch       string   // layer widths, "4-1000-100-3"
	Params     int      // weights and biases
	Classes    []string // class names
	InputShape []int    // [features] or [channels, height, width]
	Train      int      // training samples
	Val        int      // validation samples
	Test       int      // test samples
	Batches    int      // steps per epoch
	StartEpoch int      // epochs already done (a resumed run)
	StartStep  int64    // steps already done (a resumed run)
	Samples    []Sample // samples whose predictions events carry, of the part SamplesOf names
	Plane      *Plane   // a data set of two features, with Options.Boundary: where its boundary is drawn
	// SamplesOf names the part of the data set Samples are from, of
	// SamplesFrom samples: validation (or training, without a validation
	// part) while a run trains; test for a saved model.
	SamplesOf   SampleSplit
	SamplesFrom int
	// Features names a table's input columns (Sample.Cells holds their
	// values): the CSV header's names, or Iris's measurements.
	Features []string
}

// Sample is one test sample as stored: raw pixels or raw feature values,
// before normalization.
type Sample struct {
	Index int       // in the test set
	Label int       // true class
	Pix   []byte    // images: channels×height×width bytes
	X     []float32 // tables: the feature values
	Cells []string  // CSV tables: the row's cells as written, one per Features name ("" missing)
}

// EpochMetrics is one row of metrics.csv, with the validation confusion
// matrix.
type EpochMetrics struct {
	Epoch     int
	Step      int64
	Seconds   float64 // training time so far, evaluation excluded
	LR        float64 // learning rate of the epoch's last step
	TrainLoss float64
	TrainAcc  float64
	ValLoss   float64 // NaN without a validation split
	ValAcc    float64 // NaN without a validation split
	// SamplesPerSec is the epoch's training throughput.
	SamplesPerSec float64
	// Confusion[true][predicted] counts validation samples; nil without
	// a validation split.
	Confusion [][]int
}

// queue holds events between the training goroutine, which must never
// wait, and the reader of the events channel, who may be slow. Important
// events are all kept; consecutive progress events collapse into the
// latest.
type queue struct {
	mu     sync.Mutex
	events []Event
	closed bool
	wake   chan struct{}
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

func (q *queue) push(e Event) {
	q.mu.Lock()
	if n := len(q.events); e.Kind == Progress && n > 0 && q.events[n-1].Kind == Progress {
		if e.Boundary == nil {
			e.Boundary = q.events[n-1].Boundary // the latest boundary is kept
		}
		if e.Layers == nil {
			e.Layers = q.events[n-1].Layers // and the latest statistics
		}
		q.events[n-1] = e
	} else {
		q.events = append(q.events, e)
	}
	q.mu.Unlock()
	q.signal()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// forward delivers events to out in order and closes out after the last.
func (q *queue) forward(out chan<- Event) {
	defer close(out)
	for range q.wake {
		q.mu.Lock()
		batch, closed := q.events, q.closed
		q.events = nil
		q.mu.Unlock()
		for _, e := range batch {
			out <- e
		}
		if closed {
			q.mu.Lock()
			rest := q.events
			q.mu.Unlock()
			for _, e := range rest {
				out <- e
			}
			return
		}
	}
}
