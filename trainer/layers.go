package trainer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/nn"
)

// LayerRow is one row of layers.csv: one layer's statistics at the last
// step of an epoch that took them (see NetStats).
type LayerRow struct {
	Epoch       int
	Step        int64
	Layer       string // "dense.0", "norm.1"
	Kind        string // nn.KindDense, nn.KindLayerNorm, nn.KindBatchNorm
	Block       int    // residual block from 1; 0 for none
	Units       int
	WeightMean  float64
	WeightStd   float64
	OutMean     float64
	OutStd      float64
	ActMean     float64 // NaN without an activation
	ActStd      float64
	Dead        float64 // NaN without an activation
	GradMean    float64
	GradStd     float64
	GradNorm    float64
	UpdateRatio float64 // NaN when unknown
	Flags       LayerFlag
}

// layersHeader is the first line of layers.csv.
const layersHeader = "epoch,step,layer,kind,block,units,weight_mean,weight_std,out_mean,out_std,act_mean,act_std,dead,grad_mean,grad_std,grad_norm,update_ratio,flags"

const layersFields = 18

// layerRows turns statistics into rows of layers.csv.
func layerRows(s *NetStats) []LayerRow {
	rows := make([]LayerRow, len(s.Layers))
	for i, l := range s.Layers {
		act := l.Act
		if act.N == 0 {
			act.Mean, act.Std = math.NaN(), math.NaN()
		}
		rows[i] = LayerRow{Epoch: s.Epoch, Step: s.Step, Layer: l.Name, Kind: l.Kind, Block: l.Block, Units: l.Units,
			WeightMean: l.Weights.Mean, WeightStd: l.Weights.Std, OutMean: l.Out.Mean, OutStd: l.Out.Std,
			ActMean: act.Mean, ActStd: act.Std, Dead: l.Dead, GradMean: l.Grad.Mean, GradStd: l.Grad.Std,
			GradNorm: l.GradNorm, UpdateRatio: l.UpdateRatio, Flags: l.Flags}
	}
	return rows
}

// layersLines formats rows as lines of layers.csv.
func layersLines(rows []LayerRow) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%s,%s,%d,%d", r.Epoch, r.Step, r.Layer, r.Kind, r.Block, r.Units)
		for _, v := range []float64{r.WeightMean, r.WeightStd, r.OutMean, r.OutStd, r.ActMean, r.ActStd, r.Dead,
			r.GradMean, r.GradStd, r.GradNorm, r.UpdateRatio} {
			b.WriteByte(',')
			b.WriteString(ftoa(v))
		}
		b.WriteString("," + r.Flags.String() + "\n")
	}
	return b.Bytes()
}

// appendLayers appends rows to layers.csv (its header first if new),
// synced, as metrics.csv.
func appendLayers(path string, rows []LayerRow) error {
	return appendFile(path, []byte(layersHeader+"\n"), layersLines(rows))
}

// ReadLayers reads a run's layers.csv. Errors name the file and line; a
// run without the file (one written before it existed, or one trained
// without the statistics) is an error saying so.
func ReadLayers(dir string) ([]LayerRow, error) {
	path := filepath.Join(dir, LayersFile)
	b, err := readSmall(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s: the run has no layer statistics (trained by an older mlptui, or not an epoch long)", dir, LayersFile)
	}
	if err != nil {
		return nil, err
	}
	return parseLayers(path, completeLines(b))
}

var layerKinds = []string{nn.KindDense, nn.KindLayerNorm, nn.KindBatchNorm}

