package cifar10

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlptui/mlptui/internal/regfile"
)

// HTTPClient is what a [Downloader] needs from an HTTP client;
// *http.Client has it.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Downloader fetches the archive into a data directory. The zero value
// downloads the official archive from [URL] and checks it against [MD5].
type Downloader struct {
	URL    string     // "" means URL
	MD5    string     // expected hex checksum; "" means MD5
	Client HTTPClient // nil means http.DefaultClient

	// Progress, if set, is called from the downloading goroutine with the
	// bytes received so far and the total from Content-Length (-1 when the
	// server does not say): once before the first byte and then after every
	// read, which can be thousands of times a second; the caller throttles
	// its drawing. [ProgressLine] renders a call as text.
	Progress func(done, total int64)
}

// Download fetches url into dataDir/cifar-10-binary.tar.gz, checking it
// against the official [MD5], and calls progress (which may be nil) as
// bytes arrive. See [Downloader] for the details; Downloader also lets the
// checksum be chosen.
func Download(ctx context.Context, dataDir string, url string, progress func(done, total int64)) error {
	return Downloader{URL: url, Progress: progress}.Download(ctx, dataDir)
}

// Download fetches the archive into dataDir/cifar-10-binary.tar.gz,
// creating dataDir if needed. The body goes to a temporary file in dataDir
// that is synced and renamed into place only when its length matches
// Content-Length and its MD5 matches; on any failure, including
// cancellation through ctx, the temporary file is removed and an existing
// archive is left as it was. Errors other than cancellation say where to
// put an archive downloaded by hand.
func (d Downloader) Download(ctx context.Context, dataDir string) (err error) {
	url, want := urlOr(d.URL), md5Or(d.MD5)
	dst := filepath.Join(dataDir, ArchiveName)
	byHand := "download it by hand and put it at " + absPath(dst)
	fail := func(format string, args ...any) error {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("cifar10: download %s: %w", url, cerr)
		}
		args = append(append([]any{url}, args...), byHand)
		return fmt.Errorf("cifar10: download %s: "+format+"; %s", args...)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("cifar10: download %s: %v", url, err)
	}
	client := d.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the method and the address: say the cause.
		var uerr *neturl.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fail("%v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail("server answered %s", resp.Status)
	}

	tmp, err := os.CreateTemp(dataDir, "."+ArchiveName+".*.part")
	if err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	total := resp.ContentLength
	if total < 0 {
		total = -1
	}
	h := md5.New()
	pw := &progressWriter{fn: d.Progress, total: total}
	if pw.fn != nil {
		pw.fn(0, total)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h, pw), resp.Body)
	if err != nil {
		var werr *os.PathError
		if errors.As(err, &werr) {
			return fmt.Errorf("cifar10: download %s: %w", url, err) // a local disk problem
		}
		if total >= 0 {
			return fail("connection broken after %d of %d bytes: %v", n, total, err)
		}
		return fail("connection broken after %d bytes: %v", n, err)
	}
	if total >= 0 && n != total {
		return fail("short body: %d of %d bytes", n, total)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
		return fail("%w: got %s, want %s (%d bytes)", ErrChecksum, got, want, n)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	return syncDir(dataDir)
}

// progressWriter counts bytes and reports them.
type progressWriter struct {
	fn          func(done, total int64)
	done, total int64
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return len(b), nil
}

// ProgressLine renders download progress as one line of text, for example
//
//	cifar-10-binary.tar.gz  45.2 MB / 162.2 MB  12.3 MB/s  ETA 9s
//
// name is the file's name; done and total are bytes (total < 0: unknown,
// and then there is no ETA); elapsed is the time since the download
// started. Sizes use binary units (1 MB = 2^20 bytes). The line has no
// newline or carriage return: the caller decides how to redraw it.
func ProgressLine(name string, done, total int64, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString("  ")
	b.WriteString(formatBytes(done))
	if total >= 0 {
		b.WriteString(" / ")
		b.WriteString(formatBytes(total))
	}
	sec := elapsed.Seconds()
	if sec <= 0 || done <= 0 {
		b.WriteString("  -- MB/s")
		if total >= 0 && done < total {
			b.WriteString("  ETA --")
		}
		return b.String()
	}
	rate := float64(done) / sec
	b.WriteString("  ")
	b.WriteString(formatBytes(int64(rate)))
	b.WriteString("/s")
	if total >= 0 {
		left := max(total-done, 0)
		eta := time.Duration(float64(left) / rate * float64(time.Second))
		b.WriteString("  ETA ")
		b.WriteString(formatETA(eta))
	}
	return b.String()
}

// formatBytes writes n bytes with one decimal in binary units.
func formatBytes(n int64) string {
	const k = 1 << 10
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < k*k:
		return fmt.Sprintf("%.1f kB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	default:
		return fmt.Sprintf("%.1f GB", float64(n)/(k*k*k))
	}
}

// formatETA rounds up to whole seconds: 9s, 2m05s, 1h02m.
func formatETA(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
	}
}

// fileMD5 returns the hex MD5 of a file.
func fileMD5(ctx context.Context, path string) (string, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("checking %s: %w", path, err)
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncDir flushes a directory's entries (a rename in it) to disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cifar10: sync %s: %w", dir, err)
	}
	return nil
}
