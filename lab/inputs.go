package lab

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/internal/ctxio"
	"github.com/mlptui/mlptui/internal/regfile"
)

// BadRowsShown is how many unreadable rows of one file Each hands on one
// by one; it counts the rest.
const BadRowsShown = 5

// Each prepares one raw input for the model, as classify takes them, and
// calls visit with its name, the prepared input and what made it fail:
//
//   - for a table model with preprocessing (Table): a row of cells in the
//     table's delimiter or commas, or a file of such rows, one visit a row
//     named "path:line";
//   - for another model of plain numbers: comma-separated values, or a
//     CSV file of rows (CSV says its label column, skipped in rows that
//     have one);
//   - for an image model: an image file.
//
// A file of rows that is not text (an image, say) is refused before it is
// parsed. Past BadRowsShown bad rows of a file the rest are counted, not
// visited: Each returns that count. It stops with ctx's error when ctx
// ends.
func (p *Predictor) Each(ctx context.Context, in string, visit func(name string, x []float32, err error)) (unreported int, err error) {
	switch {
	case p.Table != nil && !isFile(in):
		cells, err := tabular.SplitRow(in, p.Table.Pipeline)
		var x []float32
		if err == nil {
			x, err = p.Table.Input(cells)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", in, err)
		}
		visit(in, x, err)
		return 0, nil
	case p.Table != nil:
		rows, err := openText(ctx, in, p.Table.Pipeline.Width-1, func(r io.Reader) ([]tabular.Row, error) { return tabular.ReadRows(r, in, p.Table.Pipeline) })
		return p.eachRow(ctx, in, len(rows), err, visit, func(i int) (string, []float32, error) {
			r := rows[i]
			x, err := []float32(nil), r.Err
			if err == nil {
				if x, err = p.Table.Input(r.Cells); err != nil {
					err = fmt.Errorf("%s:%d: %w", in, r.Line, err)
				}
			}
			return fmt.Sprintf("%s:%d", in, r.Line), x, err
		})
	case len(p.Model.InputShape) == 1 && isFile(in):
		dim := p.Model.Net.Arch.Inputs
		rows, err := openText(ctx, in, dim, func(r io.Reader) ([]datasets.FeatureRow, error) {
			return datasets.ReadFeatureRows(r, in, dim, p.CSV)
		})
		return p.eachRow(ctx, in, len(rows), err, visit, func(i int) (string, []float32, error) {
			r := rows[i]
			if r.Err != nil {
				return "", nil, r.Err
			}
			return fmt.Sprintf("%s:%d", in, r.Line), p.Sample(r.X, nil), nil
		})
	}
	x, err := p.Input(in)
	visit(in, x, err)
	return 0, nil
}

// eachRow visits the n rows of a file read with err, row(i) preparing
// the i-th; past BadRowsShown bad rows it counts the rest.
func (p *Predictor) eachRow(ctx context.Context, in string, n int, err error, visit func(string, []float32, error), row func(int) (string, []float32, error)) (unreported int, _ error) {
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if err != nil {
		visit(in, nil, err)
		return 0, nil
	}
	bad := 0
	for i := range n {
		if ctx.Err() != nil {
			return unreported, ctx.Err()
		}
		name, x, err := row(i)
		if err != nil {
			if bad++; bad > BadRowsShown { // a file that is no such table: not a line each
				unreported++
				continue
			}
		}
		visit(name, x, err)
	}
	return unreported, nil
}

// isFile reports whether path names a regular file.
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// openText opens a file of rows for read, refusing one that is not text
// (an image, say) before it is parsed.
func openText[R any](ctx context.Context, path string, dim int, read func(io.Reader) ([]R, error)) ([]R, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if kind := http.DetectContentType(head[:n]); !strings.HasPrefix(kind, "text/") {
		kind, _, _ = strings.Cut(kind, ";")
		return nil, fmt.Errorf("%s: not a CSV table but %s; this model takes %d comma-separated values, or a CSV file of them", path, kind, dim)
	}
	return read(ctxio.Reader(ctx, io.MultiReader(bytes.NewReader(head[:n]), f)))
}
