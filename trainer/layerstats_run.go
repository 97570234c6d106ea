package trainer

import (
	"fmt"
	"time"
)

// statsDue reports whether the step under way should take the layer
// statistics: at most every statsEvery and never more than statsShare of
// the time (a collection that took d waits d/statsShare for the next);
// an epoch's last full batch takes them when none of its steps did and
// the share allows, so that layers.csv gets a row per epoch where it can.
// Only full batches are measured.
func (t *trainer) statsDue(rows int) bool {
	if t.stats == nil || rows < t.batchSize {
		return false // an epoch's short last batch would count units dead that are not
	}
	lastFull := t.batches
	if t.data.Train.Len()%t.batchSize != 0 {
		lastFull--
	}
	lastOfEpoch := t.batch+1 == lastFull
	now := t.opt.Now()
	if !now.Before(t.nextStats) {
		return true
	}
	fresh := t.lastStats != nil && t.lastStats.Epoch == t.epoch+1
	return lastOfEpoch && !fresh && !now.Before(t.nextForced)
}

// statsTaken finishes the statistics of the step just taken (its update
// made), sets when the next are due and logs the warnings it raised.
func (t *trainer) statsTaken(lr, loss float64) {
	// The low update ratio is no fault while a schedule, warm-up or
	// plateau holds the rate under a tenth of the run's, nor once the
	// loss is near 0.
	s := t.stats.afterStep(lr < 0.1*t.baseLR || loss < convergedLoss)
	t.noteStats(s)
}

// statsAtDivergence takes the statistics of a step whose loss was not
// finite (no update made): they show which layers' gradients exploded.
func (t *trainer) statsAtDivergence() {
	if t.stats == nil {
		return
	}
	t.stats.beforeStep(t.epoch+1, t.step, t.optim.LR())
	t.noteStats(t.stats.noStep())
}

// noteStats keeps s, paces the next collection and raises the warnings
// that rose since the last: each layer's flag is logged (events.jsonl,
// and a Warning event) when it appears, once an epoch at most.
func (t *trainer) noteStats(s *NetStats) {
	now := t.opt.Now()
	took := t.stats.took
	t.stats.took = 0
	wait := time.Duration(float64(took) / statsShare)
	t.nextStats = now.Add(max(statsEvery, wait))
	t.nextForced = now.Add(wait)
	t.lastStats, t.statsSent = s, false
	for _, l := range s.Layers {
		for i := range numFlags {
			f := LayerFlag(1 << i)
			key := fmt.Sprintf("%s/%d", l.Name, i)
			rose := l.Flags&f != 0 && t.flagsBefore[l.Name]&f == 0
			if ep, ok := t.raised[key]; !rose || ok && ep >= s.Epoch {
				continue
			}
			t.raised[key] = s.Epoch
			msg := l.Warning(f, s.Rows)
			t.logEvent("layer-warning", msg)
			t.emit(Event{Kind: Warning, Epoch: s.Epoch, Step: s.Step, Message: msg, Layers: s})
		}
		t.flagsBefore[l.Name] = l.Flags
	}
}

// statsToSend returns the latest statistics once, for a Progress event.
func (t *trainer) statsToSend() *NetStats {
	if t.lastStats == nil || t.statsSent {
		return nil
	}
	t.statsSent = true
	return t.lastStats
}
