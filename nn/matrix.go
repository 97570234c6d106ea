package nn

import (
	"fmt"
	"runtime"

	"github.com/mlptui/mlptui/nn/internal/gemm"
	"github.com/mlptui/mlptui/nn/internal/parallel"
)

// Matrix is a dense row-major float32 matrix over one backing slice:
// element (i, j) is Data[i*Cols+j].
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zeroed rows×cols matrix.
func NewMatrix(rows, cols int) *Matrix {
	return &Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// FromSlice returns a rows×cols matrix viewing data, which must hold
// exactly rows*cols values.
func FromSlice(rows, cols int, data []float32) *Matrix {
	if len(data) != rows*cols {
		panic(fmt.Sprintf("nn: FromSlice: %d values for %d×%d", len(data), rows, cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Data: data}
}

// Row returns row i as a slice of the backing data.
func (m *Matrix) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// At returns element (i, j).
func (m *Matrix) At(i, j int) float32 { return m.Data[i*m.Cols+j] }

// Resize makes m rows×cols, reusing its backing array when it is large
// enough. The contents are unspecified afterwards.
func (m *Matrix) Resize(rows, cols int) {
	n := rows * cols
	if cap(m.Data) < n {
		m.Data = make([]float32, n)
	}
	m.Rows, m.Cols, m.Data = rows, cols, m.Data[:n]
}

// MatMul computes c = alpha·op(a)·op(b) + beta·c, where op(x) is x or its
// transpose. With beta 0, c is only written. Every matrix product in nn goes
// through here.
func MatMul(transA, transB bool, alpha float32, a, b *Matrix, beta float32, c *Matrix) {
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if k != kb || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("nn: MatMul shapes: op(a) %d×%d, op(b) %d×%d, c %d×%d", m, k, kb, n, c.Rows, c.Cols))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if beta == 0 {
			clear(c.Data)
		} else {
			scale(c.Data, beta)
		}
		return
	}
	sgemm(transA, transB, m, n, k, alpha, a.Data, a.Cols, b.Data, b.Cols, beta, c.Data, c.Cols)
}

// sgemm is the one place a matrix product is computed (in bfloat16 after
// SetPrecision(BF16)).
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if bf16Products.Load() {
		gemm.SgemmBF16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SetThreads sets how many threads share each matrix product; 0 means all
// cores.
func SetThreads(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	gemm.SetThreads(n)
	parallel.SetThreads(n)
}

// Kernel names the matrix-multiply kernel in use: "avx512", "avx2" or
// "generic".
func Kernel() string { return gemm.Kernel() }

func scale(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}