func parseLayers(path string, b []byte) ([]LayerRow, error) {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != layersHeader {
		return nil, fmt.Errorf("%s:1: header is not %q", path, layersHeader)
	}
	var rows []LayerRow
	for i, line := range lines[1:] {
		r, err := parseLayerRow(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+2, err)
		}
		if n := len(rows); n > 0 && (r.Epoch < rows[n-1].Epoch || r.Step < rows[n-1].Step) {
			return nil, fmt.Errorf("%s:%d: epoch %d step %d follows epoch %d step %d", path, i+2, r.Epoch, r.Step, rows[n-1].Epoch, rows[n-1].Step)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// parseLayerRow reads one line of layers.csv and checks its ranges.
func parseLayerRow(line string) (LayerRow, error) {
	f := strings.Split(strings.TrimSpace(line), ",")
	if len(f) != layersFields {
		return LayerRow{}, fmt.Errorf("%d fields, want %d", len(f), layersFields)
	}
	var r LayerRow
	var errs []error
	atoi := func(s string) int {
		v, err := strconv.Atoi(s)
		errs = append(errs, err)
		return v
	}
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		errs = append(errs, err)
		return v
	}
	r.Epoch = atoi(f[0])
	st, err := strconv.ParseInt(f[1], 10, 64)
	errs = append(errs, err)
	r.Step, r.Layer, r.Kind, r.Block, r.Units = st, f[2], f[3], atoi(f[4]), atoi(f[5])
	vals := []*float64{&r.WeightMean, &r.WeightStd, &r.OutMean, &r.OutStd, &r.ActMean, &r.ActStd, &r.Dead,
		&r.GradMean, &r.GradStd, &r.GradNorm, &r.UpdateRatio}
	for j, p := range vals {
		*p = num(f[6+j])
	}
	flags, ferr := ParseLayerFlags(f[17])
	r.Flags = flags
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("bad row %q", termsafe.String(line))
	}
	if ferr != nil {
		return r, fmt.Errorf("%v", termsafe.String(ferr.Error()))
	}
	return r, r.checkRange()
}

// checkRange says which value of a row is out of its range.
func (r *LayerRow) checkRange() error {
	nonNeg := func(v float64) bool { return math.IsNaN(v) || v >= 0 } // a spread or norm; +Inf when it overflowed
	for _, c := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"epoch", float64(r.Epoch), r.Epoch >= 1},
		{"step", float64(r.Step), r.Step >= 0},
		{"block", float64(r.Block), r.Block >= 0 && r.Block <= nn.MaxUnits},
		{"units", float64(r.Units), r.Units >= 1 && r.Units <= nn.MaxUnits},
		{"weight_std", r.WeightStd, nonNeg(r.WeightStd)},
		{"out_std", r.OutStd, nonNeg(r.OutStd)},
		{"act_std", r.ActStd, nonNeg(r.ActStd)},
		{"dead", r.Dead, math.IsNaN(r.Dead) || r.Dead >= 0 && r.Dead <= 1},
		{"grad_std", r.GradStd, nonNeg(r.GradStd)},
		{"grad_norm", r.GradNorm, nonNeg(r.GradNorm)},
		{"update_ratio", r.UpdateRatio, nonNeg(r.UpdateRatio)},
	} {
		if !c.ok {
			return fmt.Errorf("%s %v out of range", c.name, c.v)
		}
	}
	if !validLayerName(r.Layer) {
		return fmt.Errorf("layer %q: want dense.N or norm.N", termsafe.String(r.Layer))
	}
	if indexOf(layerKinds, r.Kind) < 0 {
		return fmt.Errorf("kind %q: want %s", termsafe.String(r.Kind), strings.Join(layerKinds, ", "))
	}
	if strings.HasPrefix(r.Layer, "dense.") != (r.Kind == nn.KindDense) {
		return fmt.Errorf("layer %s of kind %s", r.Layer, r.Kind)
	}
	return nil
}

// validLayerName reports whether s is dense.N or norm.N.
func validLayerName(s string) bool {
	for _, p := range []string{"dense.", "norm."} {
		if n, ok := strings.CutPrefix(s, p); ok {
			v, err := strconv.Atoi(n)
			return err == nil && v >= 0 && strconv.Itoa(v) == n
		}
	}
	return false
}

// truncateLayers cuts layers.csv after the rows of its first keep
// epochs: a resumed run trains the epochs after its checkpoint again.
func truncateLayers(path string, keep int) error {
	b, err := readSmall(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	off := bytes.IndexByte(b, '\n') + 1 // after the header
	if off == 0 {
		return nil
	}
	for off < len(b) {
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			break // half a line: cut
		}
		line := b[off : off+end]
		c := bytes.IndexByte(line, ',')
		if c < 0 {
			break
		}
		if ep, err := strconv.Atoi(string(line[:c])); err != nil || ep > keep {
			break
		}
		off += end + 1
	}
	if off == len(b) {
		return nil
	}
	if err := os.Truncate(path, int64(off)); err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	return nil
}
